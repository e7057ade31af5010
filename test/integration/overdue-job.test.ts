import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { desc, eq, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { claims, creditLines, ledgerEntries, scheduledJobs } from "@/db/schema";
import { buildSigned, toWire } from "@/contracts/client";
import { sha256Hex } from "@/contracts/canonical";
import { utf8ToBytes } from "@/contracts/hex";
import { maturityAtMs } from "@/contracts/ledger/maturity";
import { nodeVerifier } from "@/server/crypto/node-verifier";
import { verifyDatabase } from "@/server/ledger/export";
import { submitWire } from "@/server/ledger/service";
import { markOverdueClaims, overdueJob } from "@/server/jobs/overdue";
import { runJobNow } from "@/server/jobs/registry";
import { createScheduler } from "@/server/jobs/scheduler";
import { seedDemo } from "@/server/seed/seed";
import { addDays, demoIdentity } from "@/server/seed/ledger-seed";
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
    const repay = await submitWire(database.db, toWire(buildSigned(core, "repayment.record", { rootClaimId: root!.id, amountMinor: 40_000_000n, paymentReference: "HX-PARTIAL-1" }, { nonce: nonce(), createdAtMs: Date.now() })));
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

  it("runs through the schedule in PostgreSQL: a new issuance is marked overdue at its maturity, by one of two instances", async () => {
    // The log's clock never goes back, and the test above committed at a later maturity: issue from there.
    const [head] = await database.db.select({ acceptedAtMs: ledgerEntries.acceptedAtMs }).from(ledgerEntries).orderBy(desc(ledgerEntries.leafIndex)).limit(1);
    const issuedAtMs = head!.acceptedAtMs + 1_000;
    const [factorLine] = await database.db.select().from(creditLines).where(eq(creditLines.lenderOrgId, "org_gbfactor"));
    const documents = { invoiceSha256: sha256Hex(utf8ToBytes("invoice")), contractSha256: sha256Hex(utf8ToBytes("contract")), deliveryNoteSha256: sha256Hex(utf8ToBytes("delivery note")) };
    const body = { creditLineId: factorLine!.id, toOrgId: "org_pearl", amountMinor: 5_000_000n, currency: "CNY" as const, maturityDate: addDays(issuedAtMs, 30), documents };
    const issue = await submitWire(database.db, toWire(buildSigned(demoIdentity("org_huaxin"), "claim.issue", body, { nonce: nonce(), createdAtMs: issuedAtMs })), { clock: () => issuedAtMs });
    expect(issue.status).toBe("accepted");
    const [issued] = await database.db.select().from(claims).where(sql`${claims.parentId} is null and ${claims.createdTxId} = ${issue.txId}`);

    let nowMs = maturityAtMs(body.maturityDate) - 1;
    const clock = () => nowMs;
    const instances = ["web-1", "web-2"].map((instanceId) => createScheduler(database.db, [overdueJob], { instanceId, clock }));
    const before = await Promise.all(instances.map((s) => s.tick()));
    expect(before.flat()).toMatchObject([{ name: "overdue", status: "ok", summary: "No matured issuance with unpaid pieces." }]);
    expect((await database.db.select().from(claims).where(eq(claims.id, issued!.id)))[0]?.state).toBe("offered");

    nowMs += overdueJob.intervalMs;
    const atMaturity = await Promise.all(instances.map((s) => s.tick()));
    expect(atMaturity.flat()).toMatchObject([{ name: "overdue", status: "ok", summary: "1 of 1 matured issuance(s) marked overdue." }]);
    expect((await database.db.select().from(claims).where(eq(claims.id, issued!.id)))[0]?.state).toBe("overdue");
    const [row] = await database.db.select().from(scheduledJobs).where(eq(scheduledJobs.name, "overdue"));
    expect(row).toMatchObject({ runs: 2, failures: 0, lastStatus: "ok", lockedBy: null, nextRunAtMs: nowMs + overdueJob.intervalMs });

    // Triggered by hand through the registry, under the same lease: nothing left to do.
    nowMs += 1_000;
    expect(await runJobNow(database.db, "overdue", { clock })).toMatchObject({ status: "ok", summary: "No matured issuance with unpaid pieces." });
    expect((await verifyDatabase(database.db, nodeVerifier)).ok).toBe(true);
  });
});
