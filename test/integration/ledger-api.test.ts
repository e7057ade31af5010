import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { eq, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { claims } from "@/db/schema";
import { buildSigned, toWire } from "@/contracts/client";
import { seedDemo } from "@/server/seed/seed";
import { demoIdentity } from "@/server/seed/ledger-seed";
import { createTestDatabase } from "../helpers/db";
import { callerFor, codeOf } from "../helpers/callers";
import { DASHBOARD_ROWS, dashboardFor } from "@/server/read/dashboard";

let database: Database;
let tier3ClaimId: string;
let tier1KeptId: string;
beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemo(database.db);
  // The 200.00 piece tier 3 financed with the bank (the bank holds it now).
  const [t3] = await database.db.select().from(claims).where(sql`${claims.amountMinor} = 20000 and ${claims.holderOrgId} = 'org_cmtb'`);
  const [t1] = await database.db.select().from(claims).where(sql`${claims.holderOrgId} = 'org_pearl' and ${claims.state} = 'held'`);
  tier3ClaimId = t3!.id;
  tier1KeptId = t1!.id;
});
afterAll(async () => database.close());

const nonce = () => randomBytes(16).toString("hex");
/** Zhengxin's auditor: its dashboard lists every live claim on the ledger. */
const AUDITOR = "usr_zhengxin_1";

describe("ledger API authorisation", () => {
  // The one test that changes the ledger writes to a seed of its own: the shared one stays as seeded for the readers below.
  let own: Database;
  beforeAll(async () => {
    own = await createTestDatabase();
    await seedDemo(own.db);
  });
  afterAll(async () => own.close());

  it("a user submits only transactions signed for their own organisation, as a maker or above", async () => {
    const tier2Key = demoIdentity("org_lingnan");
    const [kept] = await own.db.select().from(claims).where(sql`${claims.holderOrgId} = 'org_lingnan' and ${claims.state} = 'held'`);
    const wire = toWire(buildSigned(tier2Key, "claim.pledge", { claimId: kept!.id, lenderOrgId: "org_cmtb" }, { nonce: nonce(), createdAtMs: Date.now() }));
    expect(await codeOf(callerFor(own.db, "usr_pearl_1").ledger.submit(wire))).toBe("FORBIDDEN");
    expect(await codeOf(callerFor(own.db, null).ledger.submit(wire))).toBe("UNAUTHORIZED");
    expect(await codeOf(callerFor(own.db, "usr_metalworks_1").ledger.submit(wire))).toBe("FORBIDDEN");
    expect((await own.db.select().from(claims).where(eq(claims.id, kept!.id)))[0]?.state).toBe("held");
    const result = await callerFor(own.db, "usr_lingnan_1").ledger.submit(wire);
    expect(result).toMatchObject({ status: "accepted" });
    expect((await own.db.select().from(claims).where(eq(claims.id, kept!.id)))[0]?.state).toBe("pledged");
  });

  it("a viewer cannot submit", async () => {
    const core = demoIdentity("org_huaxin");
    const wire = toWire(buildSigned(core, "claim.withdraw", { claimId: tier1KeptId }, { nonce: nonce(), createdAtMs: Date.now() }));
    expect(await codeOf(callerFor(database.db, "usr_huaxin_2").ledger.submit(wire))).toBe("FORBIDDEN");
  });

  it("a malformed transaction is a BAD_REQUEST naming the field", async () => {
    const error = await callerFor(database.db, "usr_pearl_1")
      .ledger.submit({ transaction: { type: "claim.split" } } as never)
      .catch((e: unknown) => e as TRPCError);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe("BAD_REQUEST");
    // The body and the signature are missing: the message names both paths.
    expect((error as TRPCError).message).toMatch(/"signatureHex"/);
    expect((error as TRPCError).message).toMatch(/"body"/);
  });
});

describe("claim visibility", () => {
  it.each([
    ["usr_xinyuan_1", "the vendor that held it and financed it with the bank", "OK"],
    ["usr_pearl_1", "tier 1 passed it on (lineage)", "OK"],
    ["usr_lingnan_1", "tier 2 passed it on (lineage)", "OK"],
    ["usr_huaxin_1", "the issuing core enterprise", "OK"],
    ["usr_cmtb_1", "the bank that financed it", "OK"],
    ["usr_gbfactor_1", "another lender", "NOT_FOUND"],
    ["usr_zhengxin_1", "the auditor", "OK"],
  ])("%s (%s) sees tier 3's claim: %s", async (userId, _why, expected) => {
    expect(await codeOf(callerFor(database.db, userId).ledger.claim({ claimId: tier3ClaimId }))).toBe(expected);
  });

  it("a supplier does not see a sibling's holding", async () => {
    expect(await codeOf(callerFor(database.db, "usr_xinyuan_1").ledger.claim({ claimId: tier1KeptId }))).toBe("NOT_FOUND");
    expect(await codeOf(callerFor(database.db, "usr_lingnan_1").ledger.claim({ claimId: tier1KeptId }))).toBe("NOT_FOUND");
    const mine = await callerFor(database.db, "usr_xinyuan_1").ledger.myClaims();
    expect(mine.every((c) => c.holderOrgId === "org_xinyuan" || c.offeredToOrgId === "org_xinyuan")).toBe(true);
  });

  it("dashboards show each role its own figures", async () => {
    const supplier = await callerFor(database.db, "usr_pearl_1").ledger.dashboard();
    // 700,000.00 held and the two overdue tier-1 pieces (30,000.00 and 50,000.00) it still holds:
    // the same pieces, and the same sum, as its cash chart's "waiting for maturity".
    expect(supplier.figures[0]).toMatchObject({ label: "Holdings", valueMinor: 78_000_000n, count: 3 });
    const [cash] = await callerFor(database.db, "usr_pearl_1").reports.portfolio();
    const waiting = cash?.slices.find((slice) => slice.key === "waiting");
    expect(waiting).toMatchObject({ valueMinor: 78_000_000n, count: 3 });
    expect(supplier.figures[1]).toMatchObject({ label: "Awaiting your acceptance", valueMinor: 25_000_000n });
    const tier3 = await callerFor(database.db, "usr_xinyuan_1").ledger.dashboard();
    expect(tier3.figures[2]?.valueMinor).toBeGreaterThan(19_000n);
    expect(tier3.figures[2]?.valueMinor).toBeLessThan(20_000n);
    const core = await callerFor(database.db, "usr_huaxin_1").ledger.dashboard();
    // The lines lose what is issued and unpaid: 1,000,000 + 250,000 + two matured 50,000 and 80,000.
    expect(core.figures[0]?.valueMinor).toBe(7_000_000_000n - 138_000_000n);
    // What is past maturity and unpaid is its own figure (50,000 + 80,000), never "due in 30 days".
    expect(core.figures.find((f) => f.key === "dueIn30Days")?.valueMinor).toBe(0n);
    expect(core.figures.find((f) => f.key === "overdueIssued")?.valueMinor).toBe(13_000_000n);
    // Its rows are its issuances, each speaking for its pieces: together they owe what the
    // "Outstanding claims" card says, and the two matured ones read overdue.
    const rowsOwe = (await callerFor(database.db, "usr_huaxin_1").ledger.claimRows()).reduce((total, row) => total + row.outstandingMinor, 0n);
    expect(rowsOwe).toBe(core.figures.find((f) => f.key === "outstandingClaims")?.valueMinor);
    expect((await callerFor(database.db, "usr_huaxin_1").ledger.claimRows()).filter((row) => row.state === "overdue").map((row) => row.outstandingMinor).sort()).toEqual([5_000_000n, 8_000_000n]);
    const bank = await callerFor(database.db, "usr_cmtb_1").ledger.dashboard();
    // Tier 3's 200.00 and the overdue tier-2 piece of the issuance that matured today.
    expect(bank.figures[0]?.valueMinor).toBe(20_000n + 3_000_000n);
    expect(await codeOf(callerFor(database.db, "usr_metalworks_1").ledger.dashboard())).toBe("FORBIDDEN");
  });

  it("a dashboard lists the first rows of its role's whole list, soonest maturity first, and counts the whole list", async () => {
    for (const userId of ["usr_pearl_1", "usr_xinyuan_1", "usr_huaxin_1", "usr_cmtb_1", AUDITOR]) {
      const caller = callerFor(database.db, userId);
      const [dashboard, all] = await Promise.all([caller.ledger.dashboard(), caller.ledger.claimRows()]);
      expect(all.map((row) => `${row.maturityDate} ${row.id}`), userId).toEqual(all.map((row) => `${row.maturityDate} ${row.id}`).sort());
      expect(dashboard.claims, userId).toEqual(all.slice(0, DASHBOARD_ROWS));
      expect(dashboard.claimsTotal, userId).toBe(all.length);
      // The demo's lists are shorter than a dashboard shows: cut one row short, each is cut, its figures unchanged.
      expect(all.length, userId).toBeGreaterThan(0);
      const cut = await dashboardFor(database.db, await caller.auth.me(), Date.now(), all.length - 1);
      expect(cut.claims, userId).toEqual(all.slice(0, all.length - 1));
      expect(cut.claimsTotal, userId).toBe(all.length);
      expect(cut.figures, userId).toEqual(dashboard.figures);
    }
  });

  it("dashboard figures, added up in the database, equal the same sums over the whole list", async () => {
    const live = ["offered", "held", "pledged", "financed", "overdue"];
    const owed = (rows: { outstandingMinor: bigint }[]) => rows.reduce((total, row) => total + row.outstandingMinor, 0n);
    for (const [userId, self] of [["usr_pearl_1", "org_pearl"], ["usr_lingnan_1", "org_lingnan"], ["usr_xinyuan_1", "org_xinyuan"]] as const) {
      const caller = callerFor(database.db, userId);
      const [{ figures }, all] = await Promise.all([caller.ledger.dashboard(), caller.ledger.claimRows()]);
      const held = all.filter((row) => row.holderOrgId === self && ["held", "pledged", "overdue"].includes(row.state) && row.outstandingMinor > 0n);
      const offered = all.filter((row) => row.offeredToName !== null && row.holderOrgId !== self);
      expect(figures.find((f) => f.key === "holdings"), userId).toMatchObject({ count: held.length, valueMinor: owed(held) });
      expect(figures.find((f) => f.key === "awaitingAcceptance"), userId).toMatchObject({ count: offered.length, valueMinor: offered.reduce((total, row) => total + row.amountMinor, 0n) });
    }
    const bank = callerFor(database.db, "usr_cmtb_1");
    const [bankDashboard, financed] = await Promise.all([bank.ledger.dashboard(), bank.ledger.claimRows()]);
    expect(bankDashboard.figures.find((f) => f.key === "exposure")).toMatchObject({ count: financed.length, valueMinor: owed(financed) });
    const auditor = callerFor(database.db, AUDITOR);
    const [auditDashboard, liveRows] = await Promise.all([auditor.ledger.dashboard(), auditor.ledger.claimRows()]);
    expect(liveRows.every((row) => live.includes(row.state))).toBe(true);
    expect(auditDashboard.figures.find((f) => f.key === "outstanding")?.valueMinor).toBe(owed(liveRows));
    expect(auditDashboard.figures.find((f) => f.key === "overdue")?.valueMinor).toBe(owed(liveRows.filter((row) => row.state === "overdue")));
  });

  it("dashboard rows and the claim list name the organisations involved, and never list a split claim", async () => {
    const supplier = await callerFor(database.db, "usr_pearl_1").ledger.dashboard();
    expect(supplier.claims.length).toBeGreaterThan(0);
    expect(supplier.claims.every((c) => c.state !== "split" && c.holderName !== c.holderOrgId && c.issuerName === "Huaxin Electronics Co., Ltd.")).toBe(true);
    const mine = await callerFor(database.db, "usr_pearl_1").ledger.myClaims();
    expect(mine.map((c) => c.state)).not.toContain("split");
    const splitHeld = await database.db.select().from(claims).where(sql`${claims.holderOrgId} = 'org_pearl' and ${claims.state} = 'split'`);
    expect(splitHeld.length).toBeGreaterThan(0);
  });

  it("a provenance bundle names exactly the organisations of its lineage", async () => {
    const result = await callerFor(database.db, "usr_xinyuan_1").ledger.provenance({ claimId: tier3ClaimId });
    const named = Object.keys(result.organisationNames).sort();
    // The operator (genesis), the core enterprise, the bank (its line's lender, and it financed the piece) and the three tiers.
    expect(named).toEqual(["org_cmtb", "org_huaxin", "org_lingnan", "org_operator", "org_pearl", "org_xinyuan"]);
    expect(result.organisationNames.org_cmtb).not.toBe("org_cmtb");
  });
});
