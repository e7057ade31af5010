import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { creditLines, ledgerEntries } from "@/db/schema";
import { buildSigned, toWire } from "@/contracts/client";
import { REFUSAL_TEXTS } from "@/contracts/ledger/refusals";
import { seedDemo } from "@/server/seed/seed";
import { demoIdentity } from "@/server/seed/ledger-seed";
import { createTestDatabase } from "../helpers/db";
import { callerFor } from "../helpers/callers";

/*
 * A refusal reaches the caller in one shape, through the same path as the browser's
 * ledger.submit: a typed answer with the contract's code and the text of that code, and
 * nothing written to the log.
 */

let database: Database;
const factor = demoIdentity("org_gbfactor");

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemo(database.db);
});
afterAll(async () => database.close());

const logSize = async () => (await database.db.select({ leafIndex: ledgerEntries.leafIndex }).from(ledgerEntries)).length;

describe("a refused submission through tRPC", () => {
  it("answers with the typed refusal: status, transaction id, the contract's code and its text", async () => {
    const [bankLine] = await database.db.select().from(creditLines).where(eq(creditLines.lenderOrgId, "org_cmtb"));
    const signed = buildSigned(factor, "creditLine.freeze", { creditLineId: bankLine!.id, frozen: true }, { nonce: randomBytes(16).toString("hex"), createdAtMs: Date.now() });
    const before = await logSize();
    const answer = await callerFor(database.db, "usr_gbfactor_1").ledger.submit(toWire(signed));
    expect(answer).toEqual({
      status: "refused",
      txId: expect.stringMatching(/^[0-9a-f]{64}$/),
      code: "signer_not_credit_line_lender",
      text: REFUSAL_TEXTS.signer_not_credit_line_lender,
    });
    expect(await logSize()).toBe(before);
  });

  it("answers a replayed transaction with other signatures by the service's own code and text", async () => {
    const [line] = await database.db.select().from(creditLines).where(eq(creditLines.lenderOrgId, "org_gbfactor"));
    const signed = buildSigned(factor, "creditLine.freeze", { creditLineId: line!.id, frozen: true }, { nonce: randomBytes(16).toString("hex"), createdAtMs: Date.now() });
    const caller = callerFor(database.db, "usr_gbfactor_1");
    expect(await caller.ledger.submit(toWire(signed))).toMatchObject({ status: "accepted" });
    const otherSignature = { ...toWire(signed), signatureHex: toWire(buildSigned(factor, "creditLine.freeze", { creditLineId: line!.id, frozen: false }, { nonce: "x", createdAtMs: 1 })).signatureHex };
    const answer = await caller.ledger.submit(otherSignature);
    expect(answer).toMatchObject({ status: "refused", code: "transaction_id_conflict", text: REFUSAL_TEXTS.transaction_id_conflict });
  });
});
