/**
 * Regression (issue 12): after a partial repayment before maturity, the pieces of an
 * issuance must still split and transfer. The contracts require a split's children to sum
 * to the parent's unpaid part (amount - settled); the database's conservation trigger once
 * required the parent's whole amount and refused every such split with a conflict.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { claims, creditLines } from "@/db/schema";
import { deriveId } from "@/contracts/canonical";
import { verifyDatabase } from "@/server/ledger/export";
import { nodeVerifier } from "@/server/crypto/node-verifier";
import { createTestDatabase } from "../helpers/db";
import { ServiceDriver } from "../helpers/service-driver";
import { ACTORS as A, documentsFor, MATURITY_DATE } from "../unit/ledger-fixtures";

let database: Database;
let driver: ServiceDriver;
let lineId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  driver = new ServiceDriver(database.db);
  await driver.registerAll();
  const grant = await driver.run(A.bank, "creditLine.grant", {
    coreEnterpriseOrgId: A.core.orgId,
    currency: "CNY",
    limitMinor: 100_000_000n,
    expiresAtMs: driver.nowMs + 365 * 86_400_000,
  });
  lineId = deriveId("cl", grant, 0);
});
afterAll(async () => database.close());

/** 10,000.00 issued to tier 1 and accepted, then 4,000.00 repaid by the core enterprise. */
let issued = 0;
async function partlyRepaidIssuance(): Promise<string> {
  const issue = await driver.run(A.core, "claim.issue", {
    creditLineId: lineId,
    toOrgId: A.s1.orgId,
    amountMinor: 1_000_000n,
    currency: "CNY",
    maturityDate: MATURITY_DATE,
    documents: documentsFor(`split after repayment ${++issued}`),
  });
  const rootId = deriveId("c", issue, 0);
  await driver.run(A.s1, "claim.accept", { claimId: rootId });
  await driver.run(A.core, "repayment.record", { rootClaimId: rootId, amountMinor: 400_000n, paymentReference: "PART-1" });
  return rootId;
}

async function row(id: string) {
  const [found] = await database.db.select().from(claims).where(eq(claims.id, id));
  return found!;
}

describe("pieces of a partly repaid issuance", () => {
  it("split: tier 1 passes 1,000.00 to tier 2 and keeps 5,000.00 of the unpaid 6,000.00", async () => {
    const rootId = await partlyRepaidIssuance();
    expect(await row(rootId)).toMatchObject({ state: "held", amountMinor: 1_000_000n, settledMinor: 400_000n });
    const signed = driver.sign(A.s1, "claim.split", {
      claimId: rootId,
      parts: [{ toOrgId: A.s2.orgId, amountMinor: 100_000n }, { toOrgId: A.s1.orgId, amountMinor: 500_000n }],
    });
    const result = await driver.submit(signed);
    expect(result).toMatchObject({ status: "accepted" });
    const txId = result.txId!;
    expect(await row(rootId)).toMatchObject({ state: "split", settledMinor: 400_000n });
    expect(await row(deriveId("c", txId, 0))).toMatchObject({ state: "offered", offeredToOrgId: A.s2.orgId, amountMinor: 100_000n });
    expect(await row(deriveId("c", txId, 1))).toMatchObject({ state: "held", holderOrgId: A.s1.orgId, amountMinor: 500_000n });
    // Tier 2 accepts and splits again; the next repayment reaches the new pieces.
    await driver.run(A.s2, "claim.accept", { claimId: deriveId("c", txId, 0) });
    await driver.run(A.core, "repayment.record", { rootClaimId: rootId, amountMinor: 600_000n, paymentReference: "PART-2" });
    const tree = await database.db.select().from(claims).where(eq(claims.rootId, rootId));
    expect(tree.filter((c) => c.state === "settled").map((c) => c.amountMinor).sort()).toEqual([100_000n, 500_000n]);
    expect(await verifyDatabase(database.db, nodeVerifier)).toMatchObject({ ok: true });
  });

  it("transfer: tier 1 hands the whole unpaid 6,000.00 to tier 2, who accepts it", async () => {
    const rootId = await partlyRepaidIssuance();
    const result = await driver.submit(driver.sign(A.s1, "claim.split", { claimId: rootId, parts: [{ toOrgId: A.s2.orgId, amountMinor: 600_000n }] }));
    expect(result).toMatchObject({ status: "accepted" });
    const pieceId = deriveId("c", result.txId!, 0);
    await driver.run(A.s2, "claim.accept", { claimId: pieceId });
    expect(await row(pieceId)).toMatchObject({ state: "held", holderOrgId: A.s2.orgId, amountMinor: 600_000n, settledMinor: 0n });
    const [line] = await database.db.select().from(creditLines).where(eq(creditLines.id, lineId));
    // Two issuances of 10,000.00 so far, each 4,000.00 repaid (the first one repaid in full).
    expect(line?.usedMinor).toBe(600_000n);
    expect(await verifyDatabase(database.db, nodeVerifier)).toMatchObject({ ok: true });
  });

  it("a split of the face instead of the unpaid part is refused with the contract's code, not a conflict", async () => {
    const rootId = await partlyRepaidIssuance();
    const result = await driver.submit(driver.sign(A.s1, "claim.split", { claimId: rootId, parts: [{ toOrgId: A.s2.orgId, amountMinor: 1_000_000n }] }));
    expect(result).toMatchObject({ status: "refused", code: "split_amounts_do_not_sum" });
  });
});
