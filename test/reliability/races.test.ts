import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { claims, creditLines, financingPolicies, ledgerEntries, users } from "@/db/schema";
import { seedDemo } from "@/server/seed/seed";
import type { SubmitResult } from "@/server/ledger/service";
import type { WireSignedTransaction } from "@/contracts/ledger/schema";
import { createTestDatabase } from "../helpers/db";
import { callerFor, runtimeFor } from "../helpers/callers";
import { addFigures } from "./figures";
import { accepted, addDays, checkInvariants, codeOf, deriveId, freshDocuments, heldClaims, ids, refusedCodes, signed, verifyOk } from "./support";

/*
 * Concurrent requests through the tRPC API (the path a browser takes: authorisation, the
 * per-organisation rate limit, the ledger service), all spending the same claim. The log
 * head's row lock serialises appends, so exactly one wins and every other request gets
 * the contract's result code; the tables and the replayed log agree afterwards.
 */

const RACERS = Number(process.env.RELIABILITY_RACERS ?? 60);
const USERS: Record<string, string> = {
  org_huaxin: "usr_huaxin_1",
  org_pearl: "usr_pearl_1",
  org_lingnan: "usr_lingnan_1",
  org_xinyuan: "usr_xinyuan_1",
  org_cmtb: "usr_cmtb_1",
  org_gbfactor: "usr_gbfactor_1",
};

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemo(database.db);
});
afterAll(async () => database?.close());
beforeEach(() => runtimeFor(database.db).limits.submissions.clear());

/** Submits every wire transaction at once, each through the API as a user of its signer's organisation. */
async function race(wires: WireSignedTransaction[]): Promise<SubmitResult[]> {
  return Promise.all(wires.map((wire) => callerFor(database.db, USERS[wire.transaction.signer.orgId] ?? "none").ledger.submit(wire)));
}

async function claimState(id: string) {
  const [row] = await database.db.select().from(claims).where(eq(claims.id, id));
  return row;
}

async function expectConsistent(task: Parameters<typeof addFigures>[0], results: SubmitResult[], expectedAccepted = 1) {
  const wins = accepted(results);
  expect(wins).toHaveLength(expectedAccepted);
  expect(wins.every((w) => !w.duplicate)).toBe(true);
  expect(refusedCodes(results)).toHaveLength(results.length - expectedAccepted);
  const counts = await database.db.select({ n: sql<number>`count(*)::int` }).from(ledgerEntries).where(sql`${ledgerEntries.txId} in ${wins.map((w) => w.txId)}`);
  expect(counts[0]?.n).toBe(expectedAccepted);
  await checkInvariants(database.db);
  const replayed = await verifyOk(database.db);
  addFigures(task, { requestsRaced: results.length, raceAccepted: wins.length, raceRefused: results.length - wins.length, transactionsChecked: replayed });
}

const split = (claimId: string, i: number) =>
  signed(ids.tier1, "claim.split", { claimId, parts: [{ toOrgId: "org_lingnan", amountMinor: BigInt(1000 + i) }, { toOrgId: "org_pearl", amountMinor: 1_000_000n - BigInt(1000 + i) }] });
const transfer = (claimId: string, i: number) =>
  signed(ids.tier1, "claim.split", { claimId, parts: [{ toOrgId: i % 2 ? "org_lingnan" : "org_xinyuan", amountMinor: 1_000_000n }] });
const pledge = (claimId: string, i: number) => signed(ids.tier1, "claim.pledge", { claimId, lenderOrgId: i % 2 ? "org_cmtb" : "org_gbfactor" });
const financeRequest = (claimId: string, i: number) => signed(ids.tier1, "financing.request", { claimId, lenderOrgId: i % 2 ? "org_cmtb" : "org_gbfactor" });

describe(`${RACERS} concurrent requests spending one claim: exactly one is accepted`, () => {
  it.for([
    ["split", split, ["claim_not_held"], "split"],
    ["transfer (the whole claim to another supplier)", transfer, ["claim_not_held"], "split"],
    ["pledge", pledge, ["claim_is_pledged"], "pledged"],
    ["financing.request", financeRequest, ["claim_in_financing"], "held"],
  ] as const)("%s", async ([, build, codes, finalState], { task }) => {
    const [claimId] = await heldClaims(database.db, 1);
    const results = await race(Array.from({ length: RACERS }, (_, i) => build(claimId!, i)));
    await expectConsistent(task, results);
    for (const code of refusedCodes(results)) expect(codes).toContain(code);
    expect((await claimState(claimId!))?.state).toBe(finalState);
  });

  it("mixed: split, transfer, pledge and financing.request at once", async ({ task }) => {
    const [claimId] = await heldClaims(database.db, 1);
    const builders = [split, transfer, pledge, financeRequest];
    const results = await race(Array.from({ length: RACERS }, (_, i) => builders[i % 4]!(claimId!, i)));
    await expectConsistent(task, results);
    // A pledge to the factor that won makes the bank's financing requests claim_pledged_to_other_lender.
    for (const code of refusedCodes(results)) expect(["claim_not_held", "claim_is_pledged", "claim_in_financing", "claim_pledged_to_other_lender"]).toContain(code);
    const row = await claimState(claimId!);
    expect(row?.state === "split" || row?.state === "pledged" || row?.activeFinancingId !== null).toBe(true);
  });

  it("auto-financing under the factor's policy, a manual financing request to the bank and a split at once", async ({ task }) => {
    // A pledge is left out on purpose: pledging to a lender and then being financed by that
    // same lender is a legitimate sequence of two, not a double spend.
    const [policy] = await database.db.select().from(financingPolicies).where(sql`${financingPolicies.status} = 'active' and ${financingPolicies.lenderOrgId} = 'org_gbfactor'`);
    const [claimId] = await heldClaims(database.db, 1, 300_000n);
    const underPolicy = () => signed(ids.tier1, "financing.requestUnderPolicy", { claimId: claimId!, policyId: policy!.id, rateBps: 420, feeMinor: 0n, recourse: false, disbursementDate: addDays(Date.now(), 0) });
    const bankRequest = () => signed(ids.tier1, "financing.request", { claimId: claimId!, lenderOrgId: "org_cmtb" });
    const smallSplit = (i: number) => signed(ids.tier1, "claim.split", { claimId: claimId!, parts: [{ toOrgId: "org_lingnan", amountMinor: BigInt(100 + i) }, { toOrgId: "org_pearl", amountMinor: 300_000n - BigInt(100 + i) }] });
    const results = await race(Array.from({ length: RACERS }, (_, i) => (i % 3 === 0 ? underPolicy() : i % 3 === 1 ? bankRequest() : smallSplit(i))));
    await expectConsistent(task, results);
    for (const code of refusedCodes(results)) expect(["claim_in_financing", "claim_not_held", "claim_already_financed", "claim_not_held_by_signer"]).toContain(code);
    const row = await claimState(claimId!);
    expect(row?.state === "split" || row?.activeFinancingId !== null || row?.state === "financed").toBe(true);
  });

  it("the holder and the lenders: a pledge released and re-pledged, raced from both sides", async ({ task }) => {
    const [claimId] = await heldClaims(database.db, 1);
    const results = await race(
      Array.from({ length: RACERS }, (_, i) => (i % 3 === 0 ? signed(ids.bank, "claim.release", { claimId: claimId! }) : i % 3 === 1 ? pledge(claimId!, 1) : split(claimId!, i))),
    );
    // Only a pledge or a split can win first (a release needs a pledge); if the pledge won,
    // the bank's releases that came after it may win too, then another pledge, and so on:
    // whatever the order, the tables must equal the replayed log and the invariants hold.
    const wins = accepted(results);
    expect(wins.length).toBeGreaterThanOrEqual(1);
    await checkInvariants(database.db);
    const replayed = await verifyOk(database.db);
    addFigures(task, { requestsRaced: results.length, raceAccepted: wins.length, raceRefused: results.length - wins.length, transactionsChecked: replayed });
  });

  it("an offer answered at once by accept, reject and withdraw: one answer counts", async ({ task }) => {
    const lineId = (await database.db.select().from(creditLines).where(sql`${creditLines.lenderOrgId} = 'org_cmtb'`))[0]!.id;
    const issue = signed(ids.core, "claim.issue", { creditLineId: lineId, toOrgId: "org_pearl", amountMinor: 500_000n, currency: "CNY", maturityDate: addDays(Date.now(), 60), documents: freshDocuments() });
    const issued = await callerFor(database.db, "usr_huaxin_1").ledger.submit(issue);
    const claimId = deriveId("c", issued.txId!, 0);
    const results = await race(
      Array.from({ length: RACERS }, (_, i) =>
        i % 3 === 0 ? signed(ids.tier1, "claim.accept", { claimId }) : i % 3 === 1 ? signed(ids.tier1, "claim.reject", { claimId, reason: `No order ${i}` }) : signed(ids.core, "claim.withdraw", { claimId }),
      ),
    );
    await expectConsistent(task, results);
    for (const code of refusedCodes(results)) expect(code).toBe("claim_not_offered");
  });

  it("the same signed transaction sent many times at once is appended once", async ({ task }) => {
    const [claimId] = await heldClaims(database.db, 1);
    const wire = pledge(claimId!, 0);
    const results = await race(Array.from({ length: RACERS }, () => wire));
    const wins = accepted(results);
    expect(wins).toHaveLength(RACERS);
    expect(wins.filter((w) => !w.duplicate)).toHaveLength(1);
    expect(new Set(wins.map((w) => w.leafIndex)).size).toBe(1);
    const [count] = await database.db.select({ n: sql<number>`count(*)::int` }).from(ledgerEntries).where(eq(ledgerEntries.txId, wins[0]!.txId));
    expect(count?.n).toBe(1);
    const replayed = await verifyOk(database.db);
    addFigures(task, { requestsRaced: RACERS, raceAccepted: 1, raceRefused: 0, raceDuplicates: RACERS - 1, transactionsChecked: replayed });
  });

  it("issuances racing for the last of a credit line: it is never overdrawn", async ({ task }) => {
    const grant = await callerFor(database.db, "usr_gbfactor_1").ledger.submit(
      signed(ids.factor, "creditLine.grant", { coreEnterpriseOrgId: "org_huaxin", currency: "CNY", limitMinor: 10_000n, expiresAtMs: Date.now() + 30 * 86_400_000 }),
    );
    const lineId = deriveId("cl", grant.txId!, 0);
    await runtimeFor(database.db).limits.submissions.clear();
    const results = await race(
      Array.from({ length: RACERS }, () =>
        signed(ids.core, "claim.issue", { creditLineId: lineId, toOrgId: "org_pearl", amountMinor: 1_000n, currency: "CNY", maturityDate: addDays(Date.now(), 60), documents: freshDocuments() }),
      ),
    );
    await expectConsistent(task, results, 10);
    for (const code of refusedCodes(results)) expect(code).toBe("credit_line_insufficient");
    const [line] = await database.db.select().from(creditLines).where(eq(creditLines.id, lineId));
    expect(line?.usedMinor).toBe(10_000n);
  });
});

describe("independent claims in parallel", () => {
  it("every submission on its own claim is accepted", async ({ task }) => {
    const count = Number(process.env.RELIABILITY_PARALLEL ?? 40);
    const claimIds = await heldClaims(database.db, count);
    const results = await race(claimIds.map((claimId, i) => (i % 2 ? split(claimId, i) : pledge(claimId, i))));
    expect(refusedCodes(results)).toEqual([]);
    expect(accepted(results)).toHaveLength(count);
    expect(new Set(accepted(results).map((r) => r.leafIndex)).size).toBe(count);
    await checkInvariants(database.db);
    const replayed = await verifyOk(database.db);
    addFigures(task, { parallelIndependent: count, transactionsChecked: replayed });
  });

  it("several organisations at once, each on its own claims", async ({ task }) => {
    const perOrg = 10;
    const tier1Claims = await heldClaims(database.db, perOrg);
    const tier2Claims = await heldClaims(database.db, perOrg, 1_000_000n, ids.tier2);
    const tier3Claims = await heldClaims(database.db, perOrg, 1_000_000n, ids.tier3);
    const wires = [
      ...tier1Claims.map((c) => signed(ids.tier1, "claim.pledge", { claimId: c, lenderOrgId: "org_cmtb" })),
      ...tier2Claims.map((c) => signed(ids.tier2, "financing.request", { claimId: c, lenderOrgId: "org_gbfactor" })),
      ...tier3Claims.map((c) => signed(ids.tier3, "claim.split", { claimId: c, parts: [{ toOrgId: "org_pearl", amountMinor: 1n }, { toOrgId: "org_xinyuan", amountMinor: 999_999n }] })),
    ];
    const results = await race(wires);
    expect(refusedCodes(results)).toEqual([]);
    await checkInvariants(database.db);
    const replayed = await verifyOk(database.db);
    addFigures(task, { parallelIndependent: wires.length, transactionsChecked: replayed });
  });
});

describe("check-then-insert races outside the ledger", () => {
  it("sign-ups and invitations racing for one email: one wins, the others get CONFLICT, never a 500", async ({ task }) => {
    const n = 12;
    const application = (i: number) => ({ organisationName: `Racing Applicant ${i}`, role: "supplier" as const, city: "", registrationNumber: "", adminName: "Racer", adminEmail: "racer@example.com", adminPassword: "a long enough password" });
    const applied = await Promise.all(Array.from({ length: n }, (_, i) => codeOf(callerFor(database.db, null).auth.applyToJoin(application(i)))));
    expect(applied.filter((c) => c === "OK")).toHaveLength(1);
    expect(applied.filter((c) => c !== "OK").every((c) => c === "CONFLICT")).toBe(true);
    const invited = await Promise.all(
      Array.from({ length: n }, () => codeOf(callerFor(database.db, "usr_pearl_1").users.invite({ orgId: "org_pearl", email: "invitee.race@example.com", name: "Invitee", permission: "maker" }))),
    );
    expect(invited.filter((c) => c === "OK")).toHaveLength(1);
    expect(invited.filter((c) => c !== "OK").every((c) => c === "CONFLICT")).toBe(true);
    const [count] = await database.db.select({ n: sql<number>`count(*)::int` }).from(users).where(sql`${users.email} in ('racer@example.com', 'invitee.race@example.com')`);
    expect(count?.n).toBe(2);
    addFigures(task, { requestsRaced: 2 * n, raceAccepted: 2, raceRefused: 2 * n - 2 });
  });
});
