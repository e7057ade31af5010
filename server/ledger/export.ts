import { asc } from "drizzle-orm";
import { PgTransaction } from "drizzle-orm/pg-core";
import type { Db, DbOrTx } from "@/db/client";
import {
  claims,
  creditLines,
  financingPolicies,
  financings,
  ledgerCheckpoints,
  ledgerEntries,
  ledgerHead,
  ledgerNonces,
  ledgerOrganisations,
  pledges,
  repayments,
  signingKeys,
  approvalPolicies,
} from "@/db/schema";
import { canonicalJson } from "@/contracts/canonical";
import { checkpointHash, type SignedCheckpoint } from "@/contracts/checkpoint";
import { LEDGER_EXPORT_FORMAT, type LedgerExport, type VerifyFailure } from "@/contracts/export";
import { bytesToHex } from "@/contracts/hex";
import { entryWithDecoded, logEntryJson, logEntryLeafHash, type LogEntry } from "@/contracts/log";
import { MerkleFrontier, type SerializedFrontier } from "@/contracts/merkle";
import { transactionId } from "@/contracts/transaction";
import { verifyLog, type LogFailure, type VerifyLogSummary } from "@/contracts/verify-log";
import { decodeSignedTransaction } from "@/contracts/ledger/schema";
import type { MemoryState } from "@/contracts/ledger/state";
import { runWithBatchVerifier, type BatchSignatureVerifier, type SignatureVerifier } from "@/contracts/signing";
import { loadPlatformKey } from "../platform/key";
import { toApprovalPolicy, toClaim, toCreditLine, toFinancing, toKey, toOrganisation, toPledge, toPolicy, toRepayment } from "./repository";
import { ledgerNetworkId } from "../network";

/*
 * Export of the ledger, and the operator's own audit of its database: replay the exported
 * log (contracts/verify-log.ts), check that every stored column derived from an entry still
 * matches the entry, and compare the replayed state with the materialised tables field by
 * field. Whatever a database administrator edits in place, the answer names the leaf,
 * checkpoint or row and field.
 */

/** A materialised row that differs from the replayed state (values shown as text). */
export interface RowFailure {
  where: "row";
  table: string;
  id: string;
  field: string;
  expected: string;
  actual: string;
}

/** Column checks add entry codes to those of verifyLog: leaf_hash_mismatch, tx_id_mismatch, ... */
export type DatabaseFailure = LogFailure | VerifyFailure | RowFailure;

export type VerifyDatabaseResult =
  | { ok: true; summary: VerifyLogSummary; seconds: number }
  | { ok: false; failure: DatabaseFailure };

type EntryRow = typeof ledgerEntries.$inferSelect;
type CheckpointRow = typeof ledgerCheckpoints.$inferSelect;

/** The whole log and its checkpoints, read from one snapshot. */
export async function exportLedger(db: DbOrTx): Promise<LedgerExport> {
  const operatorPublicKeyHex = await operatorKeyHex(db);
  return inSnapshot(db, async (tx) => {
    const { entries, checkpoints } = await readLog(tx);
    return toExport(operatorPublicKeyHex, entries, checkpoints);
  });
}

/**
 * Replays the database's log and compares the tables. With `parallel` (a verify pool), the
 * signatures are checked on other threads while the replay runs; the answer is the same.
 */
export async function verifyDatabase(db: DbOrTx, verifier: SignatureVerifier, parallel?: BatchSignatureVerifier): Promise<VerifyDatabaseResult> {
  const startedAt = performance.now();
  const operatorPublicKeyHex = await operatorKeyHex(db);
  const outcome = await inSnapshot(db, (tx) => findFirstFailure(tx, operatorPublicKeyHex, verifier, parallel));
  if ("where" in outcome) return { ok: false, failure: outcome };
  return { ok: true, summary: outcome.summary, seconds: (performance.now() - startedAt) / 1000 };
}

/**
 * Reads run in one read-only, repeatable-read transaction, so a block committed meanwhile
 * cannot show up as entries without their checkpoint. A caller's transaction is used as it
 * is. The operator key is loaded before, since loading it may create it (a fresh database).
 */
async function inSnapshot<T>(db: DbOrTx, read: (tx: DbOrTx) => Promise<T>): Promise<T> {
  if (db instanceof PgTransaction) return read(db);
  return (db as Db).transaction(read, { isolationLevel: "repeatable read", accessMode: "read only" });
}

async function readLog(db: DbOrTx): Promise<{ entries: EntryRow[]; checkpoints: CheckpointRow[] }> {
  const entries = await db.select().from(ledgerEntries).orderBy(asc(ledgerEntries.leafIndex));
  const checkpoints = await db.select().from(ledgerCheckpoints).orderBy(asc(ledgerCheckpoints.size));
  return { entries, checkpoints };
}

async function operatorKeyHex(db: DbOrTx): Promise<string> {
  return (await loadPlatformKey(db)).publicKeyHex;
}

function toExport(operatorPublicKeyHex: string, entries: EntryRow[], checkpoints: CheckpointRow[], options: { lazy?: boolean } = {}): LedgerExport {
  return {
    format: LEDGER_EXPORT_FORMAT,
    operatorPublicKeyHex,
    entries: options.lazy ? lazyEntries(entries) : entries.map(entryOf),
    checkpoints: checkpoints.map(toSignedCheckpoint),
    ...(checkpoints.some((row) => row.note !== null) ? { notes: checkpoints.map((row) => row.note) } : {}),
  };
}

/**
 * A row's entry. A row whose text is not JSON stays in place as an entry that cannot decode,
 * so the replay names it (entry_malformed at its leaf) instead of a gap in the leaf indexes.
 */
function entryOf(row: EntryRow): LogEntry {
  return parseEntry(row) ?? ({ leafIndex: row.leafIndex, acceptedAtMs: row.acceptedAtMs, signed: null } as unknown as LogEntry);
}

/**
 * The entries as an array that parses each row's text when it is read, and keeps nothing:
 * verifyDatabase reads each entry once in order, so a million parsed entries (gigabytes)
 * never exist at once; only the rows' texts do.
 */
function lazyEntries(rows: readonly EntryRow[]): LogEntry[] {
  return new Proxy(rows as unknown as LogEntry[], {
    get(target, property, receiver) {
      if (typeof property === "string" && /^(0|[1-9]\d*)$/.test(property)) {
        const row = rows[Number(property)];
        return row === undefined ? undefined : entryOf(row);
      }
      return Reflect.get(target, property, receiver);
    },
  });
}

/** The stored entry, or null when the text is not JSON (a row edited by hand). */
function parseEntry(row: EntryRow): LogEntry | null {
  try {
    return JSON.parse(row.entryCanonical) as LogEntry;
  } catch {
    return null;
  }
}

function toSignedCheckpoint(row: CheckpointRow): SignedCheckpoint {
  const { size, rootHash, timestampMs, previousCheckpointHash } = row;
  return { checkpoint: { size, rootHash, timestampMs, previousCheckpointHash }, keyId: row.keyId, signatureHex: row.signatureHex };
}

async function findFirstFailure(
  db: DbOrTx,
  operatorPublicKeyHex: string,
  verifier: SignatureVerifier,
  parallel: BatchSignatureVerifier | undefined,
): Promise<DatabaseFailure | { summary: VerifyLogSummary }> {
  const { entries, checkpoints } = await readLog(db);
  const exported = toExport(operatorPublicKeyHex, entries, checkpoints, { lazy: true });
  const columnFailure = firstColumnFailure(entries, checkpoints);
  // The database's log must be this deployment's: its genesis and every entry name our network.
  const options = { networkId: ledgerNetworkId() };
  const replayed = parallel ? await runWithBatchVerifier((v) => verifyLog(exported, v, options), parallel, verifier) : verifyLog(exported, verifier, options);
  if (!replayed.ok || columnFailure !== null) return earliest(replayed.ok ? null : replayed.failure, columnFailure, checkpoints);
  const rowFailure = (await compareTables(db, replayed.state)) ?? (await compareHead(db, exported, replayed.summary));
  return rowFailure ?? { summary: replayed.summary };
}

// ---------------------------------------------------------------------------------------
// Columns derived from an entry: they must still say what the entry says.

function firstColumnFailure(entries: readonly EntryRow[], checkpoints: readonly CheckpointRow[]): VerifyFailure | null {
  for (const row of entries) {
    const failure = entryColumnFailure(row);
    if (failure !== null) return failure;
  }
  for (const [index, row] of checkpoints.entries()) {
    const hash = checkpointHash(toSignedCheckpoint(row).checkpoint);
    if (hash !== row.checkpointHash) {
      return { where: "checkpoint", index, code: "checkpoint_hash_mismatch", detail: `checkpoint_hash column is ${row.checkpointHash}, the checkpoint hashes to ${hash}` };
    }
  }
  return null;
}

function entryColumnFailure(row: EntryRow): VerifyFailure | null {
  const fail = (code: string, detail: string): VerifyFailure => ({ where: "entry", index: row.leafIndex, code, detail });
  const entry = parseEntry(row);
  if (entry === null) return fail("entry_malformed", "entry_canonical is not JSON");
  const decoded = decodeSignedTransaction(entry.signed);
  // A malformed entry is verifyLog's to name (entry_malformed); its columns cannot be recomputed.
  if (!decoded.ok) return null;
  // One canonicalisation: the text is built around the decoded transaction's, which its id reuses.
  const canonical = logEntryJson(entryWithDecoded(entry, decoded.value));
  if (canonical !== row.entryCanonical) return fail("entry_not_canonical", "entry_canonical is not the RFC 8785 form of the entry it holds");
  if (entry.leafIndex !== row.leafIndex) return fail("leaf_index_mismatch", `leaf_index column is ${row.leafIndex}, the entry says ${entry.leafIndex}`);
  const leafHashHex = bytesToHex(logEntryLeafHash(entryWithDecoded(entry, decoded.value))); // the entry's canonical bytes, a split's parts as their commitments
  if (leafHashHex !== row.leafHash) return fail("leaf_hash_mismatch", `leaf_hash column is ${row.leafHash}, the entry hashes to ${leafHashHex}`);
  const txId = transactionId(decoded.value.transaction);
  if (txId !== row.txId) return fail("tx_id_mismatch", `tx_id column is ${row.txId}, the transaction hashes to ${txId}`);
  const { type, signer } = decoded.value.transaction;
  const columns = { type: row.type, signerOrgId: row.signerOrgId, signerKeyId: row.signerKeyId, acceptedAtMs: row.acceptedAtMs };
  const derived = { type, signerOrgId: signer.orgId, signerKeyId: signer.keyId, acceptedAtMs: entry.acceptedAtMs };
  const field = (Object.keys(columns) as (keyof typeof columns)[]).find((key) => columns[key] !== derived[key]);
  return field === undefined ? null : fail("entry_column_mismatch", `${field} column is ${String(columns[field])}, the entry says ${String(derived[field])}`);
}

/**
 * The failure that comes first in log order; on a tie the replay's, which says more (an
 * edited amount is a refused signature first, a stale tx_id column second). Entry i sits at
 * 2i and a checkpoint of size s right after leaf s - 1, at 2s - 1.
 */
function earliest(replay: LogFailure | null, column: VerifyFailure | null, checkpoints: readonly CheckpointRow[]): VerifyFailure {
  if (replay === null || column === null) return (replay ?? column) as VerifyFailure;
  const position = (failure: VerifyFailure) =>
    failure.where === "file" ? -1 : failure.where === "entry" ? 2 * failure.index : 2 * (checkpoints[failure.index]?.size ?? 0) - 1;
  return position(column) < position(replay) ? column : replay;
}

// ---------------------------------------------------------------------------------------
// Materialised tables: exactly what replaying the log produced.

interface TableComparison<T> {
  table: string;
  expected: ReadonlyMap<string, T>;
  actual: readonly T[];
  idOf(row: T): string;
}

async function compareTables(db: DbOrTx, state: MemoryState): Promise<RowFailure | null> {
  const nonceId = (n: { orgId: string; keyId: string; nonce: string }) => `${n.orgId}/${n.keyId}/${n.nonce}`;
  const byId = <T>(rows: readonly T[], idOf: (row: T) => string) => new Map(rows.map((row) => [idOf(row), row]));
  const comparisons: TableComparison<object>[] = [
    { table: "ledger_organisations", expected: state.orgs, actual: (await db.select().from(ledgerOrganisations)).map(toOrganisation), idOf: (r) => (r as { id: string }).id },
    { table: "signing_keys", expected: state.keys, actual: (await db.select().from(signingKeys)).map(toKey), idOf: (r) => (r as { keyId: string }).keyId },
    { table: "approval_policies", expected: state.approvalPolicies, actual: (await db.select().from(approvalPolicies)).map(toApprovalPolicy), idOf: (r) => (r as { orgId: string }).orgId },
    { table: "credit_lines", expected: state.creditLines, actual: (await db.select().from(creditLines)).map(toCreditLine), idOf: (r) => (r as { id: string }).id },
    { table: "claims", expected: state.claims, actual: (await db.select().from(claims)).map(toClaim), idOf: (r) => (r as { id: string }).id },
    { table: "pledges", expected: state.pledges, actual: (await db.select().from(pledges)).map(toPledge), idOf: (r) => (r as { id: string }).id },
    { table: "financing_policies", expected: state.policies, actual: (await db.select().from(financingPolicies)).map(toPolicy), idOf: (r) => (r as { id: string }).id },
    { table: "financings", expected: state.financings, actual: (await db.select().from(financings)).map(toFinancing), idOf: (r) => (r as { id: string }).id },
    { table: "repayments", expected: state.repayments, actual: (await db.select().from(repayments)).map(toRepayment), idOf: (r) => (r as { id: string }).id },
    { table: "ledger_nonces", expected: byId(state.listNonces(), nonceId), actual: await db.select().from(ledgerNonces), idOf: (r) => nonceId(r as { orgId: string; keyId: string; nonce: string }) },
  ];
  for (const comparison of comparisons) {
    const failure = compareTable(comparison);
    if (failure !== null) return failure;
  }
  return null;
}

function compareTable<T extends object>({ table, expected, actual, idOf }: TableComparison<T>): RowFailure | null {
  const actualById = new Map(actual.map((row) => [idOf(row), row]));
  const ids = [...new Set([...expected.keys(), ...actualById.keys()])].sort();
  for (const id of ids) {
    const want = expected.get(id);
    const got = actualById.get(id);
    if (want === undefined || got === undefined) {
      return { where: "row", table, id, field: "(row)", expected: want ? "present" : "absent", actual: got ? "present" : "absent" };
    }
    const failure = compareFields(table, id, want as Record<string, unknown>, got as Record<string, unknown>);
    if (failure !== null) return failure;
  }
  return null;
}

function compareFields(table: string, id: string, want: Record<string, unknown>, got: Record<string, unknown>): RowFailure | null {
  for (const field of new Set([...Object.keys(want), ...Object.keys(got)])) {
    // Canonical JSON compares bigints, nulls and nested JSON (documents, allocations) exactly.
    if (canonicalJson(want[field] ?? null) !== canonicalJson(got[field] ?? null)) {
      return { where: "row", table, id, field, expected: display(want[field]), actual: display(got[field]) };
    }
  }
  return null;
}

function display(value: unknown): string {
  return typeof value === "string" ? value : canonicalJson(value ?? null);
}

/** The head row drives the next append: its size, frontier and last checkpoint must match the log. */
async function compareHead(db: DbOrTx, exported: LedgerExport, summary: VerifyLogSummary): Promise<RowFailure | null> {
  const [head] = await db.select().from(ledgerHead);
  const fail = (field: string, expected: string, actual: string): RowFailure => ({ where: "row", table: "ledger_head", id: "1", field, expected, actual });
  if (!head) return fail("(row)", "present", "absent");
  const last = exported.checkpoints.at(-1);
  const lastHash = last ? checkpointHash(last.checkpoint) : null;
  if (head.size !== summary.transactions) return fail("size", String(summary.transactions), String(head.size));
  if (head.lastCheckpointHash !== lastHash) return fail("lastCheckpointHash", display(lastHash), display(head.lastCheckpointHash));
  if (head.lastCheckpointSize !== summary.lastCheckpointSize) return fail("lastCheckpointSize", String(summary.lastCheckpointSize), String(head.lastCheckpointSize));
  const frontierRoot = frontierRootHex(head.frontier);
  if (frontierRoot !== summary.rootHashHex) return fail("frontier", summary.rootHashHex, frontierRoot);
  return null;
}

function frontierRootHex(frontier: unknown): string {
  try {
    return bytesToHex(MerkleFrontier.deserialize(frontier as SerializedFrontier).root());
  } catch (error) {
    return `unreadable (${error instanceof Error ? error.message : String(error)})`;
  }
}
