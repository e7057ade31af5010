import { and, arrayOverlaps, asc, desc, eq, gte, inArray, lt, notInArray, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { checkpointCosignatures, claims, creditLines, financingPolicies, financings, ledgerCheckpoints, ledgerEntries, ledgerOrganisations, pledges, signingKeys } from "@/db/schema";
import { claimStateKey, claimStateLeaf, orgStateKey, orgStateLeaf } from "@/contracts/state-leaves";
import type { SignedCheckpoint } from "@/contracts/checkpoint";
import { bytesToHex, hexToBytes } from "@/contracts/hex";
import type { LogEntry } from "@/contracts/log";
import { hashesToHex, SubtreeHashes } from "@/contracts/merkle";
import { typesWithLineage } from "@/contracts/ledger/kinds";
import { organisationsNamedBy, selectProvenanceEntries, toWireClaimStateLeaf, type BundleState, type ProvenanceBundle } from "@/contracts/provenance";
import { notFound } from "../errors";
import { toClaim, toKey, toOrganisation, toPledge } from "./repository";
import { latestCheckpoint } from "./service";
import { proveFromTable } from "./state-root";

/*
 * Builds the provenance bundle of one claim (contracts/provenance.ts says what it holds and
 * why). The database narrows the log down with its indexes to a superset of what the bundle
 * needs: the lineage through claim_ids (GIN), the credit line's entries by type, and every
 * key registration and rotation (one or two per organisation). The pure selector then picks
 * exactly the bundle from that superset, so the server and selectProvenanceEntries over the
 * whole log always agree. Who may see a claim's provenance is decided by the caller.
 */

// From the kinds' descriptors, the same rules the pure selector applies (contracts/ledger/kinds).
const LINEAGE_EXCLUDED_TYPES = typesWithLineage("whole-tree");
const CREDIT_LINE_CHANGE_TYPES = typesWithLineage("credit-line");
const KEY_INTRODUCTION_TYPES = typesWithLineage("key-introduction");

export async function buildProvenanceBundle(db: Db, claimId: string, subtrees: ProvenanceStore): Promise<ProvenanceBundle> {
  // The state section is read in one snapshot of the last checkpoint; a block committed
  // between the two reads makes them name different checkpoints, and the bundle is rebuilt.
  for (let attempt = 0; ; attempt++) {
    const bundle = await buildLogPart(db, claimId, subtrees);
    const state = await readBundleState(db, claimId, bundle.entries);
    if (state === null) return bundle; // a ledger written before state roots
    if (state.size === bundle.checkpoint.checkpoint.size) return { ...bundle, state: state.section };
    if (attempt >= 4) throw new Error("the ledger kept moving while a provenance bundle was built; try again");
  }
}

/**
 * The claim's current leaf and every signer's leaf with their map proofs, read in one
 * repeatable-read snapshot: the last checkpoint, its note with the cosignatures stored so far,
 * and state_map_nodes, which always hold the map of that checkpoint.
 */
async function readBundleState(db: Db, claimId: string, entries: readonly LogEntry[]): Promise<{ size: number; section: BundleState } | null> {
  return db.transaction(
    async (tx) => {
      const [last] = await tx.select().from(ledgerCheckpoints).orderBy(desc(ledgerCheckpoints.size)).limit(1);
      if (!last || last.note === null) return null;
      const lines = await tx.select({ line: checkpointCosignatures.line }).from(checkpointCosignatures).where(eq(checkpointCosignatures.size, last.size)).orderBy(asc(checkpointCosignatures.witnessName));
      const checkpointNote = last.note + lines.map((row) => row.line).join(""); // each line ends with its newline
      const [claimRow] = await tx.select().from(claims).where(eq(claims.id, claimId));
      if (!claimRow) throw notFound("claim_not_found", `There is no claim ${claimId}.`);
      const [pledgeRow] = await tx.select().from(pledges).where(and(eq(pledges.claimId, claimId), eq(pledges.status, "active")));
      const leaf = toWireClaimStateLeaf(claimStateLeaf(toClaim(claimRow), pledgeRow ? toPledge(pledgeRow) : undefined));
      const claimProof = await proveFromTable(tx, claimStateKey(claimId));
      const signerIds = [...new Set(entries.map((entry) => entry.signed.transaction.signer.orgId))].sort();
      const orgRows = await tx.select().from(ledgerOrganisations).where(inArray(ledgerOrganisations.id, signerIds));
      const keyRows = await tx.select().from(signingKeys).where(inArray(signingKeys.orgId, signerIds));
      const signers: BundleState["signers"] = [];
      for (const orgId of signerIds) {
        const org = orgRows.find((row) => row.id === orgId);
        if (!org) throw new Error(`organisation ${orgId} signed a log entry but is not in the table`);
        const orgLeaf = orgStateLeaf(toOrganisation(org), keyRows.filter((row) => row.orgId === orgId).map(toKey));
        signers.push({ leaf: orgLeaf, proof: await proveFromTable(tx, orgStateKey(orgId)) });
      }
      return { size: last.size, section: { checkpointNote, claim: { leaf, proof: claimProof }, signers } };
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}

async function buildLogPart(db: Db, claimId: string, subtrees: ProvenanceStore): Promise<ProvenanceBundle> {
  // The claims first, the checkpoint second: a checkpoint read later covers every block the
  // claims were read from, so every entry the bundle needs is below its size.
  const { chain, creditLineId } = await lineageOf(db, claimId);
  const checkpoint = await latestCheckpoint(db);
  if (checkpoint === null) throw new Error("claims exist but the ledger has no checkpoint");
  const size = checkpoint.checkpoint.size;
  const candidates = await candidateEntries(db, chain, creditLineId, size);
  const entries = selectProvenanceEntries(candidates, claimId);
  if (entries.length === 0) throw new Error(`claim ${claimId} is in the claims table but not in the log`);
  const inclusionProofs = await proofsFor(db, entries, checkpoint, subtrees);
  return { claimId, entries, inclusionProofs, checkpoint };
}

/** The claim and its ancestors through claims.parent_id, root first, and their credit line. */
async function lineageOf(db: Db, claimId: string): Promise<{ chain: string[]; creditLineId: string }> {
  const chain: string[] = [];
  let creditLineId = "";
  for (let id: string | null = claimId; id !== null; ) {
    const [row] = await db.select({ id: claims.id, parentId: claims.parentId, creditLineId: claims.creditLineId }).from(claims).where(eq(claims.id, id));
    if (!row) {
      if (id === claimId) throw notFound("claim_not_found", `There is no claim ${claimId}.`);
      throw new Error(`claim ${chain[0]} names a parent ${id} that does not exist`);
    }
    if (chain.includes(row.id)) throw new Error(`the parents of claim ${claimId} form a cycle`);
    chain.unshift(row.id);
    creditLineId = row.creditLineId;
    id = row.parentId;
  }
  return { chain, creditLineId };
}

/**
 * A superset of the bundle's entries, below the checkpoint's size: the lineage and credit
 * line entries, then the key introductions of only the organisations those entries name,
 * transitively (a registration names the operator that co-signed it), rather than every
 * registration in the ledger.
 */
async function candidateEntries(db: Db, chain: string[], creditLineId: string, size: number): Promise<LogEntry[]> {
  const [line] = await db.select({ createdTxId: creditLines.createdTxId }).from(creditLines).where(eq(creditLines.id, creditLineId));
  if (!line) throw new Error(`credit line ${creditLineId} of claim ${chain[0]} does not exist`);
  const policyTxIds = await policyCreationsOf(db, chain);
  const bodyCreditLineId = sql`(${ledgerEntries.entryCanonical}::jsonb #>> '{signed,transaction,body,creditLineId}')`;
  const entries = await entriesWhere(
    db,
    size,
    or(
      eq(ledgerEntries.leafIndex, 0),
      and(arrayOverlaps(ledgerEntries.claimIds, chain), notInArray(ledgerEntries.type, LINEAGE_EXCLUDED_TYPES)),
      inArray(ledgerEntries.txId, [line.createdTxId, ...policyTxIds]),
      and(inArray(ledgerEntries.type, CREDIT_LINE_CHANGE_TYPES), eq(bodyCreditLineId, creditLineId)),
    ),
  );
  const byLeaf = new Map(entries.map((entry) => [entry.leafIndex, entry]));
  const asked = new Set<string>();
  for (let fresh = entries; ; ) {
    const orgIds = organisationsNamedBy(fresh).filter((orgId) => !asked.has(orgId));
    if (orgIds.length === 0) break;
    for (const orgId of orgIds) asked.add(orgId);
    // A key.register and a key.rotate are signed for the organisation whose key they introduce.
    const introductions = await entriesWhere(db, size, and(inArray(ledgerEntries.type, KEY_INTRODUCTION_TYPES), inArray(ledgerEntries.signerOrgId, orgIds)));
    fresh = introductions.filter((entry) => !byLeaf.has(entry.leafIndex));
    for (const entry of fresh) byLeaf.set(entry.leafIndex, entry);
  }
  return [...byLeaf.values()];
}

async function entriesWhere(db: Db, size: number, condition: SQL | undefined): Promise<LogEntry[]> {
  const rows = await db
    .select({ entryCanonical: ledgerEntries.entryCanonical })
    .from(ledgerEntries)
    .where(and(lt(ledgerEntries.leafIndex, size), condition))
    .orderBy(asc(ledgerEntries.leafIndex));
  return rows.map((row) => JSON.parse(row.entryCanonical) as LogEntry);
}

/** The transactions that created the policies the lineage's financings were priced by. */
async function policyCreationsOf(db: Db, chain: string[]): Promise<string[]> {
  const rows = await db
    .selectDistinct({ createdTxId: financingPolicies.createdTxId })
    .from(financings)
    .innerJoin(financingPolicies, eq(financingPolicies.id, financings.policyId))
    .where(inArray(financings.claimId, chain));
  return rows.map((row) => row.createdTxId);
}

/**
 * Inclusion proofs against the checkpoint, from this process's store of complete subtree
 * hashes of the log (contracts/merkle.ts SubtreeHashes): O(log n) per proof. The log is
 * append-only, so the store is filled once and then only extended by the leaves that were
 * committed since. It must give the checkpoint's root; if it does not (the database was
 * replaced under a running process, say), it is rebuilt from the stored leaf hashes.
 */
async function proofsFor(db: Db, entries: readonly LogEntry[], checkpoint: SignedCheckpoint, subtrees: ProvenanceStore): Promise<ProvenanceBundle["inclusionProofs"]> {
  const { size, rootHash } = checkpoint.checkpoint;
  let store = await logSubtrees(db, subtrees, size);
  if (bytesToHex(store.root(0, size)) !== rootHash) {
    subtrees.byDb.delete(db);
    store = await logSubtrees(db, subtrees, size);
  }
  return entries.map((entry) => ({ leafIndex: entry.leafIndex, proofHex: hashesToHex(store.inclusionProof(entry.leafIndex, size)) }));
}

interface LogSubtrees {
  store: SubtreeHashes;
  /** Extensions run one after the other, so concurrent requests never append twice. */
  extending: Promise<void>;
}

/**
 * A process's store of the log's complete subtree hashes, per database. One lives in the
 * process's runtime (server/runtime.ts), which instrumentation.ts fills at start-up and the
 * requests read; tests make their own.
 */
export class ProvenanceStore {
  readonly byDb = new WeakMap<Db, LogSubtrees>();
}

const LEAF_HASHES_PER_QUERY = 100_000;

/**
 * Fills this process's subtree store up to the latest checkpoint, so that the first
 * provenance request after a start does not pay for it (reading and hashing every leaf
 * hash: seconds on a ledger of a million entries). The app starts it in the background
 * (instrumentation.ts); a request that comes earlier waits for the same fill, never a second one.
 */
export async function warmProvenanceStore(db: Db, subtrees: ProvenanceStore): Promise<number> {
  const checkpoint = await latestCheckpoint(db);
  const size = checkpoint?.checkpoint.size ?? 0;
  if (size > 0) await logSubtrees(db, subtrees, size);
  return size;
}

/** The database's subtree store, holding at least `size` leaves. */
async function logSubtrees(db: Db, subtrees: ProvenanceStore, size: number): Promise<SubtreeHashes> {
  const subtreeStores = subtrees.byDb;
  let cached = subtreeStores.get(db);
  if (cached === undefined) subtreeStores.set(db, (cached = { store: new SubtreeHashes(), extending: Promise.resolve() }));
  const entry = cached;
  const { store } = entry;
  entry.extending = entry.extending.then(() => extendSubtrees(db, store, size));
  try {
    await entry.extending;
  } catch (error) {
    // A failed fill (the database went away, say) must not fail every later request: the next one starts afresh.
    if (subtreeStores.get(db) === entry) subtreeStores.delete(db);
    throw error;
  }
  return store;
}

async function extendSubtrees(db: Db, store: SubtreeHashes, size: number): Promise<void> {
  while (store.size < size) {
    const rows = await db
      .select({ leafHash: ledgerEntries.leafHash })
      .from(ledgerEntries)
      .where(and(gte(ledgerEntries.leafIndex, store.size), lt(ledgerEntries.leafIndex, Math.min(size, store.size + LEAF_HASHES_PER_QUERY))))
      .orderBy(asc(ledgerEntries.leafIndex));
    if (rows.length === 0) throw new Error(`the log has no leaf ${store.size} below its checkpoint size ${size}`);
    for (const row of rows) store.append(hexToBytes(row.leafHash, 32));
  }
}

/** The log's subtree hashes up to `size` (at most the log's size): inclusion and consistency proofs without the database. */
export function logSubtreesAt(db: Db, subtrees: ProvenanceStore, size: number): Promise<SubtreeHashes> {
  return logSubtrees(db, subtrees, size);
}

/** The RFC 9162 consistency proof between two sizes of the log (newSize at most the log's size), from the subtree store. */
export async function consistencyProofBetween(db: Db, subtrees: ProvenanceStore, oldSize: number, newSize: number): Promise<Uint8Array[]> {
  const store = await logSubtrees(db, subtrees, newSize);
  return store.consistencyProof(oldSize, newSize);
}
