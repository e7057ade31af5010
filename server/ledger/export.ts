import { and, asc, between, eq, getTableColumns, gt, or, sql } from "drizzle-orm";
import { PgTransaction, type PgColumn, type PgTable } from "drizzle-orm/pg-core";
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
  logSubtreeHashes,
  pledges,
  repayments,
  signingKeys,
  approvalPolicies,
} from "@/db/schema";
import { canonicalJson } from "@/contracts/canonical";
import { checkpointHash, type SignedCheckpoint } from "@/contracts/checkpoint";
import { LEDGER_EXPORT_FORMAT, type LedgerExport, type VerifyFailure } from "@/contracts/export";
import { bytesToHex } from "@/contracts/hex";
import { entryWithDecoded, logEntryJson, type LogEntry } from "@/contracts/log";
import { MerkleFrontier, nodeHash, type SerializedFrontier } from "@/contracts/merkle";
import { LogVerification, type LogFailure, type LogHeader, type ReplayedEntry, type VerifyLogResult, type VerifyLogSummary } from "@/contracts/verify-log";
import type { MemoryState } from "@/contracts/ledger/state";
import type { SignedLedgerTransaction } from "@/contracts/ledger/types";
import { runStepsWithBatchVerifier, type BatchSignatureVerifier, type SignatureVerifier, type SteppedRun } from "@/contracts/signing";
import { loadPlatformKey } from "../platform/key";
import { toApprovalPolicy, toClaim, toCreditLine, toFinancing, toKey, toOrganisation, toPledge, toPolicy, toRepayment } from "./repository";
import { ledgerNetworkId } from "../network";

/*
 * Export of the ledger, and the operator's own audit of its database: replay the exported
 * log (contracts/verify-log.ts), check that every stored column derived from an entry still
 * matches the entry and that log_subtree_hashes holds the tree the leaves give, and compare
 * the replayed state with the materialised tables field by field. The audit streams: the log
 * and each table are read in key ranges, so it holds the replayed state, never the log. Whatever a database administrator edits in place, the answer names the leaf,
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
 * Replays the database's log and compares the tables. The log is read in leaf ranges
 * (ENTRY_PAGE_ROWS a query) and nothing of a range is kept once it is replayed, so what
 * stays in memory is the replayed state, not the log. With `parallel` (a verify pool), the
 * signatures are checked on other threads while the replay runs; the answer is the same.
 */
export async function verifyDatabase(
  db: DbOrTx,
  verifier: SignatureVerifier,
  parallel?: BatchSignatureVerifier,
  options: { pageRows?: number } = {},
): Promise<VerifyDatabaseResult> {
  const startedAt = performance.now();
  const operatorPublicKeyHex = await operatorKeyHex(db);
  const pageRows = options.pageRows ?? ENTRY_PAGE_ROWS;
  const outcome = await inSnapshot(db, (tx) => findFirstFailure(tx, operatorPublicKeyHex, verifier, parallel, pageRows));
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

function toExport(operatorPublicKeyHex: string, entries: EntryRow[], checkpoints: CheckpointRow[]): LedgerExport {
  return { ...toHeader(operatorPublicKeyHex, checkpoints), entries: entries.map(entryOf) };
}

function toHeader(operatorPublicKeyHex: string, checkpoints: CheckpointRow[]): LogHeader {
  return {
    format: LEDGER_EXPORT_FORMAT,
    operatorPublicKeyHex,
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
  pageRows: number,
): Promise<DatabaseFailure | { summary: VerifyLogSummary }> {
  const checkpoints = await db.select().from(ledgerCheckpoints).orderBy(asc(ledgerCheckpoints.size));
  const header = toHeader(operatorPublicKeyHex, checkpoints);
  // The database's log must be this deployment's: its genesis and every entry name our network.
  const begin = (v: SignatureVerifier) => new DatabaseReplay(header, checkpoints, v, { networkId: ledgerNetworkId() });
  const parts = () => readLogPages(db, pageRows);
  const replay = parallel ? await runStepsWithBatchVerifier(begin, parts, parallel, verifier) : await runSteps(begin(verifier), parts);
  if (replay.failure !== null) return resolveLeafMissing(db, replay.failure, pageRows);
  const { state, summary } = replay;
  const rowFailure = (await compareTables(db, state, pageRows === ENTRY_PAGE_ROWS ? TABLE_PAGE_ROWS : pageRows)) ?? (await compareHead(db, header, summary)) ?? (await extraSubtreeHash(db, summary.transactions));
  return rowFailure ?? { summary };
}

async function runSteps<P, R>(run: SteppedRun<P, R>, parts: () => AsyncIterable<P>): Promise<R> {
  for await (const part of parts()) if (!run.step(part)) break;
  return run.finish();
}

/** A leaf range of the log: its rows, and the stored subtree hashes its leaves complete. */
interface LogPage {
  rows: EntryRow[];
  subtrees: Map<string, string>;
}

/** Rows per query: a few megabytes of entry text. */
const ENTRY_PAGE_ROWS = 2000;

/** The log's rows in leaf order, a page at a time, the next page read while this one is replayed. */
async function* readLogPages(db: DbOrTx, pageRows: number): AsyncGenerator<LogPage> {
  const readPage = async (after: number): Promise<LogPage> => {
    const rows = await db.select().from(ledgerEntries).where(gt(ledgerEntries.leafIndex, after)).orderBy(asc(ledgerEntries.leafIndex)).limit(pageRows);
    const first = rows[0]?.leafIndex ?? 0;
    return { rows, subtrees: await readSubtrees(db, first, first + rows.length) };
  };
  let next = readPage(-1);
  for (;;) {
    const page = await next;
    if (page.rows.length === 0) return;
    next = readPage((page.rows.at(-1) as EntryRow).leafIndex);
    yield page;
  }
}

/** The stored nodes that leaves [start, end) complete, keyed `level:index`. */
async function readSubtrees(db: DbOrTx, start: number, end: number): Promise<Map<string, string>> {
  const ranges = completedNodeRanges(start, end);
  if (ranges.length === 0) return new Map();
  const condition = or(...ranges.map(({ level, from, to }) => and(eq(logSubtreeHashes.level, level), between(logSubtreeHashes.nodeIndex, from, to))));
  const rows = await db.select().from(logSubtreeHashes).where(condition);
  return new Map(rows.map((row) => [`${row.level}:${row.nodeIndex}`, row.hash]));
}

/** Per level, the node indexes completed by appending leaves [start, end): node i of level L ends at leaf (i + 1) * 2^L - 1. */
function completedNodeRanges(start: number, end: number): { level: number; from: number; to: number }[] {
  const ranges: { level: number; from: number; to: number }[] = [];
  for (let level = 1, width = 2; width <= end; level++, width *= 2) {
    const from = Math.ceil((start + 1) / width) - 1;
    const to = Math.floor(end / width) - 1;
    if (from <= to) ranges.push({ level, from, to });
  }
  return ranges;
}

/**
 * The replay of the database's log, page by page: verifyLog's checks (LogVerification), the
 * columns derived from each entry, and the subtree hashes recomputed from the leaves against
 * log_subtree_hashes. It stops at the first failure of any kind; entries are not kept.
 */
class DatabaseReplay implements SteppedRun<LogPage, { failure: DatabaseFailure; state?: undefined; summary?: undefined } | { failure: null; state: MemoryState; summary: VerifyLogSummary }> {
  readonly #verification: LogVerification | LogFailure;
  readonly #checkpointColumnFailure: VerifyFailure | null;
  #columnFailure: VerifyFailure | null = null;
  #replayFailure: LogFailure | null = null;
  #rows: EntryRow[] = [];
  /** The row of the entry the replay accepts next (it accepts them in order). */
  #rowCursor = 0;
  #subtrees = new Map<string, string>();
  readonly #tree = new SubtreeRecomputation();

  constructor(header: LogHeader, private readonly checkpoints: readonly CheckpointRow[], verifier: SignatureVerifier, options: { networkId: string }) {
    this.#checkpointColumnFailure = checkpointColumnFailure(checkpoints);
    this.#verification = LogVerification.open(header, verifier, { networkId: options.networkId, onEntry: (replayed) => this.#check(replayed) });
  }

  step(page: LogPage): boolean {
    if (!(this.#verification instanceof LogVerification)) return false;
    this.#rows = page.rows;
    this.#rowCursor = 0;
    this.#subtrees = page.subtrees;
    this.#replayFailure = this.#verification.append(page.rows.map(entryOf));
    return this.#replayFailure === null && this.#columnFailure === null;
  }

  finish() {
    const verification = this.#verification;
    if (!(verification instanceof LogVerification)) return { failure: verification };
    const replayed = this.#replayFailure === null && this.#columnFailure === null ? verification.finish() : null;
    const replayFailure = replayed === null ? this.#replayFailure : replayed.ok ? null : replayed.failure;
    const column = this.#columnFailure ?? this.#checkpointColumnFailure;
    if (replayFailure !== null || column !== null) return { failure: earliest(replayFailure, column, this.checkpoints) };
    const ok = replayed as Extract<VerifyLogResult, { ok: true }>;
    return { failure: null, state: ok.state, summary: ok.summary };
  }

  /** The columns of the row the replay just accepted, and the subtree nodes its leaf completes. */
  #check({ entry, signed, txId, leafHash }: ReplayedEntry): void {
    const row = this.#rows[this.#rowCursor++] as EntryRow;
    if (this.#columnFailure !== null) return;
    this.#columnFailure = entryColumnFailure(row, entry, signed, txId, leafHash) ?? this.#tree.append(entry.leafIndex, leafHash, this.#subtrees);
  }
}
/**
 * Whether an entry out of place is a removed leaf or a moved one depends on the rest of the
 * log; the replay, reading a page at a time, says leaf_missing, and this reads on (a page at
 * a time again) for an entry that names the leaf, which makes it leaf_out_of_order.
 */
async function resolveLeafMissing(db: DbOrTx, failure: DatabaseFailure, pageRows: number): Promise<DatabaseFailure> {
  if (failure.where !== "entry" || failure.code !== "leaf_missing" || !/^position \d+ holds/.test(failure.detail)) return failure;
  for await (const page of readLogPages(db, pageRows)) {
    if (page.rows.some((row) => parseEntry(row)?.leafIndex === failure.index)) {
      return { ...failure, code: "leaf_out_of_order", detail: failure.detail.replace(/; leaf \d+ is not in the log$/, "") };
    }
  }
  return failure;
}

// ---------------------------------------------------------------------------------------
// Columns derived from an entry: they must still say what the entry says.

function checkpointColumnFailure(checkpoints: readonly CheckpointRow[]): VerifyFailure | null {
  for (const [index, row] of checkpoints.entries()) {
    const hash = checkpointHash(toSignedCheckpoint(row).checkpoint);
    if (hash !== row.checkpointHash) {
      return { where: "checkpoint", index, code: "checkpoint_hash_mismatch", detail: `checkpoint_hash column is ${row.checkpointHash}, the checkpoint hashes to ${hash}` };
    }
  }
  return null;
}

/** The row's columns against what the replay computed from its text (one decode, one canonicalisation). */
function entryColumnFailure(row: EntryRow, entry: LogEntry, signed: SignedLedgerTransaction, txId: string, leafHash: Uint8Array): VerifyFailure | null {
  const fail = (code: string, detail: string): VerifyFailure => ({ where: "entry", index: row.leafIndex, code, detail });
  const canonical = logEntryJson(entryWithDecoded(entry, signed));
  if (canonical !== row.entryCanonical) return fail("entry_not_canonical", "entry_canonical is not the RFC 8785 form of the entry it holds");
  if (entry.leafIndex !== row.leafIndex) return fail("leaf_index_mismatch", `leaf_index column is ${row.leafIndex}, the entry says ${entry.leafIndex}`);
  const leafHashHex = bytesToHex(leafHash); // the entry's canonical bytes, a split's parts as their commitments
  if (leafHashHex !== row.leafHash) return fail("leaf_hash_mismatch", `leaf_hash column is ${row.leafHash}, the entry hashes to ${leafHashHex}`);
  if (txId !== row.txId) return fail("tx_id_mismatch", `tx_id column is ${row.txId}, the transaction hashes to ${txId}`);
  const { type, signer } = signed.transaction;
  const columns = { type: row.type, signerOrgId: row.signerOrgId, signerKeyId: row.signerKeyId, acceptedAtMs: row.acceptedAtMs };
  const derived = { type, signerOrgId: signer.orgId, signerKeyId: signer.keyId, acceptedAtMs: entry.acceptedAtMs };
  const field = (Object.keys(columns) as (keyof typeof columns)[]).find((key) => columns[key] !== derived[key]);
  return field === undefined ? null : fail("entry_column_mismatch", `${field} column is ${String(columns[field])}, the entry says ${String(derived[field])}`);
}

/**
 * The log's complete subtree hashes, recomputed from the leaves as they are replayed and
 * compared with log_subtree_hashes (the rows proofs are served from): appending leaf i
 * completes one node per trailing 1 bit of i. Only the left sibling waiting at each level is
 * kept, O(log n).
 */
class SubtreeRecomputation {
  readonly #waiting: Uint8Array[] = [];

  /** Appends leaf `leafIndex`; a subtree_hash_mismatch naming it if a node it completes is stored otherwise or not at all. */
  append(leafIndex: number, leafHash: Uint8Array, stored: ReadonlyMap<string, string>): VerifyFailure | null {
    let hash = leafHash;
    let level = 0;
    let nodeIndex = leafIndex;
    let failure: VerifyFailure | null = null;
    while (nodeIndex % 2 === 1) {
      hash = nodeHash(this.#waiting[level] as Uint8Array, hash);
      level += 1;
      nodeIndex = (nodeIndex - 1) / 2;
      const hex = bytesToHex(hash);
      const kept = stored.get(`${level}:${nodeIndex}`);
      if (failure === null && kept !== hex) {
        const detail = `log_subtree_hashes (level ${level}, node ${nodeIndex}) is ${kept ?? "missing"}, the leaves give ${hex}`;
        failure = { where: "entry", index: leafIndex, code: "subtree_hash_mismatch", detail };
      }
    }
    this.#waiting[level] = hash;
    return failure;
  }
}

/** A stored subtree hash for leaves the log does not have (every node of the log's leaves was compared as they were replayed). */
async function extraSubtreeHash(db: DbOrTx, size: number): Promise<RowFailure | null> {
  const [extra] = await db
    .select({ level: logSubtreeHashes.level, nodeIndex: logSubtreeHashes.nodeIndex })
    .from(logSubtreeHashes)
    .where(sql`(${logSubtreeHashes.nodeIndex} + 1) * power(2, ${logSubtreeHashes.level}) > ${size}`)
    .orderBy(asc(logSubtreeHashes.level), asc(logSubtreeHashes.nodeIndex))
    .limit(1);
  if (extra === undefined) return null;
  return { where: "row", table: "log_subtree_hashes", id: `${extra.level}:${extra.nodeIndex}`, field: "(row)", expected: "absent", actual: "present" };
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

/**
 * One materialised table against the replayed state: its rows read in primary-key order, a
 * page at a time (keyset), each looked up in the state. The failure reported is the one of
 * the smallest id, as if both sides were sorted; a row the state has and the table lacks is
 * looked for only when the counts differ.
 */
interface TableComparison {
  table: string;
  source: PgTable;
  keyColumns: PgColumn[];
  expectedCount: number;
  expected(row: Record<string, unknown>): object | undefined;
  toActual(row: Record<string, unknown>): object;
  idOf(row: Record<string, unknown>): string;
  /** The state's ids, for the rows missing from the table. */
  expectedIds(): Iterable<string>;
}

const TABLE_PAGE_ROWS = 5000;

async function compareTables(db: DbOrTx, state: MemoryState, pageRows: number): Promise<RowFailure | null> {
  const byId = <T extends object>(table: string, source: PgTable, key: PgColumn, field: string, expected: ReadonlyMap<string, T>, toActual: (row: never) => object): TableComparison => ({
    table,
    source,
    keyColumns: [key],
    expectedCount: expected.size,
    expected: (row) => expected.get(row[field] as string),
    toActual: toActual as (row: Record<string, unknown>) => object,
    idOf: (row) => row[field] as string,
    expectedIds: () => expected.keys(),
  });
  const nonceId = (n: Record<string, unknown>) => `${String(n.orgId)}/${String(n.keyId)}/${String(n.nonce)}`;
  const comparisons: TableComparison[] = [
    byId("ledger_organisations", ledgerOrganisations, ledgerOrganisations.id, "id", state.orgs, toOrganisation),
    byId("signing_keys", signingKeys, signingKeys.keyId, "keyId", state.keys, toKey),
    byId("approval_policies", approvalPolicies, approvalPolicies.orgId, "orgId", state.approvalPolicies, toApprovalPolicy),
    byId("credit_lines", creditLines, creditLines.id, "id", state.creditLines, toCreditLine),
    byId("claims", claims, claims.id, "id", state.claims, toClaim),
    byId("pledges", pledges, pledges.id, "id", state.pledges, toPledge),
    byId("financing_policies", financingPolicies, financingPolicies.id, "id", state.policies, toPolicy),
    byId("financings", financings, financings.id, "id", state.financings, toFinancing),
    byId("repayments", repayments, repayments.id, "id", state.repayments, toRepayment),
    {
      table: "ledger_nonces",
      source: ledgerNonces,
      keyColumns: [ledgerNonces.orgId, ledgerNonces.keyId, ledgerNonces.nonce],
      expectedCount: state.nonceCount,
      expected: (row) => (state.hasNonce(row.orgId as string, row.keyId as string, row.nonce as string) ? row : undefined),
      toActual: (row) => row,
      idOf: nonceId,
      expectedIds: () => state.listNonces().map((use) => nonceId(use as unknown as Record<string, unknown>)),
    },
  ];
  for (const comparison of comparisons) {
    const failure = await compareTable(db, comparison, pageRows);
    if (failure !== null) return failure;
  }
  return null;
}

async function compareTable(db: DbOrTx, comparison: TableComparison, pageRows: number): Promise<RowFailure | null> {
  const { table } = comparison;
  let first: RowFailure | null = null;
  const keep = (failure: RowFailure) => {
    if (first === null || failure.id < first.id) first = failure;
  };
  let matched = 0;
  for await (const row of tableRows(db, comparison, pageRows)) {
    const id = comparison.idOf(row);
    if (first !== null && id > (first as RowFailure).id) continue;
    const want = comparison.expected(row);
    if (want === undefined) {
      keep({ where: "row", table, id, field: "(row)", expected: "absent", actual: "present" });
      continue;
    }
    matched += 1;
    const failure = compareFields(table, id, want as Record<string, unknown>, comparison.toActual(row) as Record<string, unknown>);
    if (failure !== null) keep(failure);
  }
  if (matched !== comparison.expectedCount) {
    const present = new Set<string>();
    for await (const row of tableRows(db, comparison, pageRows)) present.add(comparison.idOf(row));
    for (const id of comparison.expectedIds()) if (!present.has(id)) keep({ where: "row", table, id, field: "(row)", expected: "present", actual: "absent" });
  }
  return first;
}

async function* tableRows(db: DbOrTx, { source, keyColumns }: TableComparison, pageRows: number): AsyncGenerator<Record<string, unknown>> {
  let after: unknown[] | null = null;
  for (;;) {
    const keys: unknown[] | null = after;
    const where = keys === null ? undefined : sql`(${sql.join(keyColumns, sql`, `)}) > (${sql.join(keys.map((key) => sql`${key}`), sql`, `)})`;
    const rows = (await db.select().from(source).where(where).orderBy(...keyColumns.map((column) => asc(column))).limit(pageRows)) as Record<string, unknown>[];
    yield* rows;
    if (rows.length < pageRows) return;
    const last = rows.at(-1) as Record<string, unknown>;
    after = keyColumns.map((column) => last[keyOf(source, column)]);
  }
}

/** The property drizzle gives a column in a selected row. */
function keyOf(source: PgTable, column: PgColumn): string {
  const entry = Object.entries(getTableColumns(source)).find(([, candidate]) => candidate === column);
  if (entry === undefined) throw new Error(`column ${column.name} is not in the table`);
  return entry[0];
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
async function compareHead(db: DbOrTx, exported: LogHeader, summary: VerifyLogSummary): Promise<RowFailure | null> {
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
