import { and, arrayOverlaps, asc, eq, inArray, lt, notInArray, or, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { claims, creditLines, financingPolicies, financings, ledgerEntries } from "@/db/schema";
import { hexToBytes } from "@/contracts/hex";
import type { LogEntry } from "@/contracts/log";
import { hashesToHex, inclusionProof } from "@/contracts/merkle";
import { selectProvenanceEntries, type ProvenanceBundle } from "@/contracts/provenance";
import { notFound } from "../errors";
import { latestCheckpoint } from "./service";

/*
 * Builds the provenance bundle of one claim (contracts/provenance.ts says what it holds and
 * why). The database narrows the log down with its indexes to a superset of what the bundle
 * needs: the lineage through claim_ids (GIN), the credit line's entries by type, and every
 * key registration and rotation (one or two per organisation). The pure selector then picks
 * exactly the bundle from that superset, so the server and selectProvenanceEntries over the
 * whole log always agree. Who may see a claim's provenance is decided by the caller.
 */

const LINEAGE_EXCLUDED_TYPES = ["repayment.record", "claim.markOverdue"];
const CREDIT_LINE_CHANGE_TYPES = ["creditLine.adjust", "creditLine.freeze", "creditLine.expire"];
const KEY_INTRODUCTION_TYPES = ["key.register", "key.rotate"];

export async function buildProvenanceBundle(db: Db, claimId: string): Promise<ProvenanceBundle> {
  // The claims first, the checkpoint second: a checkpoint read later covers every block the
  // claims were read from, so every entry the bundle needs is below its size.
  const { chain, creditLineId } = await lineageOf(db, claimId);
  const checkpoint = await latestCheckpoint(db);
  if (checkpoint === null) throw new Error("claims exist but the ledger has no checkpoint");
  const size = checkpoint.checkpoint.size;
  const candidates = await candidateEntries(db, chain, creditLineId, size);
  const entries = selectProvenanceEntries(candidates, claimId);
  if (entries.length === 0) throw new Error(`claim ${claimId} is in the claims table but not in the log`);
  const inclusionProofs = await proofsFor(db, entries, size);
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

/** A superset of the bundle's entries, below the checkpoint's size. */
async function candidateEntries(db: Db, chain: string[], creditLineId: string, size: number): Promise<LogEntry[]> {
  const [line] = await db.select({ createdTxId: creditLines.createdTxId }).from(creditLines).where(eq(creditLines.id, creditLineId));
  if (!line) throw new Error(`credit line ${creditLineId} of claim ${chain[0]} does not exist`);
  const policyTxIds = await policyCreationsOf(db, chain);
  const bodyCreditLineId = sql`(${ledgerEntries.entryCanonical}::jsonb #>> '{signed,transaction,body,creditLineId}')`;
  const rows = await db
    .select({ entryCanonical: ledgerEntries.entryCanonical })
    .from(ledgerEntries)
    .where(
      and(
        lt(ledgerEntries.leafIndex, size),
        or(
          eq(ledgerEntries.leafIndex, 0),
          and(arrayOverlaps(ledgerEntries.claimIds, chain), notInArray(ledgerEntries.type, LINEAGE_EXCLUDED_TYPES)),
          inArray(ledgerEntries.txId, [line.createdTxId, ...policyTxIds]),
          and(inArray(ledgerEntries.type, CREDIT_LINE_CHANGE_TYPES), eq(bodyCreditLineId, creditLineId)),
          inArray(ledgerEntries.type, KEY_INTRODUCTION_TYPES),
        ),
      ),
    )
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
 * Inclusion proofs against the checkpoint, from the stored leaf hashes. This loads all
 * `size` leaf hashes and rehashes the tree for every proof: O(size) per entry, fine at demo
 * scale. A large log would keep subtree hashes (contracts/merkle.ts inclusionPathRanges says
 * which ones a proof needs) instead of rebuilding them.
 */
async function proofsFor(db: Db, entries: readonly LogEntry[], size: number): Promise<ProvenanceBundle["inclusionProofs"]> {
  const rows = await db
    .select({ leafHash: ledgerEntries.leafHash })
    .from(ledgerEntries)
    .where(lt(ledgerEntries.leafIndex, size))
    .orderBy(asc(ledgerEntries.leafIndex));
  const leafHashes = rows.map((row) => hexToBytes(row.leafHash, 32));
  return entries.map((entry) => ({ leafIndex: entry.leafIndex, proofHex: hashesToHex(inclusionProof(leafHashes, entry.leafIndex)) }));
}
