import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { claims, financings, ledgerEntries, repayments } from "@/db/schema";
import { buildSigned, toWire } from "@/contracts/client";
import { demoIdentity } from "@/server/seed/ledger-seed";
import { loadActor } from "@/server/auth/accounts";
import { maturityBucket, portfolioFor, type Chart } from "@/server/read/portfolio";
import { decimalCny, safeText } from "@/server/read/exports";
import { csvDownload, withHeadings } from "@/server/trpc/csv-download";
import { createTestDatabase } from "../helpers/db";
import { buildKnownLedger, type KnownLedger } from "../helpers/known-ledger";
import { callerFor, codeOf } from "../helpers/callers";

/*
 * Dashboard figures and CSV exports computed on a known ledger built from signed
 * transactions (test/helpers/known-ledger.ts), then again after the core enterprise repays
 * the first issuance in full.
 */

let database: Database;
let known: KnownLedger;
const DAY_MS = 86_400_000;
const BOM = "\uFEFF";
const HUAXIN = '"Huaxin Electronics Co., Ltd."';

const actor = async (userId: string) => (await loadActor(database.db, userId))!;
const values = (chart: Chart | undefined) => Object.fromEntries((chart?.slices ?? []).map((s) => [s.label, s.valueMinor]));
const cash = async (userId: string) => values((await portfolioFor(database.db, await actor(userId)))[0]);
const maturityOf = async (claimId: string) => (await database.db.select().from(claims).where(eq(claims.id, claimId)))[0]!.maturityDate;

beforeAll(async () => {
  database = await createTestDatabase();
  known = await buildKnownLedger(database.db);
});
afterAll(async () => database.close());

describe("maturity buckets", () => {
  const now = Date.parse("2026-12-01T10:00:00Z");
  it.each([
    ["2026-12-01", "held", "d30"],
    ["2026-11-30", "financed", "overdue"],
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

describe("portfolio figures on a known ledger", () => {
  it("lender: the bank's exposure is tier 3's 200.00 piece, on Huaxin, maturing in 180 days", async () => {
    const [byCore, byMaturity] = await portfolioFor(database.db, await actor("usr_cmtb_1"));
    expect(byCore!.slices).toEqual([{ key: "org_huaxin", label: "Huaxin Electronics Co., Ltd.", valueMinor: 20_000n, count: 1 }]);
    expect(values(byMaturity)).toEqual({ Overdue: 0n, "≤ 30 days": 0n, "31–90 days": 0n, "91–180 days": 20_000n, "> 180 days": 0n });
    // 100 days on, the same piece is 80 days from maturity; past maturity it is overdue.
    expect(values((await portfolioFor(database.db, await actor("usr_cmtb_1"), Date.now() + 100 * DAY_MS))[1])["31–90 days"]).toBe(20_000n);
    expect(values((await portfolioFor(database.db, await actor("usr_cmtb_1"), Date.now() + 181 * DAY_MS))[1]).Overdue).toBe(20_000n);
  });

  it("lender: the factor's own exposure only (tier 1's 80,000.00 at 60 days, Wu's 50,000.00 at 180), not the bank's", async () => {
    const [byCore, byMaturity] = await portfolioFor(database.db, await actor("usr_gbfactor_1"));
    expect(byCore!.slices).toEqual([{ key: "org_huaxin", label: "Huaxin Electronics Co., Ltd.", valueMinor: 13_000_000n, count: 2 }]);
    expect(values(byMaturity)).toEqual({ Overdue: 0n, "≤ 30 days": 0n, "31–90 days": 8_000_000n, "91–180 days": 5_000_000n, "> 180 days": 0n });
  });

  it("core enterprise: outstanding by tier, the pending offer and financed pieces included", async () => {
    const [byTier] = await portfolioFor(database.db, await actor("usr_huaxin_1"));
    expect(values(byTier)).toEqual({ "Tier 1": 98_000_000n, "Tier 2": 34_980_000n, "Tier 3": 20_000n, "Tier 4+": 0n });
    expect((await portfolioFor(database.db, await actor("usr_huaxin_2")))[0]).toEqual(byTier); // the viewer sees the same
  });

  it("suppliers: received early (net proceeds), waiting and settled", async () => {
    // 80,000.00 at 6.00% for 60 days (ACT/360) is 800.00, plus a 10.00 fee.
    expect(await cash("usr_pearl_1")).toEqual({ "Received early": 7_919_000n, "Waiting for maturity": 65_000_000n, Settled: 0n });
    expect(await cash("usr_lingnan_1")).toEqual({ "Received early": 0n, "Waiting for maturity": 29_980_000n, Settled: 0n });
    // 200.00 at 4.50% for 180 days: 4.50 interest, no fee.
    expect(await cash("usr_xinyuan_1")).toEqual({ "Received early": 19_550n, "Waiting for maturity": 0n, Settled: 0n });
    // 50,000.00 at 5.00% for 180 days: 1,250.00.
    expect(await cash("usr_wuparts_1")).toEqual({ "Received early": 4_875_000n, "Waiting for maturity": 0n, Settled: 0n });
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
    expect(file.text).toBe(
      `${BOM}claim_id,root_claim_id,core_enterprise,tier,state,face_amount_cny,settled_cny,outstanding_cny,currency,maturity_date\r\n` +
        `${known.tier2KeptA},${known.rootA},${HUAXIN},2,held,299800.00,0.00,299800.00,CNY,${await maturityOf(known.rootA)}\r\n`,
    );
  });

  it("in Chinese, the header row of every export is in Chinese and the rows are unchanged; every column has a heading in both catalogues", async () => {
    const zh = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, "../../messages/zh-CN.json"), "utf8")).csv.columns as Record<string, string>;
    const en = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, "../../messages/en.json"), "utf8")).csv.columns as Record<string, string>;
    for (const [userId, dataset] of [["usr_lingnan_1", "holdings"], ["usr_gbfactor_1", "financings"], ["usr_huaxin_1", "repayments"]] as const) {
      const plain = (await csvOf(userId, dataset)).text;
      const columns = plain.slice(BOM.length, plain.indexOf("\r\n")).split(",");
      expect(columns.filter((column) => !zh[column] || !en[column]), dataset).toEqual([]);
      const response = await csvDownload(callerFor(database.db, userId), dataset, (column) => zh[column] ?? column);
      const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(await response.arrayBuffer());
      expect(text).toBe(`${BOM}${columns.map((column) => zh[column]).join(",")}${plain.slice(plain.indexOf("\r\n"))}`);
    }
    expect(withHeadings(`${BOM}a,b\r\n1,2\r\n`, (column) => (column === "a" ? 'x, "y"' : column))).toBe(`${BOM}"x, ""y""",b\r\n1,2\r\n`);
  });

  it("financings: each party sees its own; quotes in a name are doubled, a formula-like reference defused", async () => {
    const header = "financing_id,requested_at,status,claim_id,holder,lender,core_enterprise,face_amount_cny,annual_rate_percent,discount_interest_cny,fees_cny,net_proceeds_cny,disbursement_date,maturity_date,recourse,payment_reference\r\n";
    const line = async (financingId: string, claimId: string, rest: string) => {
      const [f] = await database.db.select().from(financings).where(eq(financings.id, financingId));
      const [entry] = await database.db.select().from(ledgerEntries).where(eq(ledgerEntries.txId, f!.createdTxId));
      return `${financingId},${new Date(entry!.acceptedAtMs).toISOString()},disbursed,${claimId},${rest.replace("{paid}", f!.disbursementDate!).replace("{matures}", await maturityOf(claimId))}\r\n`;
    };
    const bank = await line(known.bankFinancing, known.tier3PieceA, `Chengdu Xinyuan Components,China Merchants Trade Bank,${HUAXIN},200.00,4.50,4.50,0.00,195.50,{paid},{matures},no,CMTB-0001`);
    const wu = await line(known.factorFinancingWu, known.wuPieceA, `"Wu ""Golden Bull"" Parts, Ltd.",Greater Bay Factoring Co.,${HUAXIN},50000.00,5.00,1250.00,0.00,48750.00,{paid},{matures},no,"'=HYPERLINK(""http://x"")"`);
    const pearl = await line(known.factorFinancingC, known.rootC, `Pearl River Assembly Ltd.,Greater Bay Factoring Co.,${HUAXIN},80000.00,6.00,800.00,10.00,79190.00,{paid},{matures},no,GBF-0002`);
    expect((await csvOf("usr_xinyuan_1", "financings")).text).toBe(`${BOM}${header}${bank}`);
    expect((await csvOf("usr_cmtb_1", "financings")).text).toBe(`${BOM}${header}${bank}`);
    expect((await csvOf("usr_gbfactor_1", "financings")).text).toBe(`${BOM}${header}${wu}${pearl}`);
    expect((await csvOf("usr_wuparts_1", "financings")).text).toBe(`${BOM}${header}${wu}`);
    expect((await csvOf("usr_pearl_1", "financings")).text).toBe(`${BOM}${header}${pearl}`);
    expect((await csvOf("usr_lingnan_1", "financings")).text).toBe(`${BOM}${header}`);
    expect((await csvOf("usr_huaxin_1", "financings")).text).toBe(`${BOM}${header}`);
  });

  it("repayments: the core enterprise sees every holder paid, each holder only its own share; quotes in a reference are doubled", async () => {
    const core = demoIdentity("org_huaxin");
    const reference = 'HX "final", batch 2';
    const signed = buildSigned(core, "repayment.record", { rootClaimId: known.rootA, amountMinor: 100_000_000n, paymentReference: reference }, { nonce: randomBytes(16).toString("hex"), createdAtMs: Date.now() });
    expect((await callerFor(database.db, "usr_huaxin_1").ledger.submit(toWire(signed))).status).toBe("accepted");
    const [repayment] = await database.db.select().from(repayments);
    const [entry] = await database.db.select().from(ledgerEntries).where(eq(ledgerEntries.txId, repayment!.createdTxId));
    const at = new Date(entry!.acceptedAtMs).toISOString();
    const header = "repayment_id,recorded_at,root_claim_id,core_enterprise,payment_reference,repayment_total_cny,claim_id,holder,amount_cny\r\n";
    const line = (claim: string, holder: string, amount: string) => `${repayment!.id},${at},${known.rootA},${HUAXIN},"HX ""final"", batch 2",1000000.00,${claim},${holder},${amount}\r\n`;
    const tier1 = line(known.tier1KeptA, "Pearl River Assembly Ltd.", "650000.00");
    const tier2 = line(known.tier2KeptA, "Lingnan PCB Manufacturing Co.", "299800.00");
    const factor = line(known.wuPieceA, "Greater Bay Factoring Co.", "50000.00");
    const bank = line(known.tier3PieceA, "China Merchants Trade Bank", "200.00");
    const coreCsv = (await csvOf("usr_huaxin_1", "repayments")).text;
    expect(coreCsv.startsWith(`${BOM}${header}`)).toBe(true);
    expect(coreCsv.slice(BOM.length + header.length).split(/(?<=\r\n)/).sort()).toEqual([tier1, tier2, factor, bank].sort());
    expect((await csvOf("usr_pearl_1", "repayments")).text).toBe(`${BOM}${header}${tier1}`);
    expect((await csvOf("usr_lingnan_1", "repayments")).text).toBe(`${BOM}${header}${tier2}`);
    expect((await csvOf("usr_gbfactor_1", "repayments")).text).toBe(`${BOM}${header}${factor}`);
    expect((await csvOf("usr_cmtb_1", "repayments")).text).toBe(`${BOM}${header}${bank}`);
    // Wu and the vendor financed their pieces away before the repayment: nothing was paid to them.
    expect((await csvOf("usr_xinyuan_1", "repayments")).text).toBe(`${BOM}${header}`);
    expect((await csvOf("usr_wuparts_1", "repayments")).text).toBe(`${BOM}${header}`);
  });

  it("after the repayment the figures move from waiting to settled, and what was repaid leaves the exposure", async () => {
    expect(await cash("usr_pearl_1")).toEqual({ "Received early": 7_919_000n, "Waiting for maturity": 0n, Settled: 65_000_000n });
    expect(await cash("usr_lingnan_1")).toEqual({ "Received early": 0n, "Waiting for maturity": 0n, Settled: 29_980_000n });
    expect((await portfolioFor(database.db, await actor("usr_cmtb_1")))[0]!.slices).toEqual([]);
    expect((await portfolioFor(database.db, await actor("usr_gbfactor_1")))[0]!.slices).toEqual([{ key: "org_huaxin", label: "Huaxin Electronics Co., Ltd.", valueMinor: 8_000_000n, count: 1 }]);
    expect(values((await portfolioFor(database.db, await actor("usr_huaxin_1")))[0])).toEqual({ "Tier 1": 33_000_000n, "Tier 2": 0n, "Tier 3": 0n, "Tier 4+": 0n });
    expect((await database.db.select().from(claims).where(eq(claims.id, known.rootB)))[0]!.state).toBe("offered");
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
