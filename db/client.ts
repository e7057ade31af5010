import fs from "node:fs";
import path from "node:path";
import { PGlite, types as pgliteTypes } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import type { ExtractTablesWithRelations } from "drizzle-orm";
import postgres from "postgres";
import * as schema from "./schema";
import { acquireDirectoryLock, type DirectoryLock } from "./lock";
import { migrateJobQueue } from "./job-queue";
import { guardTransactions } from "./postgres-guard";
import { databaseSettingsFromEnv } from "./settings";

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Repository functions take either, so callers can pass a transaction. */
export type DbOrTx = Db | Tx;

export const MIGRATIONS_FOLDER = path.join(process.cwd(), "db", "migrations");

export interface Database {
  db: Db;
  kind: "pglite" | "postgres";
  migrate(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Limits of a PostgreSQL pool. Scripts (migrations, seeds, verify of a long log) leave the
 * statement and lock timeouts off; the app sets them from the environment (db/settings.ts)
 * so a request fails in seconds instead of waiting for a stuck lock or a dead server.
 */
export interface PostgresLimits {
  max?: number;
  connectTimeoutSeconds?: number;
  statementTimeoutMs?: number;
  lockTimeoutMs?: number;
}

export type DatabaseOptions =
  | ({ kind: "postgres"; url: string } & PostgresLimits)
  | { kind: "pglite"; dataDir: string | null };

export function openDatabase(options: DatabaseOptions): Database {
  return options.kind === "postgres" ? openPostgres(options.url, options) : openPglite(options.dataDir);
}

/**
 * Session settings of the app's PostgreSQL connections. Its queries are short OLTP lookups,
 * and two planner features cost far more than they save on them: JIT compilation (50 ms and
 * more per query once the estimated cost is high) and parallel workers (their start-up). Both
 * are triggered by a poor estimate: the planner assumes 0.5% of rows per element for an array
 * overlap on a GIN index (claim_ids && lineage), 49,000 rows where 20 match in a 1,000,000-entry
 * log, so the provenance lineage query took 95-380 ms instead of 0.3 ms.
 */
const SESSION_SETTINGS = { jit: "off", max_parallel_workers_per_gather: "0" };

/** 50 ms after the first failure, growing to at most one second: failing to connect to a server that is down is cheap. */
export function reconnectDelaySeconds(failures: number): number {
  return Math.min(0.05 * 2 ** Math.max(0, failures - 1), 1);
}

function sessionSettings(limits: PostgresLimits): Record<string, string> {
  const settings: Record<string, string> = { ...SESSION_SETTINGS };
  if (limits.statementTimeoutMs !== undefined) settings.statement_timeout = String(limits.statementTimeoutMs);
  if (limits.lockTimeoutMs !== undefined) settings.lock_timeout = String(limits.lockTimeoutMs);
  // A session that dies between statements of a transaction must not hold the head lock for long.
  if (limits.statementTimeoutMs !== undefined) settings.idle_in_transaction_session_timeout = String(Math.max(limits.statementTimeoutMs, 10_000));
  return settings;
}

function openPostgres(url: string, limits: PostgresLimits): Database {
  const client = guardTransactions(
    postgres(url, {
      max: limits.max ?? 10,
      // postgres.js waits 30 s by default; while the server is away that is 30 s per request.
      connect_timeout: limits.connectTimeoutSeconds ?? 10,
      // Seconds before a connection that failed is tried again. postgres.js counts failures
      // across the pool and grows this to 20 s, so after an outage of a few seconds under
      // load the pool waited up to 20 s to reconnect to a server that was long back.
      backoff: reconnectDelaySeconds,
      onnotice: () => {},
      connection: sessionSettings(limits),
    }),
  );
  const db = drizzlePostgres(client, { schema }) as unknown as Db;
  return {
    db,
    kind: "postgres",
    // Migrations run on a connection of their own, without the pool's statement and lock
    // timeouts: building an index on a long log may take longer than any request should.
    migrate: async () => {
      const migrator = postgres(url, { max: 1, connect_timeout: limits.connectTimeoutSeconds ?? 10, onnotice: () => {}, connection: SESSION_SETTINGS });
      try {
        await migratePostgres(drizzlePostgres(migrator, { schema }), { migrationsFolder: MIGRATIONS_FOLDER });
      } finally {
        await migrator.end({ timeout: 5 });
      }
      // The job queue's own schema (db/job-queue.ts), by graphile-worker's migrations.
      await migrateJobQueue(url);
    },
    close: () => client.end({ timeout: 5 }),
  };
}

function openPglite(dataDir: string | null): Database {
  // A second process writing the same PGlite folder corrupts it, so a data folder is
  // guarded by a lock file naming its owner; the in-memory database needs none.
  let lock: DirectoryLock | null = null;
  if (dataDir) {
    fs.mkdirSync(dataDir, { recursive: true });
    lock = acquireDirectoryLock(dataDir);
  }
  // Options as one object: PGlite ignores its second argument when the first (the folder) is undefined.
  const client = new PGlite({ ...(dataDir ? { dataDir } : {}), parsers: DRIZZLE_PGLITE_PARSERS });
  const db = drizzlePglite({ client: withoutQueryParsers(client, withDrizzleArrayParsers(client)), schema }) as unknown as Db;
  return {
    db,
    kind: "pglite",
    migrate: async () => {
      await migratePglite(drizzlePglite(client, { schema }), { migrationsFolder: MIGRATIONS_FOLDER });
    },
    close: async () => {
      await client.close();
      lock?.release();
    },
  };
}

/**
 * drizzle's PGlite driver leaves dates, times and intervals as the text PostgreSQL sent (its
 * columns parse them), so it passes these parsers with every query (drizzle-orm/pglite/session.js).
 * PGlite merges a query's parsers into a copy of its 318 default ones, for every query: that
 * copy cost about half of a small query's time (237 µs against 124 µs). So the client is made
 * with these parsers once, and the copy of the client drizzle holds drops each query's own.
 */
const asText = (value: string) => value;
export const DRIZZLE_PGLITE_PARSERS = {
  [pgliteTypes.TIMESTAMP]: asText,
  [pgliteTypes.TIMESTAMPTZ]: asText,
  [pgliteTypes.INTERVAL]: asText,
  [pgliteTypes.DATE]: asText,
  1231: asText, // numeric[]
  1115: asText, // timestamp[]
  1185: asText, // timestamptz[]
  1187: asText, // interval[]
  1182: asText, // date[]
};

interface QueryOptionsLike {
  parsers?: unknown;
}

/**
 * PGlite sets the parsers of every array type when it starts (arrays of their element's parser),
 * after the constructor's options: drizzle's array parsers (text as sent) go back in once it is
 * ready. Resolves when they are, or when it failed to start (each query then gets PGlite's own
 * error; this promise never rejects, so it is never an unhandled rejection).
 */
export function withDrizzleArrayParsers(client: PGlite): Promise<void> {
  return client.waitReady.then(
    () => void Object.assign(client.parsers, DRIZZLE_PGLITE_PARSERS),
    () => undefined,
  );
}

/**
 * The client (or a transaction of it) as drizzle sees it: query() without the `parsers` option,
 * which the client already has (DRIZZLE_PGLITE_PARSERS), and only once `ready`; transactions
 * wrapped alike. Everything else is the client's own, called on the client itself (PGlite keeps
 * private fields).
 */
export function withoutQueryParsers<T extends object>(target: T, ready: Promise<void> = Promise.resolve()): T {
  return new Proxy(target, {
    get(object, key) {
      const value: unknown = Reflect.get(object, key, object);
      if (typeof value !== "function") return value;
      if (key === "query") {
        return async (query: string, params?: unknown[], options?: QueryOptionsLike) => {
          await ready;
          const withoutParsers: QueryOptionsLike = { ...options };
          delete withoutParsers.parsers;
          return (value as (...args: unknown[]) => unknown).call(object, query, params, withoutParsers);
        };
      }
      if (key === "transaction") {
        return async (callback: (tx: object) => unknown) => {
          await ready;
          return (value as (cb: (tx: object) => unknown) => unknown).call(object, (tx: object) => callback(withoutQueryParsers(tx)));
        };
      }
      return (value as (...args: unknown[]) => unknown).bind(object);
    },
  });
}

/** Options from the environment: DATABASE_URL selects a server, otherwise embedded PGlite. */
export function databaseOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): DatabaseOptions {
  if (env.DATABASE_URL) return { kind: "postgres", url: env.DATABASE_URL };
  return pgliteOptions(env);
}

/** The app server's options: those of databaseOptionsFromEnv, with the pool's limits and timeouts (db/settings.ts). */
export function appDatabaseOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): DatabaseOptions {
  if (!env.DATABASE_URL) return pgliteOptions(env);
  const settings = databaseSettingsFromEnv(env);
  return {
    kind: "postgres",
    url: env.DATABASE_URL,
    max: settings.DATABASE_POOL_MAX,
    connectTimeoutSeconds: settings.DATABASE_CONNECT_TIMEOUT_S,
    statementTimeoutMs: settings.DATABASE_STATEMENT_TIMEOUT_MS,
    lockTimeoutMs: settings.DATABASE_LOCK_TIMEOUT_MS,
  };
}

function pgliteOptions(env: NodeJS.ProcessEnv): DatabaseOptions {
  return { kind: "pglite", dataDir: path.resolve(/*turbopackIgnore: true*/ env.PGLITE_DIR ?? path.join("data", "pglite")) };
}

const globalForDb = globalThis as unknown as { __doubleChainDb?: Promise<Database> };

/**
 * The process-wide database. Dev hot reload re-evaluates modules, so the instance lives on
 * globalThis: exactly one PGlite per process, opened and migrated once.
 *
 * A failed open (PostgreSQL down at start-up, the embedded folder locked) is not kept: the
 * half-open database is closed and the next caller tries again, so the app serves as soon
 * as the database is back. Callers that arrive during one attempt share it.
 */
export function getDatabase(): Promise<Database> {
  globalForDb.__doubleChainDb ??= openAndMigrate().catch((error: unknown) => {
    globalForDb.__doubleChainDb = undefined;
    throw error;
  });
  return globalForDb.__doubleChainDb;
}

async function openAndMigrate(): Promise<Database> {
  const database = openDatabase(appDatabaseOptionsFromEnv());
  try {
    await database.migrate();
    return database;
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
}

export async function getDb(): Promise<Db> {
  return (await getDatabase()).db;
}
