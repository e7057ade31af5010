/**
 * The model-based property test (test/shared/ledger-model.ts) through the real ledger
 * service: every step of a random sequence goes to the reference model, to the contracts in
 * memory and to the service on a database holding the same starting ledger; all three must
 * give the same answer, and at the end of the run the database's tables must equal the
 * contracts' state. The sequences (with a partial repayment and a split in one of eight
 * commands) are the first of the contracts-only runs of the same generator and seed, fewer,
 * since every step is a database transaction (PGlite, or PostgreSQL with DATABASE_URL).
 *
 * Each run starts from the same ledger: it runs inside one database transaction that is
 * rolled back at its end, and the service's own transactions become savepoints in it. A
 * savepoint does not fire deferred triggers, so the run sets them IMMEDIATE: the
 * conservation trigger then fires at the end of each statement instead of at commit, which
 * checks the same rows, since the service writes a block's claims in one statement and the
 * trigger reads only claims.
 */
import fc from "fast-check";
import { sql, TransactionRollbackError } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Database, Db } from "@/db/client";
import { sealTransaction } from "@/contracts/ledger/schema";
import { submitBatch } from "@/server/ledger/service";
import { createTestDatabase } from "../helpers/db";
import { makeOperatorThePlatform } from "../helpers/service-driver";
import { NOW_MS } from "../unit/ledger-fixtures";
import { base, commandWithRepaymentsArb, run, SEED, type Command } from "../shared/ledger-model";

const RUNS = Number(process.env.PROPERTY_SERVICE_RUNS ?? 12);

let database: Database;

beforeAll(async () => {
  database = await createTestDatabase();
  await makeOperatorThePlatform(database.db);
  const results = await submitBatch(database.db, base.driver.history.map((signed) => sealTransaction(signed)), { clock: () => NOW_MS });
  expect(results.filter((result) => result.status !== "accepted")).toEqual([]);
});
afterAll(async () => database.close());

/** One run on the starting ledger, rolled back at its end whatever happened. */
async function runOnService(commands: Command[]): Promise<void> {
  try {
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`set constraints all immediate`);
      await run(commands, tx as unknown as Db);
      tx.rollback();
    });
  } catch (error) {
    if (!(error instanceof TransactionRollbackError)) throw error;
  }
}

describe("claim lifecycle through the ledger service on a database", () => {
  test("random operation sequences get the same answers from the model, the contracts and the service, and leave the same state", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(commandWithRepaymentsArb, { minLength: 20, maxLength: 60 }), runOnService),
      { numRuns: RUNS, seed: SEED },
    );
    // The runs are counted, not timed: a loaded machine makes them slower, never wrong.
  }, 600_000);
});
