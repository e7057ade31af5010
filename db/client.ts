import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import type { ExtractTablesWithRelations } from "drizzle-orm";
import postgres from "postgres";
import * as schema from "./schema";
import { acquireDirectoryLock, type DirectoryLock } from "./lock";

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

export type DatabaseOptions =
  | { kind: "postgres"; url: string; max?: number }
  | { kind: "pglite"; dataDir: string | null };

export function openDatabase(options: DatabaseOptions): Database {
  return options.kind === "postgres" ? openPostgres(options.url, options.max) : openPglite(options.dataDir);
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

function openPostgres(url: string, max = 10): Database {
  const client = postgres(url, { max, onnotice: () => {}, connection: SESSION_SETTINGS });
  const db = drizzlePostgres(client, { schema }) as unknown as Db;
  return {
    db,
    kind: "postgres",
    migrate: async () => {
      await migratePostgres(drizzlePostgres(client, { schema }), { migrationsFolder: MIGRATIONS_FOLDER });
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
  const client = new PGlite(dataDir ?? undefined);
  const db = drizzlePglite(client, { schema }) as unknown as Db;
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

/** Options from the environment: DATABASE_URL selects a server, otherwise embedded PGlite. */
export function databaseOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): DatabaseOptions {
  if (env.DATABASE_URL) return { kind: "postgres", url: env.DATABASE_URL };
  return { kind: "pglite", dataDir: path.resolve(/*turbopackIgnore: true*/ env.PGLITE_DIR ?? path.join("data", "pglite")) };
}

const globalForDb = globalThis as unknown as { __doubleChainDb?: Promise<Database> };

/**
 * The process-wide database. Dev hot reload re-evaluates modules, so the instance lives on
 * globalThis: exactly one PGlite per process, opened and migrated once.
 */
export function getDatabase(): Promise<Database> {
  globalForDb.__doubleChainDb ??= (async () => {
    const database = openDatabase(databaseOptionsFromEnv());
    await database.migrate();
    return database;
  })();
  return globalForDb.__doubleChainDb;
}

export async function getDb(): Promise<Db> {
  return (await getDatabase()).db;
}
