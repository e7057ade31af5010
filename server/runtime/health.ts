import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { describeDatabaseFailure, isDatabaseFailure } from "@/db/availability";
import { MIGRATIONS_FOLDER, type Db } from "@/db/client";
import { sqlStateOf } from "../errors";

/*
 * Readiness for the balancer and the operator: this instance can serve when its database
 * answers, every committed migration has been applied to it, and the ledger's head row is
 * readable. /healthz (alive) asks nothing of the database: a database outage must not make
 * the balancer kill every instance.
 */

export interface ReadinessCheck {
  readonly ok: boolean;
  readonly detail: string;
}

export interface Readiness {
  readonly ready: boolean;
  readonly checks: { readonly database: ReadinessCheck; readonly migrations: ReadinessCheck; readonly ledgerHead: ReadinessCheck };
}

/** The migrations committed with this build (db/migrations/meta/_journal.json). */
export function committedMigrations(folder = MIGRATIONS_FOLDER): number {
  const journal = JSON.parse(fs.readFileSync(path.join(folder, "meta", "_journal.json"), "utf8")) as { entries: unknown[] };
  return journal.entries.length;
}

/** A failed check in words that name no query or value: the database's failure by its codes, anything else by its name. */
const failed = (error: unknown): ReadinessCheck => ({ ok: false, detail: isDatabaseFailure(error) ? describeDatabaseFailure(error) : `failed (${sqlStateOf(error) ?? (error instanceof Error ? error.name : typeof error)})` });

export async function readiness(db: Db, expectedMigrations = committedMigrations()): Promise<Readiness> {
  const database = await db.execute(sql`select 1`).then(
    (): ReadinessCheck => ({ ok: true, detail: "answers" }),
    failed,
  );
  if (!database.ok) {
    const skipped = { ok: false, detail: "database unreachable" };
    return { ready: false, checks: { database, migrations: skipped, ledgerHead: skipped } };
  }
  const migrations = await db.execute<{ applied: number }>(sql`select count(*)::int as applied from drizzle.__drizzle_migrations`).then((result): ReadinessCheck => {
    const applied = Number((rowsOf(result)[0] as { applied?: number } | undefined)?.applied ?? 0);
    return applied >= expectedMigrations ? { ok: true, detail: `${applied} applied` } : { ok: false, detail: `${applied} of ${expectedMigrations} applied` };
  }, failed);
  const ledgerHead = await db.execute(sql`select size from ledger_head where id = 1`).then((result): ReadinessCheck => {
    const row = rowsOf(result)[0] as { size?: unknown } | undefined;
    return row ? { ok: true, detail: `size ${String(row.size)}` } : { ok: false, detail: "no head row" };
  }, failed);
  return { ready: database.ok && migrations.ok && ledgerHead.ok, checks: { database, migrations, ledgerHead } };
}

/** db.execute answers rows (postgres.js) or { rows } (PGlite). */
function rowsOf(result: unknown): unknown[] {
  if (Array.isArray(result)) return result;
  const rows = (result as { rows?: unknown }).rows;
  return Array.isArray(rows) ? rows : [];
}
