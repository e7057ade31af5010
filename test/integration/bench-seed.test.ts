import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { verifyLog } from "@/contracts/verify-log";
import { nodeVerifier } from "@/server/crypto/node-verifier";
import { exportLedger } from "@/server/ledger/export";
import { seedBenchLedger, type SeedResult } from "@/scripts/bench/seed-core";
import { createTestDatabase } from "../helpers/db";

/*
 * The bench's ledger seed (scripts/bench/seed-core.ts) builds its transactions by hand and
 * applies them through the contracts, so a change to the ledger's rules can break it without
 * any other test noticing (the operator's onboarding key did): a small seed on a real database
 * must be accepted whole, and the log it leaves must verify from genesis.
 */

let database: Database;
let result: SeedResult;

beforeAll(async () => {
  database = await createTestDatabase();
  result = await seedBenchLedger(database.db, { transactions: 1_200, blockSize: 400, seed: 7, demoPrograms: 2, concurrentPrograms: 4 });
}, 300_000);
afterAll(async () => database?.close());

describe("the bench's ledger seed", () => {
  it("appends its transactions on top of the demo ledger, onboarding organisations with the operator's onboarding key", () => {
    expect(result.appended).toBeGreaterThanOrEqual(1_200);
    expect(result.organisations).toBeGreaterThan(100);
    expect(result.size).toBeGreaterThan(result.appended);
  });

  it("leaves a log that verifies from genesis, with its state", async () => {
    const verified = verifyLog(await exportLedger(database.db), nodeVerifier);
    expect(verified.ok ? { ok: true, transactions: verified.summary.transactions } : verified).toEqual({ ok: true, transactions: result.size });
  });
});
