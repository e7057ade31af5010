import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { databaseFailureOf, toDomainError } from "@/server/errors";
import { createCallerFactory, publicProcedure, router } from "@/server/trpc/init";
import { createTestDatabase, usingPostgres } from "../helpers/db";
import { contextFor } from "../helpers/callers";

/*
 * Database errors are classified by SQLSTATE alone. Each row provokes a real error on the
 * database the suite runs on (PGlite, or PostgreSQL with DATABASE_URL) and checks what the
 * server makes of it: the condition, and the tRPC code a procedure that hit it answers with
 * (CONFLICT for a lost race the caller can retry, INTERNAL_SERVER_ERROR for a bug).
 */

let database: Database;

beforeAll(async () => {
  database = await createTestDatabase();
  await database.db.execute(sql`create table probe (id int primary key, n int not null check (n > 0), parent int references probe (id), during int4range, exclude using gist (during with &&))`);
  await database.db.execute(sql`insert into probe (id, n, during) values (1, 1, '[1,5)')`);
});
afterAll(async () => database.close());

/** Runs a statement expected to fail and returns the error it failed with. */
async function failureOf(statement: ReturnType<typeof sql>): Promise<unknown> {
  const error = await database.db.execute(statement).then(
    () => null,
    (caught: unknown) => caught,
  );
  if (error === null) throw new Error("the statement did not fail");
  return error;
}

/** The tRPC code a procedure answers with when it runs the statement. */
async function trpcCodeOf(statement: ReturnType<typeof sql>): Promise<string> {
  const probeRouter = router({ run: publicProcedure.mutation(async () => void (await database.db.execute(statement))) });
  const originalError = console.error;
  console.error = () => {}; // the internal ones are logged; that log is tested in test/reliability/web.test.ts
  try {
    const error = await createCallerFactory(probeRouter)(contextFor(database.db, null)).run().catch((e: unknown) => e);
    return (error as { code?: string }).code ?? "OK";
  } finally {
    console.error = originalError;
  }
}

const cases = [
  { condition: "unique_violation", sqlState: "23505", trpc: "CONFLICT", statement: sql`insert into probe (id, n) values (1, 1)` },
  { condition: "foreign_key_violation", sqlState: "23503", trpc: "INTERNAL_SERVER_ERROR", statement: sql`insert into probe (id, n, parent) values (2, 1, 99)` },
  { condition: "check_violation", sqlState: "23514", trpc: "INTERNAL_SERVER_ERROR", statement: sql`insert into probe (id, n) values (3, 0)` },
  { condition: "not_null_violation", sqlState: "23502", trpc: "INTERNAL_SERVER_ERROR", statement: sql`insert into probe (id) values (4)` },
  { condition: "exclusion_violation", sqlState: "23P01", trpc: "INTERNAL_SERVER_ERROR", statement: sql`insert into probe (id, n, during) values (5, 1, '[3,8)')` },
  // The ledger's own guard trigger, as a write that edits the log would meet it.
  { condition: "raise_exception", sqlState: "P0001", trpc: "INTERNAL_SERVER_ERROR", statement: sql`truncate ledger_entries` },
  // Raised by the server itself; a real serialization failure needs two sessions (PostgreSQL, below).
  { condition: "serialization_failure", sqlState: "40001", trpc: "CONFLICT", statement: sql`do $$ begin raise exception 'probe' using errcode = 'serialization_failure'; end $$` },
  { condition: "deadlock_detected", sqlState: "40P01", trpc: "CONFLICT", statement: sql`do $$ begin raise exception 'probe' using errcode = 'deadlock_detected'; end $$` },
] as const;

describe("database errors by SQLSTATE", () => {
  it.each(cases)("$sqlState is $condition, answered $trpc", async ({ condition, sqlState, trpc, statement }) => {
    expect(databaseFailureOf(await failureOf(statement))).toEqual({ sqlState, condition });
    expect(await trpcCodeOf(statement)).toBe(trpc);
  });

  it("an error whose SQLSTATE has no row is internal, even if its message reads like one that has", async () => {
    const error = await failureOf(sql`do $$ begin raise exception 'duplicate key value violates unique constraint "x"' using errcode = 'data_exception'; end $$`);
    expect(databaseFailureOf(error)).toBeNull();
    expect(toDomainError(error)).toBeNull();
  });

  // PGlite has one session, so two transactions never overlap there: this row exists only on PostgreSQL.
  if (usingPostgres()) it("a real serialization failure between two sessions is a lost race the caller may retry", async () => {
    await database.db.execute(sql`insert into probe (id, n) values (10, 1), (11, 1)`);
    let release!: () => void;
    const bothRead = new Promise<void>((resolve) => (release = resolve));
    let reads = 0;
    const writer = (read: number, write: number) =>
      database.db.transaction(
        async (tx) => {
          await tx.execute(sql`select n from probe where id = ${read}`);
          if (++reads === 2) release();
          await bothRead;
          await tx.execute(sql`update probe set n = n + 1 where id = ${write}`);
        },
        { isolationLevel: "serializable" },
      );
    const outcomes = await Promise.allSettled([writer(10, 11), writer(11, 10)]);
    const failed = outcomes.flatMap((outcome) => (outcome.status === "rejected" ? [outcome.reason as unknown] : []));
    expect(failed).toHaveLength(1);
    expect(databaseFailureOf(failed[0])).toEqual({ sqlState: "40001", condition: "serialization_failure" });
    expect(toDomainError(failed[0])).toMatchObject({ kind: "conflict", code: "concurrent_change" });
  });
});
