/**
 * The shared invariant table (test/shared/invariant-cases.ts) against the database: every
 * row's state and change are written with the ledger service's own writer (writeChanges),
 * each in its own transaction, so the constraints and the deferred conservation trigger run
 * as they do for the service. test/unit/invariant-cases.test.ts runs the same rows against
 * the contracts; a rule the two sides state differently fails a row on one of them.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Database } from "@/db/client";
import { writeChanges } from "@/server/ledger/repository";
import { caseIds, INVARIANT_CASES, ORGANISATIONS } from "../shared/invariant-cases";
import { createTestDatabase } from "../helpers/db";

/** SQLSTATEs of a guard refusing a write: unique, foreign key and check violations, and RAISE in a trigger. */
const GUARD_STATES = new Set(["23505", "23503", "23514", "P0001"]);

let database: Database;

beforeAll(async () => {
  database = await createTestDatabase();
  await writeChanges(database.db, ORGANISATIONS.map((value) => ({ kind: "org", value }) as const));
});
afterAll(async () => database.close());

/** The database's answer to a write: "holds", or the guard's SQLSTATE and message. */
async function write(changes: Parameters<typeof writeChanges>[1]): Promise<{ state: string; text: string } | "holds"> {
  try {
    await database.db.transaction((tx) => writeChanges(tx, changes));
    return "holds";
  } catch (error) {
    // drizzle wraps the driver's error (PGlite's or postgres.js's) as its cause.
    const cause = ((error as { cause?: unknown }).cause ?? error) as { code?: string; message?: string; constraint_name?: string; constraint?: string };
    return { state: cause.code ?? "none", text: `${cause.message ?? ""} ${cause.constraint_name ?? cause.constraint ?? ""}` };
  }
}

describe("shared invariant cases, on the database", () => {
  test.each(INVARIANT_CASES.map((row, index) => [row.name, index] as const))("%s", async (_name, index) => {
    const row = INVARIANT_CASES[index]!;
    const ids = caseIds(`i${index}`);
    // The state the row starts from must itself be accepted, or the row proves nothing.
    expect(await write(row.before(ids))).toBe("holds");
    const answer = await write(row.change(ids));
    if (row.verdict === "holds") {
      expect(answer).toBe("holds");
    } else {
      expect(answer).not.toBe("holds");
      const refusal = answer as { state: string; text: string };
      expect(GUARD_STATES, refusal.text).toContain(refusal.state);
      expect(refusal.text).toMatch(row.verdict.sql);
    }
  });
});
