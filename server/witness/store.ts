/**
 * The witness's own database: its key, the log entries it has replayed, the checkpoints it
 * cosigned and the evidence it kept. Embedded PGlite in the witness's data folder, or the
 * PostgreSQL database of WITNESS_DATABASE_URL / DATABASE_URL (one database per witness: a
 * witness shares nothing with the app or with other witnesses).
 *
 * Plain SQL rather than the app's drizzle schema on purpose: the witness is a separate
 * service, run by another organisation, and must not depend on the app's migrations.
 */
import fs from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { acquireDirectoryLock, type DirectoryLock } from "@/db/lock";
import type { LogEntry } from "@/contracts/log";

export interface WitnessIdentityRow {
  name: string;
  privateKeyHex: string;
}

export interface CosignedRow {
  size: number;
  note: string;
  cosignedAtMs: number;
}

export interface EvidenceRow {
  id: number;
  reason: string;
  detail: string;
  /** The checkpoint the witness had cosigned, and the signed one it was shown. */
  cosignedNote: string | null;
  shownNote: string;
  receivedAtMs: number;
}

export interface ReplaySnapshot {
  size: number;
  lines: Iterable<string>;
}

type Row = Record<string, unknown>;

/** Snapshot lines per row of witness_snapshot. */
const SNAPSHOT_LINES_PER_ROW = 2000;

interface SqlRunner {
  query(text: string, params?: unknown[]): Promise<Row[]>;
}

export interface WitnessStore {
  identity(): Promise<WitnessIdentityRow | null>;
  saveIdentity(identity: WitnessIdentityRow): Promise<void>;
  /** The entries of leaf indexes [start, end) it replayed, in order. */
  entries(start: number, end: number): Promise<LogEntry[]>;
  latestCosigned(): Promise<CosignedRow | null>;
  /** The last replay snapshot kept (LogFollower.snapshotLines) and the log size it is at, or null. */
  snapshot(): Promise<ReplaySnapshot | null>;
  /** Appends entries and records the cosigned checkpoint, atomically. */
  commitCosigned(entries: readonly LogEntry[], cosigned: CosignedRow): Promise<void>;
  /** Replaces the kept replay snapshot, atomically (its size is one the witness already cosigned). */
  writeSnapshot(snapshot: ReplaySnapshot): Promise<void>;
  addEvidence(evidence: Omit<EvidenceRow, "id">): Promise<void>;
  evidence(): Promise<EvidenceRow[]>;
  close(): Promise<void>;
}

const SCHEMA = [
  `create table if not exists witness_identity (name text primary key, private_key_hex text not null)`,
  `create table if not exists witness_entries (leaf_index bigint primary key, entry text not null)`,
  `create table if not exists witness_cosigned (size bigint primary key, note text not null, cosigned_at_ms bigint not null)`,
  `create table if not exists witness_snapshot (part integer primary key, size bigint not null, lines text not null)`,
  `create table if not exists witness_evidence (id bigserial primary key, reason text not null, detail text not null, cosigned_note text, shown_note text not null, received_at_ms bigint not null)`,
];

export async function openWitnessStore(options: { dataDir: string | null; databaseUrl: string | null }): Promise<WitnessStore> {
  if (options.databaseUrl) {
    const sql = postgres(options.databaseUrl, { max: 2, onnotice: () => {} });
    const runner: SqlRunner = { query: async (text, params = []) => (await sql.unsafe(text, params as never[])) as unknown as Row[] };
    const store = new SqlWitnessStore(runner, (work) => sql.begin((tx) => work({ query: async (text, params = []) => (await tx.unsafe(text, params as never[])) as unknown as Row[] })) as Promise<void>, () => sql.end({ timeout: 5 }));
    await store.migrate();
    return store;
  }
  let lock: DirectoryLock | null = null;
  if (options.dataDir) {
    fs.mkdirSync(options.dataDir, { recursive: true });
    lock = acquireDirectoryLock(options.dataDir);
  }
  const client = new PGlite(options.dataDir ?? undefined);
  const runner: SqlRunner = { query: async (text, params) => (await client.query<Row>(text, params)).rows };
  const store = new SqlWitnessStore(
    runner,
    (work) => client.transaction(async (tx) => work({ query: async (text, params) => (await tx.query<Row>(text, params)).rows })),
    async () => {
      await client.close();
      lock?.release();
    },
  );
  await store.migrate();
  return store;
}

/** Replaces the kept snapshot, SNAPSHOT_LINES_PER_ROW lines a row. */
async function writeSnapshot(tx: SqlRunner, snapshot: ReplaySnapshot): Promise<void> {
  await tx.query("delete from witness_snapshot");
  let part = 0;
  let lines: string[] = [];
  const flush = async () => {
    await tx.query("insert into witness_snapshot (part, size, lines) values ($1, $2, $3)", [part++, snapshot.size, lines.join("\n")]);
    lines = [];
  };
  for (const line of snapshot.lines) {
    lines.push(line);
    if (lines.length === SNAPSHOT_LINES_PER_ROW) await flush();
  }
  if (lines.length > 0) await flush();
}

class SqlWitnessStore implements WitnessStore {
  constructor(
    private readonly sql: SqlRunner,
    private readonly inTransaction: (work: (tx: SqlRunner) => Promise<void>) => Promise<void>,
    private readonly closeConnection: () => Promise<void>,
  ) {}

  async migrate(): Promise<void> {
    for (const statement of SCHEMA) await this.sql.query(statement);
  }

  async identity(): Promise<WitnessIdentityRow | null> {
    const [row] = await this.sql.query("select name, private_key_hex from witness_identity");
    return row === undefined ? null : { name: String(row.name), privateKeyHex: String(row.private_key_hex) };
  }

  async saveIdentity(identity: WitnessIdentityRow): Promise<void> {
    await this.sql.query("insert into witness_identity (name, private_key_hex) values ($1, $2)", [identity.name, identity.privateKeyHex]);
  }

  async entries(start: number, end: number): Promise<LogEntry[]> {
    const rows = await this.sql.query("select entry from witness_entries where leaf_index >= $1 and leaf_index < $2 order by leaf_index", [start, end]);
    return rows.map((row) => JSON.parse(String(row.entry)) as LogEntry);
  }

  async snapshot(): Promise<ReplaySnapshot | null> {
    const rows = await this.sql.query("select size, lines from witness_snapshot order by part");
    if (rows.length === 0) return null;
    return { size: Number((rows[0] as Row).size), lines: rows.flatMap((row) => String(row.lines).split("\n")) };
  }

  async latestCosigned(): Promise<CosignedRow | null> {
    const [row] = await this.sql.query("select size, note, cosigned_at_ms from witness_cosigned order by size desc limit 1");
    return row === undefined ? null : { size: Number(row.size), note: String(row.note), cosignedAtMs: Number(row.cosigned_at_ms) };
  }

  async commitCosigned(entries: readonly LogEntry[], cosigned: CosignedRow): Promise<void> {
    await this.inTransaction(async (tx) => {
      // One statement for the whole batch: the entries' texts as one JSON array of strings (sent as
      // text: a json parameter would be encoded once more by postgres.js).
      if (entries.length > 0) {
        await tx.query("insert into witness_entries (leaf_index, entry) select (value::json->>'leafIndex')::bigint, value from json_array_elements_text($1::text::json)", [
          JSON.stringify(entries.map((entry) => JSON.stringify(entry))),
        ]);
      }
      // Cosigning the same size again (a fresh timestamp) replaces the note of that size.
      await tx.query(
        "insert into witness_cosigned (size, note, cosigned_at_ms) values ($1, $2, $3) on conflict (size) do update set note = excluded.note, cosigned_at_ms = excluded.cosigned_at_ms",
        [cosigned.size, cosigned.note, cosigned.cosignedAtMs],
      );
    });
  }

  async writeSnapshot(snapshot: ReplaySnapshot): Promise<void> {
    await this.inTransaction((tx) => writeSnapshot(tx, snapshot));
  }

  async addEvidence(evidence: Omit<EvidenceRow, "id">): Promise<void> {
    await this.sql.query("insert into witness_evidence (reason, detail, cosigned_note, shown_note, received_at_ms) values ($1, $2, $3, $4, $5)", [
      evidence.reason,
      evidence.detail,
      evidence.cosignedNote,
      evidence.shownNote,
      evidence.receivedAtMs,
    ]);
  }

  async evidence(): Promise<EvidenceRow[]> {
    const rows = await this.sql.query("select id, reason, detail, cosigned_note, shown_note, received_at_ms from witness_evidence order by id");
    return rows.map((row) => ({
      id: Number(row.id),
      reason: String(row.reason),
      detail: String(row.detail),
      cosignedNote: row.cosigned_note === null ? null : String(row.cosigned_note),
      shownNote: String(row.shown_note),
      receivedAtMs: Number(row.received_at_ms),
    }));
  }

  close(): Promise<void> {
    return this.closeConnection();
  }
}
