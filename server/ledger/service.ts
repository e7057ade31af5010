import { and, eq, sql } from "drizzle-orm";
import type { Db, DbOrTx, Tx } from "@/db/client";
import { isDatabaseFailure } from "@/db/availability";
import { ledgerCheckpoints, ledgerEntries, ledgerHead, signingKeys } from "@/db/schema";
import { canonicalJson } from "@/contracts/canonical";
import { checkpointHash, signCheckpoint, type Checkpoint, type SignedCheckpoint } from "@/contracts/checkpoint";
import { bytesToHex, hexToBytes } from "@/contracts/hex";
import { logEntryJson, logEntryLeafHash, type LogEntry } from "@/contracts/log";
import { MerkleFrontier, type SerializedFrontier } from "@/contracts/merkle";
import { transactionId } from "@/contracts/transaction";
import { applyTransaction, InvariantViolation } from "@/contracts/ledger/apply";
import { refusal, type Refusal } from "@/contracts/ledger/refusals";
import { decodeSignedTransaction, type SealedTransaction, type WireSignedTransaction } from "@/contracts/ledger/schema";
import { introducedKey, prefetchKeys } from "@/contracts/ledger/kinds";
import { mergePrefetchKeys, type MemoryState } from "@/contracts/ledger/state";
import type { LedgerEvent, SignedLedgerTransaction, StateChange } from "@/contracts/ledger/types";
import type { BatchSignatureVerifier, SignatureToCheck, SignatureVerifier } from "@/contracts/signing";
import { nodeVerifier } from "../crypto/node-verifier";
import { ledgerNetworkId } from "../network";
import { conflict, databaseFailureOf, describeInternalError, DomainError, type DatabaseCondition } from "../errors";
import { hasActiveOperatorKey, loadOperatorRoleKey, loadPlatformKey, type PlatformKey } from "../platform/key";
import { OPERATOR_ORG_ID } from "../platform/signer";
import { ledgerOrigin } from "../env";
import { checkpointTextHash, formatCheckpointBody, signCheckpointNote, stateRootExtension } from "@/contracts/tlog-checkpoint";
import { GroupCommit, type Previous } from "./group-commit";
import type { LedgerWriter } from "./writer";
import { advanceStateMirrorInMemory, keepStateMirror, takeKeptStateMirror, takeStateMirror, writeStateNodes, type ChangedStateNodes, type StateMirror } from "./state-root";
import { runPostCommitHooks, type FollowUp, type PostCommitHook } from "./hooks";
import { writeOutbox } from "./outbox";
import { inList, prefetchState, touchedClaimIds, writeChanges, writeRows } from "./repository";

/*
 * The ledger service: take decoded, sealed transactions (the edge decodes: sealWire), verify signatures (before taking the lock), then, inside one
 * database transaction holding the log head's row lock, load what the block's contracts need,
 * apply them, append the log entries, write the new state and close the block with a signed
 * checkpoint. Appends are serialised by that lock, so of two transactions spending the
 * same claim exactly one wins and the other gets the contract's code.
 */

export interface Accepted {
  status: "accepted";
  txId: string;
  leafIndex: number;
  acceptedAtMs: number;
  events: LedgerEvent[];
  duplicate: boolean;
  /** What the post-commit hooks the caller named did (options.afterCommit; see hooks.ts). */
  followUps?: FollowUp[];
}

/** The ledger's answer to one transaction: accepted, or refused with a code and its text (contracts/ledger/refusals.ts). */
export type SubmitResult = Accepted | Refusal;

export interface LedgerOptions {
  /** The commit clock; tests freeze it. Never decreases along the log (see nextAcceptedAtMs). */
  clock?: () => number;
  verifier?: SignatureVerifier;
  /** Run after the transaction committed (see hooks.ts); their outcomes are the answer's followUps. */
  afterCommit?: readonly PostCommitHook[];
  /**
   * Where the signature checks before the lock run when no verifier is named: a pool of
   * worker threads (openVerifyPool's), so that a block's checks run on another core while
   * this one applies the block in flight. Without it they run on this thread (nodeVerifier).
   */
  batchVerifier?: BatchSignatureVerifier | null;
}

interface Prepared {
  /** Decoded, so sealed: its id, signature digest and log leaf share one canonicalisation. */
  signed: SealedTransaction;
  txId: string;
}

/** Submits signed transactions, one at a time from the caller's side, committed in groups. */
export interface LedgerSubmitter {
  submit(transaction: SealedTransaction, options?: LedgerOptions): Promise<SubmitResult>;
}

/**
 * The edge's step before the engine: wire JSON decoded into a sealed transaction, or the
 * malformed_transaction refusal listing every problem (an answer, like any refusal).
 */
export function sealWire(wire: unknown): SealedTransaction | Refusal {
  const decoded = decodeSignedTransaction(wire);
  if (decoded.ok) return decoded.value;
  return refusal(null, "malformed_transaction", decoded.issues.map((i) => `${i.path}: ${i.message}`).join("; "));
}

/**
 * A group-committing submitter for one database (the runtime holds one per process, see
 * server/runtime/runtime.ts): a submission that arrives while a block is being committed waits for
 * it and goes into the next block with every other one that arrived meanwhile, so they
 * share one lock, one commit and one checkpoint instead of queueing for the head lock one by
 * one. Each still gets its own answer, after the post-commit hooks named in its options (or
 * in `defaults`) have run for it.
 */
export function createLedgerSubmitter(db: Db, defaults: LedgerOptions = {}, observer: BlockObserver | null = null, writer: LedgerWriter<SubmitResult> | null = null): LedgerSubmitter {
  const queue = new GroupCommit<Queued, LedgerOptions, SubmitResult, AppliedBlock>(
    async (items, batchOptions, previous, handOn) => {
      const startedMs = performance.now();
      const report = { size: items.length, requestIds: requestIdsOf(items) };
      try {
        const { results, path } = await commitInPipeline(db, items.map((item) => item.transaction), batchOptions, previous, handOn);
        observer?.block({ ...report, ms: performance.now() - startedMs, results, error: null, path });
        return results;
      } catch (error) {
        observer?.block({ ...report, ms: performance.now() - startedMs, results: [], error, path: null });
        throw error;
      }
    },
    500,
    isDatabaseFailure,
  );
  const { afterCommit: defaultHooks = [], ...defaultCommitOptions } = defaults;
  // The writer commits what other instances hand it with this submitter's own options.
  writer?.attach((transaction) => queue.submit({ transaction, requestId: undefined }, defaultCommitOptions));
  return {
    async submit(transaction, options = {}) {
      const { afterCommit = defaultHooks, ...callOptions } = options;
      const commitOptions = { ...defaultCommitOptions, ...callOptions };
      const local = (sealed: SealedTransaction) => queue.submit({ transaction: sealed, requestId: observer?.requestId() }, commitOptions);
      // Options of its own (a test's clock or verifier) cannot cross to the writer: such a submission commits here, under the head lock as ever.
      const ownOptions = Object.entries(callOptions).some(([key, value]) => value !== undefined && value !== (defaultCommitOptions as Record<string, unknown>)[key]);
      const result = writer === null || ownOptions ? await local(transaction) : await writer.submit(transaction, local);
      return withFollowUps(db, result, afterCommit);
    },
  };
}

interface Queued {
  transaction: SealedTransaction;
  /** The request that submitted it, read when it was queued (the block runs in another request's context). */
  requestId: string | undefined;
}

const requestIdsOf = (items: readonly Queued[]) => items.flatMap((item) => (item.requestId === undefined ? [] : [item.requestId]));

/** What the runtime learns of each block a group-committing submitter commits (metrics, log lines). */
export interface BlockObserver {
  /** The id of the request being served when a submission is queued. */
  requestId(): string | undefined;
  /** A block committed (results) or failed (error), with the ids of the requests in it and how it was applied (null when it failed). */
  block(report: { size: number; ms: number; requestIds: readonly string[]; results: readonly SubmitResult[]; error: unknown; path: BlockPath | null }): void;
}

/**
 * How a block was applied: "ahead" on the state the block before it leaves, while that one
 * was written, and committed as applied; "again" applied ahead, then judged again under the
 * head lock because the block before did not commit or another writer's block came in
 * between; "locked" applied under the head lock only (nothing was in flight before it).
 */
export type BlockPath = "ahead" | "again" | "locked";

/**
 * Submits one sealed transaction as a block of its own (see submitBatch), with no group
 * commit: for scripts and tests that submit one thing at a time. Request handlers submit
 * through their runtime's LedgerSubmitter.
 */
export async function submitTransaction(db: Db, transaction: SealedTransaction, options: LedgerOptions = {}): Promise<SubmitResult> {
  const { afterCommit = [], ...commitOptions } = options;
  return withFollowUps(db, (await submitBatch(db, [transaction], commitOptions))[0]!, afterCommit);
}

/** submitTransaction behind the edge's decoding (sealWire), for scripts and tests that hold wire JSON. */
export async function submitWire(db: Db, wire: unknown, options: LedgerOptions = {}): Promise<SubmitResult> {
  const sealed = sealWire(wire);
  return "status" in sealed ? sealed : submitTransaction(db, sealed, options);
}

/** Runs the post-commit hooks for a transaction that has just committed; a resubmission's hooks ran when it first committed (or their job catches up). */
async function withFollowUps(db: Db, result: SubmitResult, afterCommit: readonly PostCommitHook[]): Promise<SubmitResult> {
  if (result.status !== "accepted" || result.duplicate || afterCommit.length === 0) return result;
  const followUps = await runPostCommitHooks(db, afterCommit, result);
  return followUps.length === 0 ? result : { ...result, followUps };
}

/**
 * Submits signed transactions in order as one block: each is accepted or refused on its own
 * (a refusal writes nothing), and the accepted ones are committed together and closed by one
 * checkpoint. Resubmitting an accepted transaction returns its original leaf (idempotent).
 *
 * Inside the head lock the block's rows are loaded once (the union of what its transactions
 * need), the transactions are applied in order to that in-memory state, and what they wrote
 * goes to the database as one statement per table, with the log entries and the checkpoint,
 * in the same database transaction.
 */
export async function submitBatch(db: Db, transactions: readonly SealedTransaction[], options: LedgerOptions = {}): Promise<SubmitResult[]> {
  const context = await blockContext(db, prepareItems(transactions), options);
  try {
    return (await db.transaction((tx) => commitUnderLock(db, tx, context))).results;
  } catch (error) {
    throw translateDatabaseError(error);
  }
}

/** What applying a block needs that is known before the lock: the items, their checked signatures, the clock and the operator key. */
interface BlockContext {
  items: Prepared[];
  verified: SignatureVerifier;
  clock: () => number;
  platformKey: PlatformKey;
}

function prepareItems(transactions: readonly SealedTransaction[]): Prepared[] {
  return transactions.map((signed): Prepared => ({ signed, txId: transactionId(signed.transaction) }));
}

async function blockContext(db: Db, items: Prepared[], options: LedgerOptions): Promise<BlockContext> {
  const verified = await preverifySignatures(db, items, options);
  return { items, verified, clock: options.clock ?? Date.now, platformKey: await loadPlatformKey(db) };
}

/**
 * A group-committed block, pipelined (group-commit.ts): with a block in flight before it, it
 * is applied ahead, on the state that block leaves, while that one's statements and commit
 * run, then written under the head lock if the head is still where that block left it. If
 * the block before failed, or another writer's block (another app instance, a job) came in
 * between, what was applied ahead is dropped and the block is judged again under the lock
 * against the database, as if nothing had been applied: nothing is ever accepted on a state
 * that did not commit.
 */
async function commitInPipeline(
  db: Db,
  transactions: readonly SealedTransaction[],
  options: LedgerOptions,
  previous: Previous<AppliedBlock> | null,
  handOn: (block: AppliedBlock) => void,
): Promise<{ results: SubmitResult[]; path: BlockPath }> {
  const items = prepareItems(transactions);
  // The signature checks run while the block applied ahead loads its rows.
  const ready = blockContext(db, items, options);
  try {
    if (previous !== null) {
      const ahead = await applyAhead(db, previous.tail, items, ready).catch(judgeUnderLock);
      if (ahead !== null && (await previous.committed)) {
        const written = await db.transaction((tx) => commitAhead(tx, ahead, previous.tail.head, handOn));
        if (written !== null) return { results: written.results, path: "ahead" };
      }
      // The answers of the block before come first: its retries, if it failed, run before this one is judged again.
      await previous.settled;
      const context = await ready;
      const again = await db.transaction((tx) => commitUnderLock(db, tx, context, handOn));
      return { results: again.results, path: ahead === null ? "locked" : "again" };
    }
    const context = await ready;
    return { results: (await db.transaction((tx) => commitUnderLock(db, tx, context, handOn))).results, path: "locked" };
  } catch (error) {
    throw translateDatabaseError(error);
  }
}

/** A block applied in memory: its answers, what it writes, and the head as it leaves it. */
export interface AppliedBlock {
  results: SubmitResult[];
  entries: EntryRow[];
  changes: StateChange[];
  /** The head after the block (its own frontier, not shared with the block before). */
  head: Head;
  /** The checkpoint that closes it, with the state map's changed nodes; null when it accepted nothing. */
  seal: BlockSeal | null;
}

/** The classic block: under the head lock, load what it needs, apply, seal, hand it on (its state is known), write. */
async function commitUnderLock(db: Db, tx: Tx, context: BlockContext, handOn: (block: AppliedBlock) => void = () => {}): Promise<AppliedBlock> {
  const head = await lockHead(tx);
  const block = await openBlock(tx, context.items, null);
  const applied = applyBlock(block, head, context);
  if (applied.head.size > head.lastCheckpointSize) {
    const noteKey = await checkpointNoteKey(tx, db, applied.changes, context.platformKey);
    const mirror = await takeStateMirror(db, tx, head.lastCheckpointHash);
    applied.seal = sealBlock(applied.head, mirror, applied.changes, context.platformKey, noteKey, context.clock);
    keepStateMirror(db, { ...mirror, checkpointHash: applied.head.lastCheckpointHash });
  }
  handOn(applied);
  await writeBlock(tx, applied);
  return applied;
}

/**
 * Applies a block on the state the block in flight before it (`before`) leaves, before taking
 * the head lock: the rows are read outside any transaction with that block's changes laid
 * over them (prefetchState's overlay), the log continues from its head, and the state map
 * from the mirror it left. Null when the mirror is not that block's (it is rebuilt only under
 * the lock).
 */
async function applyAhead(db: Db, before: AppliedBlock, items: readonly Prepared[], ready: Promise<BlockContext>): Promise<AppliedBlock | null> {
  const head = { ...before.head, frontier: before.head.frontier.clone() };
  const [block, context] = await Promise.all([openBlock(db, items, before), ready]);
  const applied = applyBlock(block, head, context);
  if (applied.head.size === head.lastCheckpointSize) return applied;
  const noteKey = await checkpointNoteKey(db, db, [...before.changes, ...applied.changes], context.platformKey);
  const mirror = takeKeptStateMirror(db, before.head.lastCheckpointHash);
  if (mirror === null) return null;
  applied.seal = sealBlock(applied.head, mirror, applied.changes, context.platformKey, noteKey, context.clock);
  // Kept under this block's checkpoint: if the block is judged again, the head never names it and the next block rebuilds.
  keepStateMirror(db, { ...mirror, checkpointHash: applied.head.lastCheckpointHash });
  return applied;
}

/**
 * What applying ahead does with a failure: rows read while another writer's block landed can
 * disagree with each other (that block is not in the overlay), and the contracts may then
 * throw on them. The block is judged under the lock instead, where a real fault throws again.
 */
function judgeUnderLock(): null {
  return null;
}

/** Writes a block applied ahead if the head is still where the block before left it; null (nothing written) if not. */
async function commitAhead(tx: Tx, ahead: AppliedBlock, expected: Head, handOn: (block: AppliedBlock) => void): Promise<AppliedBlock | null> {
  const head = await lockHead(tx);
  if (head.size !== expected.size || head.lastCheckpointHash !== expected.lastCheckpointHash) return null;
  handOn(ahead);
  await writeBlock(tx, ahead);
  return ahead;
}

function applyBlock(block: Block, head: Head, context: BlockContext): AppliedBlock {
  const results = context.items.map((item) => appendOne(block, head, item, context.clock, context.verified));
  return { results, entries: block.entries, changes: block.changes, head, seal: null };
}

/** The block's statements: its log entries, its state, its events, then its checkpoint and the head. */
async function writeBlock(tx: Tx, block: AppliedBlock): Promise<void> {
  await writeRows(tx, ledgerEntries, block.entries);
  await writeChanges(tx, block.changes);
  await writeOutbox(tx, block.results, block.entries);
  if (block.seal !== null) await writeSeal(tx, block.head, block.seal);
}

/**
 * The key the C2SP note is signed with: the operator's checkpoint key in force after the
 * block (a rotation in it counts, as witnesses check), else the operator key. `db` reads the
 * operator's keys as they are before `changes` (or after: they are laid over).
 */
async function checkpointNoteKey(db: DbOrTx, keyCache: Db, changes: readonly StateChange[], platformKey: PlatformKey): Promise<PlatformKey> {
  const operatorKeys = changes.flatMap((change) => (change.kind === "key" && change.value.orgId === OPERATOR_ORG_ID ? [change.value] : []));
  let active: boolean;
  if (operatorKeys.length === 0) active = await hasActiveOperatorKey(db, OPERATOR_ORG_ID, "checkpoint");
  else {
    const rows = await db
      .select({ keyId: signingKeys.keyId })
      .from(signingKeys)
      .where(and(eq(signingKeys.orgId, OPERATOR_ORG_ID), eq(signingKeys.role, "checkpoint"), eq(signingKeys.status, "active")));
    const keyIds = new Set(rows.map((row) => row.keyId));
    for (const key of operatorKeys) {
      if (key.status === "active" && key.role === "checkpoint") keyIds.add(key.keyId);
      else keyIds.delete(key.keyId);
    }
    active = keyIds.size > 0;
  }
  return active ? loadOperatorRoleKey(keyCache, "checkpoint") : platformKey;
}

/**
 * Checks the signatures outside the lock, where they cost no one else time. The contract
 * checks them again inside through this cache, so nothing unverified is ever applied.
 */
async function preverifySignatures(db: Db, items: readonly Prepared[], options: LedgerOptions): Promise<SignatureVerifier> {
  const { verifier, batchVerifier = null } = options;
  const fallback = verifier ?? nodeVerifier;
  const cacheKey = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) =>
    `${bytesToHex(publicKey)}:${bytesToHex(message)}:${bytesToHex(signature)}`;
  const keyIds = items.flatMap((item) => [item.signed.transaction.signer.keyId, ...item.signed.cosignatures.map((c) => c.keyId)]);
  const rows = keyIds.length ? await db.select({ keyId: signingKeys.keyId, publicKeyHex: signingKeys.publicKeyHex }).from(signingKeys).where(inList(signingKeys.keyId, [...new Set(keyIds)])) : [];
  const publicKeys = new Map(rows.map((r) => [r.keyId, r.publicKeyHex]));
  const checks: SignatureToCheck[] = [];
  for (const item of items) {
    const introduced = introducedKey(item.signed.transaction);
    if (introduced !== undefined) publicKeys.set(introduced.keyId, introduced.publicKeyHex);
    const message = hexToBytes(item.txId, 32); // the id is the hex of the digest that is signed
    const signatures = [{ keyId: item.signed.transaction.signer.keyId, signatureHex: item.signed.signatureHex }, ...item.signed.cosignatures];
    for (const { keyId, signatureHex } of signatures) {
      const publicKeyHex = publicKeys.get(keyId);
      if (!publicKeyHex || !/^[0-9a-f]{64}$/.test(publicKeyHex)) continue;
      checks.push({ publicKey: hexToBytes(publicKeyHex, 32), message, signature: hexToBytes(signatureHex, 64) });
    }
  }
  const answers = await checkSignatures(checks, verifier === undefined ? batchVerifier : null, fallback);
  const ok = new Set(checks.filter((_, index) => answers[index]).map((check) => cacheKey(check.publicKey, check.message, check.signature)));
  return (publicKey, message, signature) => ok.has(cacheKey(publicKey, message, signature)) || fallback(publicKey, message, signature);
}

async function checkSignatures(checks: readonly SignatureToCheck[], batch: BatchSignatureVerifier | null, verifier: SignatureVerifier): Promise<boolean[]> {
  const here = () => checks.map((check) => verifier(check.publicKey, check.message, check.signature));
  if (batch === null || checks.length === 0) return here();
  try {
    const run = batch();
    for (const check of checks) run.add(check);
    return await run.answers();
  } catch (error) {
    // A pool that fails (a worker died) costs time, never a submission: check them here.
    console.error("[ledger] signature pool failed; checking on this thread:", error instanceof Error ? error.message : error);
    return here();
  }
}

export interface Head {
  size: number;
  frontier: MerkleFrontier;
  lastAcceptedAtMs: number;
  lastCheckpointHash: string | null;
  lastCheckpointSize: number;
}

export async function lockHead(tx: Tx): Promise<Head> {
  const [row] = await tx.select().from(ledgerHead).where(eq(ledgerHead.id, 1)).for("update");
  if (!row) throw new Error("ledger_head row missing: run the migrations");
  return {
    size: row.size,
    frontier: MerkleFrontier.deserialize(row.frontier as SerializedFrontier),
    lastAcceptedAtMs: row.lastAcceptedAtMs,
    lastCheckpointHash: row.lastCheckpointHash,
    lastCheckpointSize: row.lastCheckpointSize,
  };
}

/** What one block holds while it is built: the state its transactions see and what they wrote. */
interface Block {
  state: MemoryState;
  /** Entries already in the log, by txId, among those submitted (resubmissions). */
  existing: Map<string, EntryRow>;
  /** Accepted in this block, by txId: a second copy in the same block is a resubmission. */
  accepted: Map<string, EntryRow>;
  entries: EntryRow[];
  changes: StateChange[];
}

/**
 * Loads, in one set of queries, what the block's new transactions need; with `before` (a block
 * in flight, not yet committed), as that block leaves it: its entries count as in the log and
 * its changes are laid over the rows.
 */
async function openBlock(db: DbOrTx, items: readonly Prepared[], before: AppliedBlock | null): Promise<Block> {
  const txIds = new Set(items.map((item) => item.txId));
  const rows = txIds.size ? await db.select().from(ledgerEntries).where(inList(ledgerEntries.txId, [...txIds])) : [];
  const existing = new Map(rows.map((row) => [row.txId, row]));
  for (const entry of before?.entries ?? []) if (txIds.has(entry.txId)) existing.set(entry.txId, entry);
  const fresh = items.filter((item) => !existing.has(item.txId));
  const state = await prefetchState(db, mergePrefetchKeys(fresh.map((item) => prefetchKeys(item.signed))), before?.changes ?? []);
  return { state, existing, accepted: new Map(), entries: [], changes: [] };
}

function appendOne(block: Block, head: Head, item: Prepared, clock: () => number, verifier: SignatureVerifier): SubmitResult {
  const earlier = block.existing.get(item.txId) ?? block.accepted.get(item.txId);
  if (earlier) return replayResult(earlier, item);
  const acceptedAtMs = Math.max(clock(), head.lastAcceptedAtMs);
  const outcome = applyTransaction(block.state, item.signed, { nowMs: acceptedAtMs, txId: item.txId, verifier, networkId: ledgerNetworkId() });
  if (!outcome.ok) return refusal(item.txId, outcome.code, outcome.detail);
  block.state.applyChanges(outcome.changes);
  const { row, hash } = logEntryRow(head.size, acceptedAtMs, item.signed, item.txId, outcome.changes);
  block.entries.push(row);
  block.accepted.set(item.txId, row);
  block.changes.push(...outcome.changes);
  head.frontier.append(hash);
  head.size += 1;
  head.lastAcceptedAtMs = acceptedAtMs;
  return { status: "accepted", txId: item.txId, leafIndex: row.leafIndex, acceptedAtMs, events: outcome.events, duplicate: false };
}

export type EntryRow = typeof ledgerEntries.$inferSelect;

/** The log row of a transaction accepted as leaf `leafIndex`, and its leaf hash. */
export function logEntryRow(leafIndex: number, acceptedAtMs: number, signed: SignedLedgerTransaction, txId: string, changes: readonly StateChange[]): { row: EntryRow; hash: Uint8Array } {
  // A sealed transaction canonicalises exactly as its wire form (amounts become decimal strings).
  const entry: LogEntry = { leafIndex, acceptedAtMs, signed };
  const entryCanonical = logEntryJson(entry);
  const hash = logEntryLeafHash(entry); // the entry's canonical bytes, a split's parts as their commitments
  const { transaction } = signed;
  return {
    row: { leafIndex, txId, type: transaction.type, signerOrgId: transaction.signer.orgId, signerKeyId: transaction.signer.keyId, acceptedAtMs, entryCanonical, leafHash: bytesToHex(hash), claimIds: touchedClaimIds(changes) },
    hash,
  };
}

/** The same transaction again gets its original answer; the same id with other signatures is refused. */
function replayResult(existing: EntryRow, item: Prepared): SubmitResult {
  const stored = JSON.parse(existing.entryCanonical) as { signed: WireSignedTransaction };
  // A passkey's assertion is part of its signature: the same r||s with other authenticatorData is another signature.
  const signatures = (signed: { signatureHex: string; assertion?: unknown; cosignatures: unknown }) => canonicalJson({ s: signed.signatureHex, a: signed.assertion ?? null, c: signed.cosignatures });
  const sameSignatures = signatures(stored.signed) === signatures(item.signed);
  if (!sameSignatures) {
    return refusal(item.txId, "transaction_id_conflict", `transaction ${item.txId} is already in the log with other signatures`);
  }
  return { status: "accepted", txId: item.txId, leafIndex: existing.leafIndex, acceptedAtMs: existing.acceptedAtMs, events: [], duplicate: true };
}

/** What closeBlock needs to bring the state map up to the block: its changes, and whose mirror to use (the Db; see state-root.ts). */
export interface BlockStateChanges {
  mirrorKey: object;
  changes: readonly StateChange[];
  /**
   * The key the C2SP note is signed with: the operator's checkpoint key in force after the
   * block (contracts/ledger/roles.ts operatorKeysFor); the operator key when not given. The
   * checkpoint chain (verify-log's) stays signed by the operator key the export names.
   */
  noteKey?: PlatformKey;
}

/**
 * Ends the block: a checkpoint over the new size, signed by the operator key and linked to the
 * previous one, and the same checkpoint as a C2SP signed note committing to the state root
 * after the block (issue 13) that witnesses cosign. The state map's changed nodes are written
 * in the same database transaction.
 */
export async function closeBlock(tx: Tx, head: Head, platformKey: PlatformKey, clock: () => number, block: BlockStateChanges): Promise<void> {
  if (head.size === head.lastCheckpointSize) return;
  const mirror = await takeStateMirror(block.mirrorKey, tx, head.lastCheckpointHash);
  const seal = sealBlock(head, mirror, block.changes, platformKey, block.noteKey ?? platformKey, clock);
  await writeSeal(tx, head, seal);
  // Kept for the next block, which uses it only if the head still names this checkpoint (a rolled-back block's never will).
  keepStateMirror(block.mirrorKey, { ...mirror, checkpointHash: head.lastCheckpointHash });
}

/** What closes a block: its checkpoint row (the signed checkpoint and note), and the state map's nodes that changed. */
export interface BlockSeal {
  checkpoint: typeof ledgerCheckpoints.$inferInsert;
  nodes: ChangedStateNodes;
}

/**
 * Signs the checkpoint of a block whose entries are on `head` (in memory: the state map is
 * advanced on `mirror`, the mirror of the last checkpoint) and moves the head past it.
 */
function sealBlock(head: Head, mirror: StateMirror, changes: readonly StateChange[], platformKey: PlatformKey, noteKey: PlatformKey, clock: () => number): BlockSeal {
  const { root: stateRoot, nodes } = advanceStateMirrorInMemory(mirror, changes);
  const rootHash = head.frontier.root();
  const checkpoint: Checkpoint = {
    size: head.size,
    rootHash: bytesToHex(rootHash),
    timestampMs: Math.max(clock(), head.lastAcceptedAtMs),
    previousCheckpointHash: head.lastCheckpointHash,
  };
  const signed = signCheckpoint(checkpoint, platformKey.keyId, platformKey.privateKey);
  const hash = checkpointHash(checkpoint);
  const body = { origin: ledgerOrigin(), size: head.size, rootHash, extensions: [stateRootExtension(stateRoot)] };
  const note = signCheckpointNote(body, noteKey.privateKey);
  const noteTextHash = checkpointTextHash(formatCheckpointBody(body));
  head.lastCheckpointHash = hash;
  head.lastCheckpointSize = head.size;
  return { checkpoint: { ...checkpoint, checkpointHash: hash, keyId: signed.keyId, signatureHex: signed.signatureHex, stateRootHex: bytesToHex(stateRoot), note, noteTextHash }, nodes };
}

/** The seal's statements: the state map's nodes, the checkpoint, the head. */
async function writeSeal(tx: Tx, head: Head, seal: BlockSeal): Promise<void> {
  await writeStateNodes(tx, seal.nodes);
  await tx.insert(ledgerCheckpoints).values(seal.checkpoint);
  await tx
    .update(ledgerHead)
    .set({ size: head.size, frontier: head.frontier.serialize(), lastAcceptedAtMs: head.lastAcceptedAtMs, lastCheckpointHash: head.lastCheckpointHash, lastCheckpointSize: head.size })
    .where(eq(ledgerHead.id, 1));
}

/**
 * The note-text hash of the latest checkpoint (what a financing offer or disbursement names
 * when the platform itself decides: the seed); null before any note.
 */
export async function latestCheckpointTextHash(db: Db): Promise<string | null> {
  const [row] = await db.select({ hash: ledgerCheckpoints.noteTextHash }).from(ledgerCheckpoints).orderBy(sql`${ledgerCheckpoints.size} desc`).limit(1);
  return row?.hash ?? null;
}

export async function latestCheckpoint(db: DbOrTx): Promise<SignedCheckpoint | null> {
  const [row] = await db.select().from(ledgerCheckpoints).orderBy(sql`${ledgerCheckpoints.size} desc`).limit(1);
  if (!row) return null;
  return {
    checkpoint: { size: row.size, rootHash: row.rootHash, timestampMs: row.timestampMs, previousCheckpointHash: row.previousCheckpointHash },
    keyId: row.keyId,
    signatureHex: row.signatureHex,
  };
}

/** The conditions by which the database's own guards (constraints, triggers) refuse a write. */
const GUARD_CONDITIONS: ReadonlySet<DatabaseCondition> = new Set(["unique_violation", "foreign_key_violation", "check_violation", "not_null_violation", "exclusion_violation", "raise_exception"]);

/**
 * A database guard refusing a write means the service and the contracts disagree: a bug,
 * never a user error. It surfaces as its own code so nobody mistakes it for bad input, and
 * is logged (without the statement's parameters) for whoever fixes it. Other database
 * errors go on to the one mapping (server/errors.ts, server/trpc/init.ts).
 */
function translateDatabaseError(error: unknown): unknown {
  if (error instanceof DomainError || error instanceof InvariantViolation) return error;
  const failure = databaseFailureOf(error);
  if (failure === null || !GUARD_CONDITIONS.has(failure.condition)) return error;
  console.error(`[ledger] the database refused a block the contracts accepted (${failure.condition}): ${describeInternalError(error)}`);
  return conflict("invariant_violated", "The ledger refused a write that would break an invariant. Nothing was changed.");
}

/**
 * For code that submits what it built itself (the seed, scripts, tests), where a refusal is a
 * bug in that code, not an answer for a person: it throws a plain error naming the code.
 * Request handlers never use it; they return the refusal.
 */
export function requireAccepted(result: SubmitResult): Accepted {
  if (result.status !== "accepted") throw new Error(`The ledger refused the transaction: ${result.code}${result.detail ? ` (${result.detail})` : ""}`);
  return result;
}

/**
 * What the ledger would answer to `signed` now, without the head lock and without writing
 * anything: the contracts applied to the state as it is (the approvals queue asks this before
 * it holds a transaction, server/commands/approvals.ts). Only an answer for this moment: a
 * later submission is judged again, under the lock, against the state of its time.
 */
export async function dryRun(db: DbOrTx, signed: SealedTransaction, nowMs: number, verifier: SignatureVerifier = nodeVerifier): Promise<{ ok: true } | Refusal> {
  const txId = transactionId(signed.transaction);
  const [existing] = await db.select({ leafIndex: ledgerEntries.leafIndex }).from(ledgerEntries).where(eq(ledgerEntries.txId, txId));
  if (existing) return refusal(txId, "transaction_id_conflict", `transaction ${txId} is already in the log`);
  const state = await prefetchState(db, prefetchKeys(signed));
  const outcome = applyTransaction(state, signed, { nowMs, txId, verifier, networkId: ledgerNetworkId() });
  return outcome.ok ? { ok: true } : refusal(txId, outcome.code, outcome.detail);
}
