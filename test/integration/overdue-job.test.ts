import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { claims, creditLines } from "@/db/schema";
import { buildSigned, toWire } from "@/contracts/client";
import { nodeVerifier } from "@/server/crypto/node-verifier";
import { verifyDatabase } from "@/server/ledger/export";
import { submitTransaction } from "@/server/ledger/service";
import { markOverdueClaims } from "@/server/jobs/overdue";
import { seedDemo } from "@/server/seed/seed";
import { demoIdentity } from "@/server/seed/ledger-seed";
import { createTestDatabase } from "../helpers/db";

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemo(database.db);
});
afterAll(async () => database.close());

const nonce = () => randomBytes(16).toString("hex");

describe("the overdue job", () => {
  it("does nothing before maturity (the seed's matured issuances are overdue already)", async () => {
    expect(await markOverdueClaims(database.db)).toEqual({ roots: 0, accepted: 0, refused: [] });
  });

  it("after a partial repayment, marks the unpaid rest overdue at maturity, once", async () => {
    const [root] = await database.db.select().from(claims).where(sql`${claims.parentId} is null and ${claims.amountMinor} = 100000000`);
    const core = demoIdentity("org_huaxin");
    const repay = await submitTransaction(database.db, toWire(buildSigned(core, "repayment.record", { rootClaimId: root!.id, amountMinor: 40_000_000n, paymentReference: "HX-PARTIAL-1" }, { nonce: nonce(), createdAtMs: Date.now() })));
    expect(repay.status).toBe("accepted");
    const [line] = await database.db.select().from(creditLines).where(eq(creditLines.id, root!.creditLineId));
    // 60% of this issuance, plus the unpaid 80,000.00 issuance that matured today on the same line.
    expect(line?.usedMinor).toBe(60_000_000n + 8_000_000n);

    const afterMaturity = Date.parse(`${root!.maturityDate}T00:00:01Z`);
    const run = await markOverdueClaims(database.db, { clock: () => afterMaturity });
    expect(run.accepted).toBeGreaterThanOrEqual(1);
    const tree = await database.db.select().from(claims).where(eq(claims.rootId, root!.id));
    const unpaid = tree.filter((c) => c.amountMinor > c.settledMinor && c.state !== "split");
    expect(unpaid.length).toBeGreaterThan(0);
    expect(unpaid.every((c) => c.state === "overdue")).toBe(true);
    // 40% was repaid pro rata: every live piece kept 60% outstanding, to the fen.
    const outstanding = unpaid.reduce((sum, c) => sum + c.amountMinor - c.settledMinor, 0n);
    expect(outstanding).toBe(60_000_000n);

    const again = await markOverdueClaims(database.db, { clock: () => afterMaturity });
    expect(again.accepted).toBe(0);
    expect((await verifyDatabase(database.db, nodeVerifier)).ok).toBe(true);
  });
});
