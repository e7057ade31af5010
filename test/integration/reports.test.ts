import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { claims, financings, ledgerEntries, repayments } from "@/db/schema";
import { buildSigned, toWire } from "@/contracts/client";
import { seedDemo } from "@/server/seed/seed";
import { demoIdentity } from "@/server/seed/ledger-seed";
import { loadActor } from "@/server/services/users";
import { maturityBucket, portfolioFor, type Chart } from "@/server/services/portfolio";
import { decimalCny, safeText } from "@/server/services/exports";
import { csvDownload } from "@/server/trpc/csv-download";
import { createTestDatabase } from "../helpers/db";
import { callerFor, codeOf } from "../helpers/callers";

/*
 * Dashboard figures and CSV exports computed on the demo ledger (built from signed
 * transactions), then again after the core enterprise repays the first issuance in full.
 */

let database: Database;
const DAY_MS = 86_400_000;
const ids = { root: "", tier1Kept: "", tier2Kept: "", tier3: "", pending: "", financing: "" };
const BOM = "\uFEFF";

const actor = async (userId: string) => (await loadActor(database.db, userId))!;
const values = (chart: Chart | undefined) => Object.fromEntries((chart?.slices ?? []).map((s) => [s.label, s.valueMinor]));
const claimId = async (where: ReturnType<typeof sql>) => (await database.db.select({ id: claims.id }).from(claims).where(where))[0]!.id;

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemo(database.db);
  ids.root = await claimId(sql`${claims.parentId} is null and ${claims.amountMinor} = 100000000`);
  ids.pending = await claimId(sql`${claims.parentId} is null and ${claims.amountMinor} = 25000000`);
  ids.tier1Kept = await claimId(sql`${claims.holderOrgId} = 'org_pearl' and ${claims.state} = 'held'`);
  ids.tier2Kept = await claimId(sql`${claims.holderOrgId} = 'org_lingnan' and ${claims.state} = 'held'`);
  ids.tier3 = await claimId(sql`${claims.amountMinor} = 20000`);
  ids.financing = (await database.db.select({ id: financings.id }).from(financings))[0]!.id;
});
afterAll(async () => database.close());

describe("maturity buckets", () => {
  const now = Date.parse("2026-12-01T10:00:00Z");
  it.each([
    ["2026-12-01", "held", "overdue"],
    ["2026-11-15", "held", "overdue"],
    ["2027-06-01", "overdue", "overdue"],
    ["2026-12-02", "held", "d30"],
    ["2026-12-31", "held", "d30"],
    ["2027-01-01", "held", "d90"],
    ["2027-03-01", "held", "d90"],
    ["2027-03-02", "held", "d180"],
    ["2027-05-30", "held", "d180"],
    ["2027-05-31", "held", "later"],
  ])("%s (%s) -> %s", (date, state, bucket) => expect(maturityBucket(date, state, now)).toBe(bucket));
});

describe("portfolio figures on the demo ledger", () => {
  it("lender: the bank's exposure is tier 3's 200.00 piece, on Huaxin, maturing in 180 days", async () => {
    const [byCore, byMaturity] = await portfolioFor(database.db, await actor("usr_cmtb_1"));
    expect(byCore!.slices).toEqual([{ key: "org_huaxin", label: "Huaxin Electronics Co., Ltd.", valueMinor: 20_000n, count: 1 }]);
    expect(values(byMaturity)).toEqual({ Overdue: 0n, "≤ 30 days": 0n, "31–90 days": 0n, "91–180 days": 20_000n, "> 180 days": 0n });
    // 100 days on, the same piece is 80 days from maturity; past maturity it is overdue.
    expect(values((await portfolioFor(database.db, await actor("usr_cmtb_1"), Date.now() + 100 * DAY_MS))[1])["31–90 days"]).toBe(20_000n);
    expect(values((await portfolioFor(database.db, await actor("usr_cmtb_1"), Date.now() + 181 * DAY_MS))[1]).Overdue).toBe(20_000n);
  });

  it("lender: the factor financed nothing, so it sees no exposure (not the bank's)", async () => {
    const [byCore, byMaturity] = await portfolioFor(database.db, await actor("usr_gbfactor_1"));
    expect(byCore!.slices).toEqual([]);
    expect(byMaturity!.slices.every((s) => s.valueMinor === 0n)).toBe(true);
  });

  it("core enterprise: outstanding by tier, the pending offer counted at tier 1", async () => {
    const [byTier] = await portfolioFor(database.db, await actor("usr_huaxin_1"));
    expect(values(byTier)).toEqual({ "Tier 1": 95_000_000n, "Tier 2": 29_980_000n, "Tier 3": 20_000n, "Tier 4+": 0n });
    expect((await portfolioFor(database.db, await actor("usr_huaxin_2")))[0]).toEqual(byTier); // the viewer sees the same
  });

  it("suppliers: received early (net proceeds), waiting and settled", async () => {
    expect(values((await portfolioFor(database.db, await actor("usr_pearl_1")))[0])).toEqual({ "Received early": 0n, "Waiting for maturity": 70_000_000n, Settled: 0n });
    expect(values((await portfolioFor(database.db, await actor("usr_lingnan_1")))[0])).toEqual({ "Received early": 0n, "Waiting for maturity": 29_980_000n, Settled: 0n });
    // 200.00 at 4.50% for 180 days (ACT/360): 4.50 interest, no fee.
    expect(values((await portfolioFor(database.db, await actor("usr_xinyuan_1")))[0])).toEqual({ "Received early": 19_550n, "Waiting for maturity": 0n, Settled: 0n });
  });

  it("is refused to auditors, the operator, pending organisations and anonymous callers", async () => {
    for (const userId of ["usr_zhengxin_1", "usr_operator_1", "usr_metalworks_1"]) expect(await codeOf(callerFor(database.db, userId).reports.portfolio()), userId).toBe("FORBIDDEN");
    expect(await codeOf(callerFor(database.db, null).reports.portfolio())).toBe("UNAUTHORIZED");
  });
});

describe("CSV exports", () => {
  const csvOf = async (userId: string | null, dataset: string) => {
    const response = await csvDownload(callerFor(database.db, userId), dataset);
    // Decoded keeping the byte order mark, which Response.text() would silently drop.
    const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(await response.arrayBuffer());
    return { status: response.status, type: response.headers.get("content-type"), disposition: response.headers.get("content-disposition"), text };
  };

  it("amounts as exact decimals, text that looks like a formula defused", () => {
    expect([0n, 1n, 20_000n, 29_980_000n, 10n ** 17n].map(decimalCny)).toEqual(["0.00", "0.01", "200.00", "299800.00", "1000000000000000.00"]);
    expect(["=SUM(A1)", "+1", "-2", "@x", "Plain, with comma"].map(safeText)).toEqual(["'=SUM(A1)", "'+1", "'-2", "'@x", "Plain, with comma"]);
  });

  it("holdings: tier 2's own piece only, the core enterprise's name quoted for its comma", async () => {
    const file = await csvOf("usr_lingnan_1", "holdings");
    expect(file.status).toBe(200);
    expect(file.type).toBe("text/csv; charset=utf-8");
    expect(file.disposition).toMatch(/^attachment; filename="double-chain-holdings-\d{4}-\d{2}-\d{2}\.csv"$/);
    const [row] = await database.db.select().from(claims).where(eq(claims.id, ids.tier2Kept));
    expect(file.text).toBe(
      `${BOM}claim_id,root_claim_id,core_enterprise,tier,state,face_amount_cny,settled_cny,outstanding_cny,currency,maturity_date\r\n` +
        `${ids.tier2Kept},${ids.root},"Huaxin Electronics Co., Ltd.",2,held,299800.00,0.00,299800.00,CNY,${row!.maturityDate}\r\n`,
    );
  });

  it("financings: the tier-3 vendor and the bank see the demo financing; tier 1 and the factor do not", async () => {
    const [f] = await database.db.select().from(financings).where(eq(financings.id, ids.financing));
    const [entry] = await database.db.select().from(ledgerEntries).where(eq(ledgerEntries.txId, f!.createdTxId));
    const [tier3] = await database.db.select().from(claims).where(eq(claims.id, ids.tier3));
    const expected =
      `${BOM}financing_id,requested_at,status,claim_id,holder,lender,core_enterprise,face_amount_cny,annual_rate_percent,discount_interest_cny,fees_cny,net_proceeds_cny,disbursement_date,maturity_date,recourse,payment_reference\r\n` +
      `${ids.financing},${new Date(entry!.acceptedAtMs).toISOString()},disbursed,${ids.tier3},Chengdu Xinyuan Components,China Merchants Trade Bank,"Huaxin Electronics Co., Ltd.",200.00,4.50,4.50,0.00,195.50,${f!.disbursementDate},${tier3!.maturityDate},no,CMTB-DEMO-0001\r\n`;
    expect((await csvOf("usr_xinyuan_1", "financings")).text).toBe(expected);
    expect((await csvOf("usr_cmtb_1", "financings")).text).toBe(expected);
    const header = expected.split("\r\n")[0] + "\r\n";
    expect((await csvOf("usr_pearl_1", "financings")).text).toBe(header);
    expect((await csvOf("usr_gbfactor_1", "financings")).text).toBe(header);
  });

  it("repayments: the core enterprise sees every holder paid, each holder only its own share; quotes in a reference are doubled", async () => {
    const core = demoIdentity("org_huaxin");
    const reference = 'HX "final", batch 2';
    const signed = buildSigned(core, "repayment.record", { rootClaimId: ids.root, amountMinor: 100_000_000n, paymentReference: reference }, { nonce: randomBytes(16).toString("hex"), createdAtMs: Date.now() });
    expect((await callerFor(database.db, "usr_huaxin_1").ledger.submit(toWire(signed))).status).toBe("accepted");
    const [repayment] = await database.db.select().from(repayments);
    const [entry] = await database.db.select().from(ledgerEntries).where(eq(ledgerEntries.txId, repayment!.createdTxId));
    const at = new Date(entry!.acceptedAtMs).toISOString();
    const header = "repayment_id,recorded_at,root_claim_id,core_enterprise,payment_reference,repayment_total_cny,claim_id,holder,amount_cny\r\n";
    const line = (claim: string, holder: string, amount: string) => `${repayment!.id},${at},${ids.root},"Huaxin Electronics Co., Ltd.","HX ""final"", batch 2",1000000.00,${claim},${holder},${amount}\r\n`;
    const byClaim = new Map(repayment!.allocations.map((a) => [a.claimId, a]));
    expect([...byClaim.keys()].sort()).toEqual([ids.tier1Kept, ids.tier2Kept, ids.tier3].sort());
    const coreCsv = (await csvOf("usr_huaxin_1", "repayments")).text;
    expect(coreCsv.startsWith(`${BOM}${header}`)).toBe(true);
    expect(coreCsv.split("\r\n").slice(1, -1).sort()).toEqual(
      [line(ids.tier1Kept, "Pearl River Assembly Ltd.", "700000.00"), line(ids.tier2Kept, "Lingnan PCB Manufacturing Co.", "299800.00"), line(ids.tier3, "China Merchants Trade Bank", "200.00")].map((l) => l.slice(0, -2)).sort(),
    );
    expect((await csvOf("usr_lingnan_1", "repayments")).text).toBe(`${BOM}${header}${line(ids.tier2Kept, "Lingnan PCB Manufacturing Co.", "299800.00")}`);
    expect((await csvOf("usr_cmtb_1", "repayments")).text).toBe(`${BOM}${header}${line(ids.tier3, "China Merchants Trade Bank", "200.00")}`);
    // The vendor financed its piece away before the repayment: nothing was paid to it.
    expect((await csvOf("usr_xinyuan_1", "repayments")).text).toBe(`${BOM}${header}`);
    expect((await csvOf("usr_gbfactor_1", "repayments")).text).toBe(`${BOM}${header}`);
  });

  it("after the repayment the figures move from waiting to settled, and the bank's exposure is gone", async () => {
    expect(values((await portfolioFor(database.db, await actor("usr_pearl_1")))[0])).toEqual({ "Received early": 0n, "Waiting for maturity": 0n, Settled: 70_000_000n });
    expect(values((await portfolioFor(database.db, await actor("usr_lingnan_1")))[0])).toEqual({ "Received early": 0n, "Waiting for maturity": 0n, Settled: 29_980_000n });
    expect((await portfolioFor(database.db, await actor("usr_cmtb_1")))[0]!.slices).toEqual([]);
    expect(values((await portfolioFor(database.db, await actor("usr_huaxin_1")))[0])).toEqual({ "Tier 1": 25_000_000n, "Tier 2": 0n, "Tier 3": 0n, "Tier 4+": 0n });
    const [pending] = await database.db.select().from(claims).where(and(eq(claims.id, ids.pending), isNull(claims.parentId)));
    expect(pending!.state).toBe("offered");
  });

  it("needs a session (401), a business organisation (403) and a known dataset (404)", async () => {
    expect((await csvOf(null, "holdings")).status).toBe(401);
    expect((await csvOf("usr_zhengxin_1", "holdings")).status).toBe(403);
    expect((await csvOf("usr_metalworks_1", "financings")).status).toBe(403);
    const unknown = await csvOf("usr_pearl_1", "passwords");
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain("holdings, financings, repayments");
  });
});
