import { and, arrayOverlaps, asc, desc, eq, inArray, lt, notInArray, or, sql, type SQL } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import { checkpointCosignatures, claims, creditLines, financingPolicies, financings, ledgerCheckpoints, ledgerEntries, ledgerOrganisations, pledges, signingKeys } from "@/db/schema";
import { claimStateKey, claimStateLeaf, orgStateKey, orgStateLeaf, type OrgStateLeaf } from "@/contracts/state-leaves";
import type { StateMapProof } from "@/contracts/state-map";
import type { SignedCheckpoint } from "@/contracts/checkpoint";
import type { LogEntry } from "@/contracts/log";
import { hashesToHex } from "@/contracts/merkle";
import { typesWithLineage } from "@/contracts/ledger/kinds";
import { organisationsNamedBy, selectProvenanceEntries, toWireClaimStateLeaf, type BundleState, type ProvenanceBundle, type SelectionOptions } from "@/contracts/provenance";
import { notFound } from "../errors";
import { toClaim, toKey, toOrganisation, toPledge } from "./repository";
import { latestCheckpoint } from "./service";
import { proveFromTable, proveManyFromTable } from "./state-root";
import { LogTreeCache, storedConsistencyProof, storedInclusionProofs, type LogTreeReader } from "./log-tree";

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

/** `viewerOrgId`: who the bundle is for; a credit line's, a policy's or a financing's terms show in the clear to its parties only (selectProvenanceEntries). */
export async function buildProvenanceBundle(db: Db, claimId: string, subtrees: ProvenanceStore, options: SelectionOptions = {}): Promise<ProvenanceBundle> {
  // The whole bundle is read in one repeatable-read snapshot, so its log part and its state
  // section name the same checkpoint however many blocks commit meanwhile. (Reading them apart
  // and rebuilding when they differed never caught up under a steady write load: the bench's
  // mixed workload got 500s.)
  return db.transaction(
    async (tx) => {
      const bundle = await buildLogPart(tx, claimId, { db: tx, cache: subtrees.cache, cacheKey: db }, options);
      const state = await readBundleState(tx, claimId, bundle.entries);
      if (state === null) return bundle; // a ledger written before state roots
      if (state.size !== bundle.checkpoint.checkpoint.size) throw new Error(`one snapshot gave checkpoints of sizes ${state.size} and ${bundle.checkpoint.checkpoint.size}`);
      return { ...bundle, state: state.section };
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}

/**
 * The claim's current leaf and every signer's leaf with their map proofs, read in the bundle's
 * repeatable-read snapshot: the last checkpoint, its note with the cosignatures stored so far,
 * and state_map_nodes, which always hold the map of that checkpoint.
 */
async function readBundleState(tx: DbOrTx, claimId: string, entries: readonly LogEntry[]): Promise<{ size: number; section: BundleState } | null> {
  const last = await lastCheckpointNote(tx);
  if (last === null) return null;
  const checkpointNote = last.note;
  const [claimRow] = await tx.select().from(claims).where(eq(claims.id, claimId));
  if (!claimRow) throw notFound("claim_not_found", `There is no claim ${claimId}.`);
  const [pledgeRow] = await tx.select().from(pledges).where(and(eq(pledges.claimId, claimId), eq(pledges.status, "active")));
  const leaf = toWireClaimStateLeaf(claimStateLeaf(toClaim(claimRow), pledgeRow ? toPledge(pledgeRow) : undefined));
  const signerIds = [...new Set(entries.map((entry) => entry.signed.transaction.signer.orgId))].sort();
  // The claim's and every signer's paths in the map, read together.
  const [orgRows, keyRows, [claimProof, ...signerProofs]] = await Promise.all([
    tx.select().from(ledgerOrganisations).where(inArray(ledgerOrganisations.id, signerIds)),
    tx.select().from(signingKeys).where(inArray(signingKeys.orgId, signerIds)),
    proveManyFromTable(tx, [claimStateKey(claimId), ...signerIds.map(orgStateKey)]),
  ]);
  const signers: BundleState["signers"] = signerIds.map((orgId, i) => {
    const org = orgRows.find((row) => row.id === orgId);
    if (!org) throw new Error(`organisation ${orgId} signed a log entry but is not in the table`);
    const orgLeaf = orgStateLeaf(toOrganisation(org), keyRows.filter((row) => row.orgId === orgId).map(toKey));
    return { leaf: orgLeaf, proof: signerProofs[i]! };
  });
  return { size: last.size, section: { checkpointNote, claim: { leaf, proof: claimProof! }, signers } };
}

/**
 * An organisation's state leaf and its map proof under the last checkpoint, with that
 * checkpoint's note and the cosignatures stored so far (issue 14: the Keys page checks its own
 * organisation's key set with it). Read in one repeatable-read snapshot, in which the tables
 * hold exactly the state the last checkpoint committed to.
 */
export async function organisationStateProof(db: Db, orgId: string): Promise<{ checkpointNote: string; leaf: OrgStateLeaf; proof: StateMapProof } | "no_state_root" | "not_on_ledger"> {
  return db.transaction(
    async (tx) => {
      const checkpointNote = await lastCheckpointNote(tx);
      if (checkpointNote === null) return "no_state_root";
      const [org] = await tx.select().from(ledgerOrganisations).where(eq(ledgerOrganisations.id, orgId));
      if (!org) return "not_on_ledger";
      const keyRows = await tx.select().from(signingKeys).where(eq(signingKeys.orgId, orgId));
      const leaf = orgStateLeaf(toOrganisation(org), keyRows.map(toKey));
      return { checkpointNote: checkpointNote.note, leaf, proof: await proveFromTable(tx, orgStateKey(orgId)) };
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}

/** The last checkpoint's note with its stored cosignature lines; null before state roots. */
async function lastCheckpointNote(tx: DbOrTx): Promise<{ size: number; note: string } | null> {
  const [last] = await tx.select().from(ledgerCheckpoints).orderBy(desc(ledgerCheckpoints.size)).limit(1);
  if (!last || last.note === null) return null;
  const lines = await tx.select({ line: checkpointCosignatures.line }).from(checkpointCosignatures).where(eq(checkpointCosignatures.size, last.size)).orderBy(asc(checkpointCosignatures.witnessName));
  return { size: last.size, note: last.note + lines.map((row) => row.line).join("") }; // each line ends with its newline
}

async function buildLogPart(db: DbOrTx, claimId: string, subtrees: LogTreeReader, options: SelectionOptions): Promise<ProvenanceBundle> {
  // The claims first, the checkpoint second: a checkpoint read later covers every block the
  // claims were read from, so every entry the bundle needs is below its size.
  const { chain, creditLineId } = await lineageOf(db, claimId);
  const checkpoint = await latestCheckpoint(db);
  if (checkpoint === null) throw new Error("claims exist but the ledger has no checkpoint");
  const size = checkpoint.checkpoint.size;
  const candidates = await candidateEntries(db, chain, creditLineId, size);
  const entries = selectProvenanceEntries(candidates, claimId, options);
  if (entries.length === 0) throw new Error(`claim ${claimId} is in the claims table but not in the log`);
  const inclusionProofs = await proofsFor(subtrees, entries, checkpoint);
  return { claimId, entries, inclusionProofs, checkpoint };
}

/** The claim and its ancestors through claims.parent_id, root first, and their credit line: one recursive query. */
async function lineageOf(db: DbOrTx, claimId: string): Promise<{ chain: string[]; creditLineId: string }> {
  // Depth-bounded, so that a cycle in parent_id (never written by the contracts) ends the walk and is reported below.
  const result = await db.execute<{ id: string; parent_id: string | null; credit_line_id: string; depth: number }>(sql`
    with recursive lineage(id, parent_id, credit_line_id, depth) as (
      select ${claims.id}, ${claims.parentId}, ${claims.creditLineId}, 0 from ${claims} where ${claims.id} = ${claimId}
      union all
      select c.id, c.parent_id, c.credit_line_id, l.depth + 1 from ${claims} c join lineage l on c.id = l.parent_id where l.depth < ${MAX_LINEAGE}
    )
    select id, parent_id, credit_line_id, depth from lineage order by depth`);
  const rows = (Array.isArray(result) ? result : (result as { rows: { id: string; parent_id: string | null; credit_line_id: string; depth: number }[] }).rows) as { id: string; parent_id: string | null; credit_line_id: string }[];
  if (rows.length === 0) throw notFound("claim_not_found", `There is no claim ${claimId}.`);
  const chain = rows.map((row) => row.id);
  if (new Set(chain).size !== chain.length) throw new Error(`the parents of claim ${claimId} form a cycle`);
  const top = rows.at(-1)!;
  if (top.parent_id !== null) throw new Error(`claim ${chain[0]} names a parent ${top.parent_id} that does not exist`);
  return { chain: chain.reverse(), creditLineId: top.credit_line_id };
}

/** Deeper than any lineage the contracts allow; a walk that reaches it has met a cycle. */
const MAX_LINEAGE = 1_000;

/**
 * A superset of the bundle's entries, below the checkpoint's size: the lineage and credit
 * line entries, then the key introductions of only the organisations those entries name,
 * transitively (a registration names the operator that co-signed it), rather than every
 * registration in the ledger.
 */
async function candidateEntries(db: DbOrTx, chain: string[], creditLineId: string, size: number): Promise<LogEntry[]> {
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

async function entriesWhere(db: DbOrTx, size: number, condition: SQL | undefined): Promise<LogEntry[]> {
  const rows = await db
    .select({ entryCanonical: ledgerEntries.entryCanonical })
    .from(ledgerEntries)
    .where(and(lt(ledgerEntries.leafIndex, size), condition))
    .orderBy(asc(ledgerEntries.leafIndex));
  return rows.map((row) => JSON.parse(row.entryCanonical) as LogEntry);
}

/** The transactions that created the policies the lineage's financings were priced by. */
async function policyCreationsOf(db: DbOrTx, chain: string[]): Promise<string[]> {
  const rows = await db
    .selectDistinct({ createdTxId: financingPolicies.createdTxId })
    .from(financings)
    .innerJoin(financingPolicies, eq(financingPolicies.id, financings.policyId))
    .where(inArray(financings.claimId, chain));
  return rows.map((row) => row.createdTxId);
}

/**
 * Inclusion proofs against the checkpoint, from the log's subtree hashes that the database
 * keeps beside it (log_subtree_hashes; server/ledger/log-tree.ts): O(log n) rows per proof,
 * the same on every instance, nothing to fill at start-up. The stored hashes must give the
 * checkpoint's root; if they do not, the proofs would not verify, so the request fails.
 */
async function proofsFor(reader: LogTreeReader, entries: readonly LogEntry[], checkpoint: SignedCheckpoint): Promise<ProvenanceBundle["inclusionProofs"]> {
  const { size, rootHash } = checkpoint.checkpoint;
  const indexes = entries.map((entry) => entry.leafIndex);
  let answer = await storedInclusionProofs(reader, indexes, size);
  if (answer.rootHex !== rootHash) {
    // The database was replaced under this process (a test's, say): read without the cache once.
    reader.cache?.forget(reader.cacheKey ?? reader.db);
    answer = await storedInclusionProofs({ db: reader.db }, indexes, size);
    if (answer.rootHex !== rootHash) throw new Error(`the log's stored subtree hashes give root ${answer.rootHex} at size ${size}, not the checkpoint's ${rootHash}`);
  }
  return entries.map((entry, i) => ({ leafIndex: entry.leafIndex, proofHex: hashesToHex(answer.proofs[i] as Uint8Array[]) }));
}

/**
 * What a process keeps to answer log proofs: only a cache of upper subtree hashes it has read
 * (they never change). The hashes themselves live in the database, so a fresh instance answers
 * the same proofs as a warm one, at once. One lives in the process's runtime; tests make their own.
 */
export class ProvenanceStore {
  readonly cache = new LogTreeCache();

  reader(db: Db): LogTreeReader {
    return { db, cache: this.cache };
  }
}

/** The RFC 9162 consistency proof between two sizes of the log (newSize at most the log's size), from the stored subtree hashes. */
export async function consistencyProofBetween(db: Db, subtrees: ProvenanceStore, oldSize: number, newSize: number): Promise<Uint8Array[]> {
  return storedConsistencyProof(subtrees.reader(db), oldSize, newSize);
}
