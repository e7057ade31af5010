/**
 * Databases for the benchmarks: the PostgreSQL server named by DATABASE_URL (the bench makes
 * its own databases on it and drops the scratch ones) or embedded PGlite in a folder under
 * data/ (the default, as everywhere else in this project).
 */
import fs from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { openDatabase, type Database } from "@/db/client";

export interface BenchDatabase extends Database {
  /** What `next start` needs in its environment to open the same database. */
  env: Record<string, string>;
  label: string;
}

export function serverUrl(): string | null {
  return process.env.DATABASE_URL ?? null;
}

export function databaseUrl(base: string, name: string): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function databaseExists(base: string, name: string): Promise<boolean> {
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  try {
    const rows = await admin`select 1 from pg_database where datname = ${name}`;
    return rows.length > 0;
  } finally {
    await admin.end();
  }
}

export async function createDatabase(base: string, name: string, options: { dropFirst: boolean }): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`database name ${name} must be lowercase letters, digits and _`);
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  try {
    if (options.dropFirst) await admin.unsafe(`drop database if exists ${name} with (force)`);
    const exists = await admin`select 1 from pg_database where datname = ${name}`;
    if (exists.length === 0) await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
}

export async function dropDatabase(base: string, name: string): Promise<void> {
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
  } finally {
    await admin.end();
  }
}

/** Opens (and migrates) a database on the server, or a PGlite folder when there is no server. */
export async function openBenchDatabase(name: string, options: { fresh: boolean; max?: number }): Promise<BenchDatabase> {
  const base = serverUrl();
  if (base) {
    await createDatabase(base, name, { dropFirst: options.fresh });
    const url = databaseUrl(base, name);
    const database = openDatabase({ kind: "postgres", url, max: options.max ?? 10 });
    await database.migrate();
    return { ...database, env: { DATABASE_URL: url }, label: `PostgreSQL database ${name} (${new URL(base).host})` };
  }
  const dataDir = path.resolve("data", "bench", name);
  if (options.fresh) fs.rmSync(dataDir, { recursive: true, force: true });
  const database = openDatabase({ kind: "pglite", dataDir });
  await database.migrate();
  return { ...database, env: { PGLITE_DIR: dataDir }, label: `PGlite ${path.relative(process.cwd(), dataDir)}` };
}
