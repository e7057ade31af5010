import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { buildSigned, toWire } from "@/contracts/client";
import { hexToBytes } from "@/contracts/hex";
import { verifyProvenance } from "@/contracts/provenance";
import { submitWire } from "@/server/ledger/service";
import { seedDemo } from "@/server/seed/seed";
import { demoIdentity } from "@/server/seed/ledger-seed";
import { createTestDatabase } from "../helpers/db";
import { callerFor, codeOf } from "../helpers/callers";

/* What falls due for the core enterprise, on the seeded chain (two issuances already matured). */

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemo(database.db);
});
afterAll(async () => database.close());

describe("the core enterprise's maturity schedule", () => {
  it("lists what Huaxin still owes, soonest first, with what is overdue", async () => {
    const rows = await callerFor(database.db, "usr_huaxin_1").ledger.maturities();
    // The offer still waiting in tier 1's inbox owes nothing yet.
    expect(rows.map((r) => [r.faceMinor, r.outstandingMinor, r.overdueMinor, r.holders])).toEqual([
      [5_000_000n, 5_000_000n, 5_000_000n, 2],
      [8_000_000n, 8_000_000n, 8_000_000n, 2],
      [100_000_000n, 100_000_000n, 0n, 4],
    ]);
    expect(rows[0]?.daysToMaturity).toBe(-3);
    expect(rows[1]?.daysToMaturity).toBe(0);
    expect(rows[2]?.daysToMaturity).toBe(180);
    expect(rows.every((r) => r.tier1Name === "Pearl River Assembly Ltd.")).toBe(true);
  });

  it("a partial repayment lowers what is outstanding and overdue, to the fen", async () => {
    const [overdue] = await callerFor(database.db, "usr_huaxin_1").ledger.maturities();
    const repay = buildSigned(demoIdentity("org_huaxin"), "repayment.record", { rootClaimId: overdue!.rootId, amountMinor: 2_000_000n, paymentReference: "HX-LATE-1" }, { nonce: randomBytes(16).toString("hex"), createdAtMs: Date.now() });
    expect((await submitWire(database.db, toWire(repay))).status).toBe("accepted");
    const [after] = await callerFor(database.db, "usr_huaxin_1").ledger.maturities();
    expect(after).toMatchObject({ rootId: overdue!.rootId, repaidMinor: 2_000_000n, outstandingMinor: 3_000_000n, overdueMinor: 3_000_000n, holders: 2 });
  });

  it("the factor still verifies the provenance of its overdue, partly repaid piece in its own verifier", async () => {
    const [overdue] = await callerFor(database.db, "usr_huaxin_1").ledger.maturities();
    const financed = (await callerFor(database.db, "usr_gbfactor_1").financing.list()).find((f) => f.claimState === "overdue");
    expect(financed).toMatchObject({ faceMinor: 2_000_000n, outstandingMinor: 1_200_000n, recourse: true });
    const { bundle } = await callerFor(database.db, "usr_gbfactor_1").ledger.provenance({ claimId: financed!.claimId });
    const key = await callerFor(database.db, "usr_gbfactor_1").ledger.operatorKey();
    // Repayments and overdue marks are left out of a lineage replay (contracts/provenance.ts): the replayed piece is as financed.
    expect(verifyProvenance(bundle, hexToBytes(key.publicKeyHex, 32))).toMatchObject({ ok: true, claim: { id: financed!.claimId, holderOrgId: "org_gbfactor", rootId: overdue!.rootId } });
  });

  it("is the core enterprise's alone", async () => {
    expect((await callerFor(database.db, "usr_huaxin_2").ledger.maturities()).length).toBe(3);
    for (const userId of ["usr_pearl_1", "usr_cmtb_1", "usr_operator_1", "usr_zhengxin_1"]) {
      expect(await codeOf(callerFor(database.db, userId).ledger.maturities())).toBe("FORBIDDEN");
    }
    expect(await codeOf(callerFor(database.db, null).ledger.maturities())).toBe("UNAUTHORIZED");
  });
});
