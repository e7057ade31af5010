/**
 * A realistic multi-tier ledger, fast: the benchmark's seed.
 *
 * Every transaction is built, signed (Ed25519, node:crypto: the same bytes as noble, since
 * Ed25519 is deterministic) and applied through the contracts (applyTransaction on a
 * MemoryState, exactly what `npm run verify` replays), so nothing is written that the
 * contracts would refuse. What is skipped is the service's prefetch from the database (the
 * whole state is in memory) and its signature checks (the seed made the signatures): blocks
 * are written with the service's own functions (logEntryRow for the log rows; lockHead,
 * writeRows, writeChanges and closeBlock: one statement per table, then the checkpoint and
 * the head), in one database transaction per block holding the ledger_head row lock. The
 * result is a log that `npm run verify` replays and compares with the tables.
 *
 * Shape: bench organisations onboarded through key registrations co-signed by the
 * operator; credit lines from every lender to every core enterprise; then issuance
 * programs, interleaved as in real life: a core enterprise issues to a tier-1 supplier,
 * who accepts and splits a part down to tier 2 (keeping the rest), and so on down to a
 * depth drawn from a pyramid-shaped distribution (most chains end at tier 2-4, a few reach
 * tier 10); some splits send parts to two suppliers, which branches the tree; some held
 * pieces are financed (request, offer, accept, disburse) or pledged. The demo suppliers
 * (tier1/tier2/tier3@demo) get a bounded book of their own (held claims, a few financed),
 * so their dashboards stay the size of a real supplier's whatever --tx is.
 */
import { DEMO_NETWORK_ID } from "@/contracts/ledger/schema";
import { createPrivateKey, randomBytes, sign as cryptoSign, type KeyObject } from "node:crypto";
import { eq } from "drizzle-orm";
import { sha256 } from "@noble/hashes/sha2.js";
import type { Db } from "@/db/client";
import { ledgerEntries, ledgerHead } from "@/db/schema";
import { deriveId, sha256Hex } from "@/contracts/canonical";
import { bytesToHex, utf8ToBytes } from "@/contracts/hex";
import { MerkleFrontier, type SerializedFrontier } from "@/contracts/merkle";
import { keyIdFor, publicKeyFromPrivate, type SignatureVerifier } from "@/contracts/signing";
import { transactionDigest } from "@/contracts/transaction";
import { verifyLog } from "@/contracts/verify-log";
import { applyTransaction } from "@/contracts/ledger/apply";
import type { MemoryState } from "@/contracts/ledger/state";
import { outstandingMinor } from "@/contracts/ledger/claims";
import type {
  Claim,
  ClaimDocuments,
  OrganisationRole,
  SignedLedgerTransaction,
  StateChange,
  TransactionBodies,
  TransactionType,
} from "@/contracts/ledger/types";
import { nodeVerifier } from "@/server/crypto/node-verifier";
import { exportLedger } from "@/server/ledger/export";
import { loadPlatformKey, operatorKeyFor, type PlatformKey } from "@/server/platform/key";
import { OPERATOR_ORG_ID } from "@/server/platform/signer";
import { writeChanges, writeRows } from "@/server/ledger/repository";
import { closeBlock, latestCheckpointTextHash, lockHead, logEntryRow, type EntryRow, type Head } from "@/server/ledger/service";
import { seedDemo } from "@/server/seed/seed";
import { demoIdentity } from "@/server/seed/ledger-seed";

const DAY_MS = 86_400_000;
const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/** The demo organisations the API benchmark signs in as, and the bench organisations' naming. */
export const DEMO_SUPPLIERS = ["org_pearl", "org_lingnan", "org_xinyuan"] as const;
const DEMO_CORE = "org_huaxin";
const DEMO_LENDER = "org_cmtb";

/** How many suppliers each tier has: a pyramid down to tier 4, then a few specialists. */
const TIER_SIZES = [24, 64, 160, 200, 8, 8, 6, 6, 4, 4];
const CORE_COUNT = 8;
const LENDER_COUNT = 4;
/** Depth a program's main chain reaches (tier of its last holder), by weight. */
const DEPTH_WEIGHTS: readonly [number, number][] = [
  [1, 8],
  [2, 25],
  [3, 30],
  [4, 22],
  [5, 5],
  [6, 3],
  [7, 2],
  [8, 1.5],
  [9, 1.5],
  [10, 2],
];

export interface Identity {
  orgId: string;
  keyId: string;
  privateKey: Uint8Array;
  publicKeyHex: string;
  keyObject: KeyObject;
}

/** Bench organisations' keys are derived from a public label, like the demo keys. */
export function benchIdentity(orgId: string): Identity {
  return withKeyObject(orgId, sha256(utf8ToBytes(`double-chain bench signing key ${orgId}`)));
}

export function demoSigningIdentity(orgId: string): Identity {
  const demo = demoIdentity(orgId);
  return withKeyObject(orgId, demo.privateKey);
}

function withKeyObject(orgId: string, privateKey: Uint8Array): Identity {
  const publicKey = publicKeyFromPrivate(privateKey);
  const keyObject = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, privateKey]), format: "der", type: "pkcs8" });
  return { orgId, keyId: keyIdFor(publicKey), privateKey, publicKeyHex: bytesToHex(publicKey), keyObject };
}

/** Nonces: 16 random bytes each, drawn from a pool so randomBytes is not called per transaction. */
class NoncePool {
  private pool = Buffer.alloc(0);
  private offset = 0;
  next(): string {
    if (this.offset + 16 > this.pool.length) {
      this.pool = randomBytes(16 * 4096);
      this.offset = 0;
    }
    const nonce = this.pool.toString("hex", this.offset, this.offset + 16);
    this.offset += 16;
    return nonce;
  }
}

/** The network the bench ledger is for: the server's setting, so the app serves what it seeds. */
const BENCH_NETWORK_ID = process.env.NETWORK_ID ?? DEMO_NETWORK_ID;

/** Builds and signs a transaction as `signer` (node:crypto Ed25519 over the transaction id). */
export function signTx<K extends TransactionType>(
  signer: Identity,
  type: K,
  body: TransactionBodies[K],
  nonce: string,
  createdAtMs: number,
  cosigners: Identity[] = [],
): { signed: SignedLedgerTransaction<K>; txId: string } {
  const transaction = { type, networkId: BENCH_NETWORK_ID, body, signer: { orgId: signer.orgId, keyId: signer.keyId }, nonce, createdAtMs };
  const digest = transactionDigest(transaction);
  const signatureHex = cryptoSign(null, digest, signer.keyObject).toString("hex");
  const cosignatures = cosigners.map((c) => ({ orgId: c.orgId, keyId: c.keyId, signatureHex: cryptoSign(null, digest, c.keyObject).toString("hex") }));
  return { signed: { transaction, signatureHex, cosignatures } as SignedLedgerTransaction<K>, txId: bytesToHex(digest) };
}

/** Small deterministic PRNG (mulberry32), so a given --seed gives the same shape. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------
// Blocks: what one database transaction writes.

interface Block {
  startSize: number;
  entries: EntryRow[];
  /** Every change of the block, in order; writeChanges keeps the last value of each row. */
  changes: StateChange[];
  /** Where the head stands once the block is in: the service's closeBlock checkpoints it. */
  end: { size: number; frontier: SerializedFrontier; lastAcceptedAtMs: number } | null;
}

function newBlock(startSize: number): Block {
  return { startSize, entries: [], changes: [], end: null };
}

/**
 * The ledger being written: in-memory state, Merkle frontier and the open block. `append`
 * signs nothing; it applies an already signed transaction through the contracts and queues
 * its rows, built by the service's own logEntryRow. A block is written the way the service
 * writes one: under its head lock (lockHead), one statement per table, then its checkpoint
 * and head (closeBlock).
 */
export class LedgerWriter {
  private block: Block;
  private pendingWrite: Promise<void> = Promise.resolve();
  private lastAcceptedAtMs: number;
  private readonly signatures = new Set<string>();
  /** Accepts exactly the signatures this writer made (they were made one line earlier). */
  private readonly verifier: SignatureVerifier;
  appended = 0;
  blocksWritten = 0;
  writeMs = 0;

  constructor(
    private readonly db: Db,
    readonly state: MemoryState,
    private readonly frontier: MerkleFrontier,
    head: { lastAcceptedAtMs: number },
    private readonly platformKey: PlatformKey,
    private readonly blockSize: number,
  ) {
    this.block = newBlock(frontier.size);
    this.lastAcceptedAtMs = head.lastAcceptedAtMs;
    this.verifier = (publicKey, message, signature) => this.signatures.has(bytesToHex(signature)) || nodeVerifier(publicKey, message, signature);
  }

  get size(): number {
    return this.frontier.size;
  }

  clock(): number {
    return Math.max(Date.now(), this.lastAcceptedAtMs);
  }

  async append(signed: SignedLedgerTransaction, txId: string): Promise<StateChange[]> {
    this.signatures.add(signed.signatureHex);
    for (const c of signed.cosignatures) this.signatures.add(c.signatureHex);
    const acceptedAtMs = this.clock();
    const outcome = applyTransaction(this.state, signed, { nowMs: acceptedAtMs, txId, verifier: this.verifier, networkId: BENCH_NETWORK_ID });
    this.signatures.delete(signed.signatureHex);
    for (const c of signed.cosignatures) this.signatures.delete(c.signatureHex);
    if (!outcome.ok) throw new Error(`bench seed built a transaction the contracts refuse: ${signed.transaction.type} ${outcome.code} ${outcome.detail ?? ""}`);
    this.state.applyChanges(outcome.changes);
    const { row, hash } = logEntryRow(this.frontier.size, acceptedAtMs, signed, txId, outcome.changes);
    this.frontier.append(hash);
    this.lastAcceptedAtMs = acceptedAtMs;
    this.block.entries.push(row);
    this.block.changes.push(...outcome.changes);
    this.appended += 1;
    if (this.block.entries.length >= this.blockSize) await this.closeBlock();
    // Let the database client read its replies now and then: generation is synchronous
    // work, and without a turn of the event loop the block being written would wait for it.
    else if (this.appended % 32 === 0) await new Promise((resolve) => setImmediate(resolve));
    return outcome.changes;
  }

  /** Hands the block to the database, one write at a time. */
  async closeBlock(): Promise<void> {
    if (this.block.entries.length === 0) return;
    const block = this.block;
    block.end = { size: this.frontier.size, frontier: this.frontier.serialize(), lastAcceptedAtMs: this.lastAcceptedAtMs };
    this.block = newBlock(this.frontier.size);
    // One block in flight: its write overlaps the generation of the next one.
    await this.pendingWrite;
    this.pendingWrite = this.write(block);
  }

  async finish(): Promise<void> {
    await this.closeBlock();
    await this.pendingWrite;
  }

  private async write(block: Block): Promise<void> {
    const started = performance.now();
    const end = block.end!;
    await this.db.transaction(async (tx) => {
      const head = await lockHead(tx);
      if (head.size !== block.startSize) throw new Error(`ledger head moved: expected size ${block.startSize}, found ${head.size}`);
      await writeRows(tx, ledgerEntries, block.entries);
      await writeChanges(tx, block.changes);
      const moved: Head = { ...head, size: end.size, frontier: MerkleFrontier.deserialize(end.frontier), lastAcceptedAtMs: end.lastAcceptedAtMs };
      // The note is signed by the operator's checkpoint key, as the service signs it.
      const noteKey = await operatorKeyFor(tx, OPERATOR_ORG_ID, "checkpoint");
      await closeBlock(tx, moved, this.platformKey, Date.now, { mirrorKey: this.db, changes: block.changes, noteKey });
    });
    this.writeMs += performance.now() - started;
    this.blocksWritten += 1;
  }
}

// ---------------------------------------------------------------------------------------
// Opening: the demo data, then the existing log replayed into memory.

export interface OpenedLedger {
  writer: LedgerWriter;
  /** The operator's onboarding key (its admin key on a ledger without one), which cosigns an organisation's first key. */
  onboarding: Identity;
  existingSize: number;
}

/** Seeds the demo (users, organisations, demo chain) if needed and loads the log into memory. */
export async function openLedger(db: Db, blockSize: number, maxExisting: number): Promise<OpenedLedger> {
  await seedDemo(db);
  const [head] = await db.select().from(ledgerHead).where(eq(ledgerHead.id, 1));
  if (!head) throw new Error("ledger_head row missing: run the migrations");
  if (head.size > maxExisting) {
    throw new Error(`the ledger already holds ${head.size} transactions; the bench seed builds on an empty or demo-only ledger (use a fresh database)`);
  }
  const replayed = verifyLog(await exportLedger(db), nodeVerifier);
  if (!replayed.ok) throw new Error(`the existing ledger does not verify: ${replayed.failure.code} ${replayed.failure.detail}`);
  const platform = await loadPlatformKey(db);
  const onboarding = withKeyObject(OPERATOR_ORG_ID, (await operatorKeyFor(db, OPERATOR_ORG_ID, "onboarding")).privateKey);
  const frontier = MerkleFrontier.deserialize(head.frontier as SerializedFrontier);
  const writer = new LedgerWriter(db, replayed.state, frontier, head, platform, blockSize);
  return { writer, onboarding, existingSize: head.size };
}

// ---------------------------------------------------------------------------------------
// The workload model.

interface Org {
  id: string;
  name: string;
  role: OrganisationRole;
  tier: number;
  identity: Identity;
}

type Step =
  | { kind: "issue" }
  | { kind: "accept"; claimId: string; by: Org; tier: number }
  | { kind: "split"; claimId: string; by: Org; tier: number }
  | { kind: "finance-request"; claimId: string; by: Org }
  | { kind: "finance-offer"; financingId: string; holder: Org; lender: Org }
  | { kind: "finance-accept"; financingId: string; holder: Org; lender: Org }
  | { kind: "finance-disburse"; financingId: string; lender: Org }
  | { kind: "pledge"; claimId: string; by: Org };

interface Program {
  core: Org;
  creditLineId: string;
  targetDepth: number;
  demo: boolean;
  /** Steps ready to run (a branching split adds one per receiver). */
  ready: Step[];
}

export interface SeedOptions {
  transactions: number;
  blockSize: number;
  seed: number;
  /** Issuance programs for the demo suppliers' own book (bounded, whatever `transactions` is). */
  demoPrograms: number;
  /** Programs in flight at once (interleaving). */
  concurrentPrograms: number;
  log?: (line: string) => void;
  maxExisting?: number;
}

export interface SeedResult {
  appended: number;
  size: number;
  seconds: number;
  generateSeconds: number;
  writeSeconds: number;
  blocks: number;
  organisations: number;
  deepestClaimId: string | null;
}

export async function seedBenchLedger(db: Db, options: SeedOptions): Promise<SeedResult> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const random = prng(options.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const { writer, onboarding } = await openLedger(db, options.blockSize, options.maxExisting ?? 10_000);
  const nonces = new NoncePool();
  const budget = options.transactions;
  let deepest: { claimId: string; depth: number } | null = null;

  const submit = async <K extends TransactionType>(who: Identity, type: K, body: TransactionBodies[K], cosigners: Identity[] = []) => {
    const { signed, txId } = signTx(who, type, body, nonces.next(), writer.clock(), cosigners);
    await writer.append(signed as unknown as SignedLedgerTransaction, txId);
    return txId;
  };
  const done = () => writer.appended >= budget;
  // Lenders' decisions name a checkpoint the replayed state knows: the last one before the bench's own blocks.
  const decidedOn = await latestCheckpointTextHash(db);
  const checkpointNow = async () => {
    if (decidedOn === null) throw new Error("the bench seed needs a checkpoint note to decide on (the demo seed makes them)");
    return decidedOn;
  };

  // Onboarding: every bench organisation registers its key, co-signed by the operator's onboarding key.
  const orgs: Org[] = [];
  const make = (id: string, name: string, role: OrganisationRole, tier: number) => orgs.push({ id, name, role, tier, identity: benchIdentity(id) });
  for (let i = 1; i <= CORE_COUNT; i++) make(`bcore_${pad(i)}`, `Bench Core Enterprise ${pad(i)}`, "core_enterprise", 0);
  for (let i = 1; i <= LENDER_COUNT; i++) make(`blend_${pad(i)}`, `Bench Lender ${pad(i)}`, "lender", 0);
  TIER_SIZES.forEach((count, index) => {
    for (let i = 1; i <= count; i++) make(`bsup_t${index + 1}_${pad(i)}`, `Bench Supplier Tier ${index + 1} No. ${pad(i)}`, "supplier", index + 1);
  });
  for (const org of orgs) {
    if (done()) break;
    if (writer.state.getKey(org.identity.keyId)) continue;
    const { identity } = org;
    await submit(identity, "key.register", { orgId: org.id, orgName: org.name, role: org.role, publicKeyHex: identity.publicKeyHex, keyId: identity.keyId, keyRole: "admin", holderUserId: `usr_${org.id}` }, [onboarding]);
  }
  const cores = orgs.filter((o) => o.role === "core_enterprise");
  const lenders = orgs.filter((o) => o.role === "lender");
  const tiers = TIER_SIZES.map((_, index) => orgs.filter((o) => o.tier === index + 1));
  const lines = new Map<string, string[]>();
  for (const core of cores) {
    for (const lender of lenders) {
      if (done()) break;
      const txId = await submit(lender.identity, "creditLine.grant", { coreEnterpriseOrgId: core.id, currency: "CNY", limitMinor: 10n ** 15n, expiresAtMs: Date.now() + 365 * DAY_MS });
      lines.set(core.id, [...(lines.get(core.id) ?? []), deriveId("cl", txId, 0)]);
    }
  }

  // The demo organisations, for the demo suppliers' book.
  const demoOrg = (id: string, tier: number): Org => {
    const org = writer.state.getOrg(id);
    if (!org) throw new Error(`demo organisation ${id} is not on the ledger`);
    return { id, name: org.name, role: org.role, tier, identity: demoSigningIdentity(id) };
  };
  const demoCore = demoOrg(DEMO_CORE, 0);
  const demoLender = demoOrg(DEMO_LENDER, 0);
  const demoTiers = DEMO_SUPPLIERS.map((id, index) => demoOrg(id, index + 1));
  const demoLine = [...writer.state.creditLines.values()].find((l) => l.coreEnterpriseOrgId === DEMO_CORE && l.lenderOrgId === DEMO_LENDER);

  const documents = (n: number): ClaimDocuments => ({
    invoiceSha256: sha256Hex(utf8ToBytes(`bench invoice ${options.seed} ${n}`)),
    contractSha256: sha256Hex(utf8ToBytes(`bench contract ${n % 97}`)),
    deliveryNoteSha256: sha256Hex(utf8ToBytes(`bench delivery note ${n}`)),
  });
  const drawDepth = () => {
    const total = DEPTH_WEIGHTS.reduce((sum, [, w]) => sum + w, 0);
    let r = random() * total;
    for (const [depth, weight] of DEPTH_WEIGHTS) if ((r -= weight) < 0) return depth;
    return 3;
  };
  let programCount = 0;
  // One invoice backs at most one live issuance (claim.issue refuses a second): each issue gets its own.
  let issueCount = 0;
  const newProgram = (): Program => {
    programCount += 1;
    if (programCount <= options.demoPrograms && demoLine) {
      return { core: demoCore, creditLineId: demoLine.id, targetDepth: 3, demo: true, ready: [{ kind: "issue" }] };
    }
    const core = pick(cores);
    return { core, creditLineId: pick(lines.get(core.id) ?? []), targetDepth: drawDepth(), demo: false, ready: [{ kind: "issue" }] };
  };
  const tierOrgs = (program: Program, tier: number): readonly Org[] => (program.demo ? [demoTiers[tier - 1] as Org] : (tiers[tier - 1] ?? []));
  const lenderFor = (program: Program) => (program.demo ? demoLender : pick(lenders));

  /** Runs one ready step of `program`; returns false when it has nothing left. */
  const advance = async (program: Program): Promise<boolean> => {
    const index = Math.floor(random() * program.ready.length);
    const step = program.ready[index];
    if (!step) return false;
    program.ready.splice(index, 1);
    const nowMs = writer.clock();
    switch (step.kind) {
      case "issue": {
        const to = pick(tierOrgs(program, 1));
        const amountMinor = program.demo ? BigInt(100_000 + Math.floor(random() * 9_900_000)) : BigInt(10_000_000 + Math.floor(random() * 990_000_000));
        const maturityDate = isoDate(nowMs + (90 + Math.floor(random() * 180)) * DAY_MS);
        const txId = await submit(program.core.identity, "claim.issue", { creditLineId: program.creditLineId, toOrgId: to.id, amountMinor, currency: "CNY", maturityDate, documents: documents((issueCount += 1)) });
        program.ready.push({ kind: "accept", claimId: deriveId("c", txId, 0), by: to, tier: 1 });
        return true;
      }
      case "accept": {
        await submit(step.by.identity, "claim.accept", { claimId: step.claimId });
        const claim = writer.state.getClaim(step.claimId) as Claim;
        if (!deepest || claim.depth > deepest.depth) deepest = { claimId: claim.id, depth: claim.depth };
        if (step.tier < program.targetDepth && tierOrgs(program, step.tier + 1).length > 0) {
          program.ready.push({ kind: "split", claimId: step.claimId, by: step.by, tier: step.tier });
        } else if (!program.demo || random() < 0.1) {
          const r = random();
          if (r < (program.demo ? 1 : 0.12)) program.ready.push({ kind: "finance-request", claimId: step.claimId, by: step.by });
          else if (r < 0.15) program.ready.push({ kind: "pledge", claimId: step.claimId, by: step.by });
        }
        return true;
      }
      case "split": {
        const claim = writer.state.getClaim(step.claimId) as Claim;
        const outstanding = outstandingMinor(claim);
        const next = tierOrgs(program, step.tier + 1);
        const receivers = !program.demo && random() < 0.2 && next.length > 1 ? 2 : 1;
        const chosen: Org[] = [];
        while (chosen.length < receivers) {
          const candidate = pick(next);
          if (!chosen.includes(candidate)) chosen.push(candidate);
        }
        // Each receiver gets 20-60% of what is left; the holder keeps the rest.
        let left = outstanding;
        const parts = chosen.map((to) => {
          const amount = (left * BigInt(20 + Math.floor(random() * 40))) / 100n;
          left -= amount;
          return { toOrgId: to.id, amountMinor: amount };
        });
        const txId = await submit(step.by.identity, "claim.split", { claimId: step.claimId, parts: [...parts, { toOrgId: step.by.id, amountMinor: left }] });
        chosen.forEach((to, part) => program.ready.push({ kind: "accept", claimId: deriveId("c", txId, part), by: to, tier: step.tier + 1 }));
        return true;
      }
      case "finance-request": {
        const lender = lenderFor(program);
        const txId = await submit(step.by.identity, "financing.request", { claimId: step.claimId, lenderOrgId: lender.id });
        program.ready.push({ kind: "finance-offer", financingId: deriveId("fin", txId, 0), holder: step.by, lender });
        return true;
      }
      case "finance-offer":
        await submit(step.lender.identity, "financing.offer", { financingId: step.financingId, rateBps: 350 + Math.floor(random() * 300), feeMinor: 0n, disbursementDate: isoDate(nowMs + DAY_MS), recourse: random() < 0.3, checkpointHash: await checkpointNow() });
        program.ready.push({ kind: "finance-accept", financingId: step.financingId, holder: step.holder, lender: step.lender });
        return true;
      case "finance-accept":
        await submit(step.holder.identity, "financing.accept", { financingId: step.financingId });
        program.ready.push({ kind: "finance-disburse", financingId: step.financingId, lender: step.lender });
        return true;
      case "finance-disburse":
        await submit(step.lender.identity, "financing.disburse", { financingId: step.financingId, paymentReference: `BENCH-${step.financingId.slice(4, 16)}`, checkpointHash: await checkpointNow() });
        return true;
      case "pledge":
        await submit(step.by.identity, "claim.pledge", { claimId: step.claimId, lenderOrgId: pick(lenders).id });
        return true;
    }
  };

  // Programs in flight, advanced in random order so their transactions interleave.
  const active: Program[] = [];
  let lastLog = performance.now();
  while (!done()) {
    while (active.length < options.concurrentPrograms) active.push(newProgram());
    const slot = Math.floor(random() * active.length);
    const program = active[slot] as Program;
    if (!(await advance(program))) active[slot] = newProgram();
    if (performance.now() - lastLog > 5000) {
      lastLog = performance.now();
      const seconds = (lastLog - started) / 1000;
      log(`  ${writer.appended.toLocaleString("en-US")} / ${budget.toLocaleString("en-US")} transactions, ${Math.round(writer.appended / seconds).toLocaleString("en-US")} tx/s`);
    }
  }
  const generateEnded = performance.now();
  await writer.finish();
  const seconds = (performance.now() - started) / 1000;
  return {
    appended: writer.appended,
    size: writer.size,
    seconds,
    generateSeconds: (generateEnded - started) / 1000,
    writeSeconds: writer.writeMs / 1000,
    blocks: writer.blocksWritten,
    organisations: writer.state.orgs.size,
    deepestClaimId: (deepest as { claimId: string } | null)?.claimId ?? null,
  };
}

function pad(n: number): string {
  return String(n).padStart(3, "0");
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
