import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { claims, financingPolicies, financings } from "@/db/schema";
import { buildSigned, toWire, type SigningIdentity } from "@/contracts/client";
import { deriveId } from "@/contracts/canonical";
import { hexToBytes } from "@/contracts/hex";
import { beijingDate } from "@/contracts/ledger/maturity";
import type { TransactionBodies, TransactionType } from "@/contracts/ledger/types";
import { quoteFinancing } from "@/contracts/pricing";
import { verifyProvenance } from "@/contracts/provenance";
import { nodeVerifier } from "@/server/crypto/node-verifier";
import { verifyDatabase } from "@/server/ledger/export";
import { latestCheckpointTextHash, submitWire } from "@/server/ledger/service";
import { paymentReference } from "@/server/witness/lender-agent";
import { seedDemo } from "@/server/seed/seed";
import { demoAgentIdentity, demoIdentity } from "@/server/seed/ledger-seed";
import { createTestDatabase } from "../helpers/db";
import { callerFor, codeOf } from "../helpers/callers";

/*
 * Auto-financing on a real database: the factor's seeded policy approves tier 3's 200.00
 * piece without a person and the factor's settlement agent key confirms the disbursement
 * (test/trust/lender-agent.test.ts runs the agent itself, as a process); the platform key may
 * not. The same piece can never be financed or pledged again (also when requests race),
 * changed terms are refused, and the tables' constraints back the contract.
 */

let database: Database;
/** The seeded free 200.00 tier-3 piece: only the test that finances it from the seed uses it. */
let freePieceId = "";
const nonce = () => randomBytes(16).toString("hex");
const tier2 = demoIdentity("org_lingnan");
const tier3 = demoIdentity("org_xinyuan");
const factor = demoIdentity("org_gbfactor");
const factorAgent = demoAgentIdentity("org_gbfactor");

function wire<K extends TransactionType>(who: SigningIdentity, type: K, body: TransactionBodies[K]) {
  return toWire(buildSigned(who, type, body, { nonce: nonce(), createdAtMs: Date.now() }));
}
/** The factor's active policy, read each time: no test depends on which policy an earlier one left active. */
async function activePolicy() {
  const [policy] = await database.db.select().from(financingPolicies).where(and(eq(financingPolicies.status, "active"), eq(financingPolicies.lenderOrgId, "org_gbfactor")));
  return policy!;
}
/** An application under the active policy, on its terms unless `over` changes them. */
async function underPolicy(who: SigningIdentity, claimId: string, over: Partial<TransactionBodies["financing.requestUnderPolicy"]> = {}) {
  const policy = await activePolicy();
  return wire(who, "financing.requestUnderPolicy", { claimId, policyId: policy.id, rateBps: policy.rateBps, feeMinor: policy.feeMinor, recourse: policy.recourse, disbursementDate: beijingDate(Date.now()), ...over });
}
/** What the factor's settlement agent submits once it found the application eligible (server/witness/lender-agent.ts). */
async function agentDisburses(financingId: string) {
  const checkpointHash = (await latestCheckpointTextHash(database.db))!;
  return submitWire(database.db, wire(factorAgent, "financing.disburse", { financingId, paymentReference: paymentReference(financingId), checkpointHash }));
}
/** A fresh tier-3 piece approved under the policy through the API and disbursed by the factor's agent key: its financing id. */
async function freshAutoFinancedPiece(amountMinor: bigint): Promise<{ pieceId: string; financingId: string }> {
  const pieceId = await freshTier3Piece(amountMinor);
  const result = await callerFor(database.db, "usr_xinyuan_1").ledger.submit(await underPolicy(tier3, pieceId));
  if (result.status !== "accepted") throw new Error(`application refused: ${result.code}`);
  const financingId = deriveId("fin", result.txId, 0);
  const disbursed = await agentDisburses(financingId);
  if (disbursed.status !== "accepted") throw new Error(`disbursement refused: ${disbursed.code}`);
  return { pieceId, financingId };
}
async function claimRow(id: string) {
  const [row] = await database.db.select().from(claims).where(eq(claims.id, id));
  return row!;
}
/** Tier 2 passes `amountMinor` of its 100,000.00 piece to tier 3, who accepts: a fresh tier-3 piece. */
async function freshTier3Piece(amountMinor: bigint): Promise<string> {
  const [source] = await database.db.select().from(claims).where(sql`${claims.holderOrgId} = 'org_lingnan' and ${claims.state} = 'held' and ${claims.amountMinor} > 1000000`).orderBy(claims.amountMinor);
  const split = await submitWire(database.db, wire(tier2, "claim.split", { claimId: source!.id, parts: [{ toOrgId: "org_xinyuan", amountMinor }, { toOrgId: "org_lingnan", amountMinor: source!.amountMinor - amountMinor }] }));
  if (split.status !== "accepted") throw new Error(`split refused: ${split.code}`);
  const pieceId = deriveId("c", split.txId, 0);
  const accept = await submitWire(database.db, wire(tier3, "claim.accept", { claimId: pieceId }));
  if (accept.status !== "accepted") throw new Error(`accept refused: ${accept.code}`);
  return pieceId;
}

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemo(database.db);
  const [free] = await database.db.select().from(claims).where(sql`${claims.holderOrgId} = 'org_xinyuan' and ${claims.state} = 'held' and ${claims.amountMinor} = 20000`);
  freePieceId = free!.id;
});
afterAll(async () => database.close());

describe("auto-financing under the factor's policy", () => {
  it("quotes tier 3 the policy's terms for today, exactly as the contract prices them", async () => {
    const pieceId = await freshTier3Piece(20_000n);
    const policy = await activePolicy();
    const offers = await callerFor(database.db, "usr_xinyuan_1").financing.policyOffers({ claimId: pieceId });
    expect(offers).toHaveLength(1);
    const piece = await claimRow(pieceId);
    const expected = quoteFinancing({ faceMinor: 20_000n, rateBps: policy.rateBps, feeMinor: policy.feeMinor, disbursementDate: beijingDate(Date.now()), maturityDate: piece.maturityDate });
    expect(expected.ok).toBe(true);
    if (!expected.ok) return;
    expect(offers[0]).toMatchObject({ policyId: policy.id, lenderOrgId: "org_gbfactor", eligible: true, reason: null, rateBps: policy.rateBps, days: expected.days, interestMinor: expected.interestMinor, netMinor: expected.netMinor });
    // Nobody but the holder gets offers for the piece; a tier-2 piece above 5,000.00 is above the policy's ceiling.
    expect(await callerFor(database.db, "usr_huaxin_1").financing.policyOffers({ claimId: pieceId })).toEqual([]);
    const [big] = await database.db.select().from(claims).where(sql`${claims.holderOrgId} = 'org_lingnan' and ${claims.state} = 'held' and ${claims.amountMinor} > ${policy.maxAmountMinor}`);
    const bigOffers = await callerFor(database.db, "usr_lingnan_1").financing.policyOffers({ claimId: big!.id });
    expect(bigOffers.map((o) => [o.eligible, o.reason])).toEqual([[false, "policy_amount_exceeded"]]);
  });

  it("approves tier 3's 200.00 piece under the policy, which the factor's agent key disburses and the platform key may not", async () => {
    const policy = await activePolicy();
    const result = await callerFor(database.db, "usr_xinyuan_1").ledger.submit(await underPolicy(tier3, freePieceId));
    expect(result).toMatchObject({ status: "accepted" });
    const financingId = deriveId("fin", result.txId!, 0);
    // No post-commit hook disburses for the lender any more: the application waits for the lender's agent.
    expect(result.status === "accepted" && (result.followUps ?? [])).toEqual([]);
    const [waiting] = await database.db.select().from(financings).where(eq(financings.id, financingId));
    expect(waiting).toMatchObject({ status: "accepted", policyId: policy.id });
    const { loadPlatformKey } = await import("@/server/platform/key");
    const platform = await loadPlatformKey(database.db);
    const operator = { orgId: "org_operator", keyId: platform.keyId, privateKey: platform.privateKey };
    const checkpointHash = (await latestCheckpointTextHash(database.db))!;
    expect(await submitWire(database.db, wire(operator, "financing.disburse", { financingId, paymentReference: "DC-AUTO-FORGED", checkpointHash }))).toMatchObject({ status: "refused", code: "signer_not_financier" });
    expect(await agentDisburses(financingId)).toMatchObject({ status: "accepted" });
    const [financing] = await database.db.select().from(financings).where(eq(financings.id, financingId));
    expect(financing).toMatchObject({ status: "disbursed", policyId: policy.id, lenderOrgId: "org_gbfactor", faceMinor: 20_000n, rateBps: policy.rateBps, paymentReference: paymentReference(financingId) });
    expect(await claimRow(freePieceId)).toMatchObject({ state: "financed", holderOrgId: "org_gbfactor", financedOnce: true, activeFinancingId: null });
  });

  it("refuses a second financing or pledge of the same piece, through either path", async () => {
    const { pieceId } = await freshAutoFinancedPiece(21_000n);
    const again = await submitWire(database.db, await underPolicy(tier3, pieceId));
    expect(again).toMatchObject({ status: "refused", code: "claim_not_held_by_signer" });
    const byLender = await submitWire(database.db, wire(factor, "financing.request", { claimId: pieceId, lenderOrgId: "org_cmtb" }));
    expect(byLender).toMatchObject({ status: "refused", code: "claim_already_financed" });
    const pledge = await submitWire(database.db, wire(factor, "claim.pledge", { claimId: pieceId, lenderOrgId: "org_cmtb" }));
    expect(pledge).toMatchObject({ status: "refused", code: "claim_not_held" });
  });

  it("of racing requests to finance or pledge one piece, exactly one wins", async () => {
    const pieceId = await freshTier3Piece(30_000n);
    const racers = [
      ...(await Promise.all(Array.from({ length: 6 }, () => underPolicy(tier3, pieceId)))),
      ...Array.from({ length: 6 }, () => wire(tier3, "financing.request", { claimId: pieceId, lenderOrgId: "org_cmtb" })),
      ...Array.from({ length: 6 }, () => wire(tier3, "claim.pledge", { claimId: pieceId, lenderOrgId: "org_cmtb" })),
    ];
    const results = await Promise.all(racers.map((tx) => submitWire(database.db, tx)));
    expect(results.filter((r) => r.status === "accepted")).toHaveLength(1);
    const open = await database.db.select().from(financings).where(and(eq(financings.claimId, pieceId), sql`${financings.status} in ('requested','offered','accepted','disbursed')`));
    expect(open.length).toBeLessThanOrEqual(1);
    expect((await verifyDatabase(database.db, nodeVerifier)).ok).toBe(true);
  });

  it("refuses terms the policy does not offer, a stale quote after the policy changed, and a date other than today", async () => {
    const pieceId = await freshTier3Piece(40_000n);
    const before = await activePolicy();
    const stale = await underPolicy(tier3, pieceId);
    expect(await submitWire(database.db, await underPolicy(tier3, pieceId, { rateBps: before.rateBps + 1 }))).toMatchObject({ status: "refused", code: "policy_terms_changed" });
    const tomorrow = beijingDate(Date.now() + 86_400_000);
    expect(await submitWire(database.db, await underPolicy(tier3, pieceId, { disbursementDate: tomorrow }))).toMatchObject({ status: "refused", code: "disbursement_date_not_today" });
    // The factor signs its policy again with the same terms: a new policy replaces the old one.
    const { coreEnterpriseOrgId, currency, maxAmountMinor, maxDepth, rateBps, feeMinor, recourse } = before;
    const set = await submitWire(database.db, wire(factor, "financingPolicy.set", { coreEnterpriseOrgId, currency: currency as "CNY", maxAmountMinor, maxDepth, rateBps, feeMinor, recourse }));
    expect(set.status).toBe("accepted");
    expect(await submitWire(database.db, stale)).toMatchObject({ status: "refused", code: "policy_not_active" });
    const [old] = await database.db.select().from(financingPolicies).where(eq(financingPolicies.id, before.id));
    expect(old).toMatchObject({ status: "replaced", endedTxId: set.txId });
    const current = await activePolicy();
    expect(current.id).toBe(deriveId("pol", set.txId!, 0));
    expect(await submitWire(database.db, await underPolicy(tier3, pieceId))).toMatchObject({ status: "accepted" });
  });

  it("the operator cannot confirm a manual financing's disbursement", async () => {
    const pieceId = await freshTier3Piece(50_000n);
    const request = await submitWire(database.db, wire(tier3, "financing.request", { claimId: pieceId, lenderOrgId: "org_cmtb" }));
    const financingId = deriveId("fin", request.txId!, 0);
    const bank = demoIdentity("org_cmtb");
    expect((await submitWire(database.db, wire(bank, "financing.offer", { financingId, rateBps: 400, feeMinor: 0n, disbursementDate: beijingDate(Date.now()), recourse: false, checkpointHash: (await latestCheckpointTextHash(database.db))! }))).status).toBe("accepted");
    expect((await submitWire(database.db, wire(tier3, "financing.accept", { financingId }))).status).toBe("accepted");
    const { loadPlatformKey } = await import("@/server/platform/key");
    const platform = await loadPlatformKey(database.db);
    const operator = { orgId: "org_operator", keyId: platform.keyId, privateKey: platform.privateKey };
    expect(await submitWire(database.db, wire(operator, "financing.disburse", { financingId, paymentReference: "DC-AUTO-FORGED", checkpointHash: (await latestCheckpointTextHash(database.db))! }))).toMatchObject({ status: "refused", code: "signer_not_financier" });
  });

  it("the auto-financed piece's provenance verifies in a lender's verifier, policy included", async () => {
    const { financingId } = await freshAutoFinancedPiece(22_000n);
    const [financed] = await database.db.select().from(financings).where(and(eq(financings.id, financingId), eq(financings.status, "disbursed")));
    const { bundle } = await callerFor(database.db, "usr_gbfactor_1").ledger.provenance({ claimId: financed!.claimId });
    const types = bundle.entries.map((e) => (e.signed as { transaction: { type: string } }).transaction.type);
    expect(types).toContain("financingPolicy.set");
    expect(types).toContain("financing.requestUnderPolicy");
    const { operatorKey } = await import("@/server/read/log");
    const key = await operatorKey(database.db);
    const result = verifyProvenance(bundle, hexToBytes(key.publicKeyHex, 32));
    expect(result).toMatchObject({ ok: true, claim: { id: financed!.claimId, state: "financed", holderOrgId: "org_gbfactor" } });
  });

  it("shows policies to whom they concern", async () => {
    const { financingId } = await freshAutoFinancedPiece(23_000n);
    const mine = await callerFor(database.db, "usr_gbfactor_1").financing.policies();
    expect(mine.every((p) => p.lenderOrgId === "org_gbfactor")).toBe(true);
    expect(mine.filter((p) => p.status === "active")).toHaveLength(1);
    expect(await callerFor(database.db, "usr_cmtb_1").financing.policies()).toEqual([]);
    const core = await callerFor(database.db, "usr_huaxin_1").financing.policies();
    expect(core.map((p) => [p.lenderOrgId, p.status])).toEqual([["org_gbfactor", "active"]]);
    expect(await codeOf(callerFor(database.db, "usr_pearl_1").financing.policies())).toBe("FORBIDDEN");
    expect(await codeOf(callerFor(database.db, "usr_pearl_1").financing.policyTargets())).toBe("FORBIDDEN");
    expect(await callerFor(database.db, "usr_gbfactor_1").financing.policyTargets()).toEqual([{ id: "org_huaxin", name: "Huaxin Electronics Co., Ltd." }]);
    const activity = await callerFor(database.db, "usr_gbfactor_1").financing.policyActivity();
    expect(activity.find((a) => a.financingId === financingId)).toMatchObject({ status: "disbursed", holderName: "Chengdu Xinyuan Components" });
    expect(activity.every((a) => a.status === "disbursed" || a.status === "accepted")).toBe(true);
  });
});

describe("the tables back the policy invariants", () => {
  async function failure(statement: ReturnType<typeof sql>): Promise<string> {
    try {
      await database.db.execute(statement);
      return "no error";
    } catch (error) {
      return `${error instanceof Error ? error.message : String(error)} ${String((error as { cause?: unknown }).cause ?? "")}`;
    }
  }

  it("refuses a second active policy for one lender and core enterprise", async () => {
    const text = await failure(sql`insert into financing_policies values ('pol_${sql.raw("f".repeat(24))}', 'org_gbfactor', 'org_huaxin', 'CNY', 100, 1, 100, 0, false, 'active', 'tx', null)`);
    expect(text).toMatch(/financing_policies_one_active/);
  });

  it("refuses a non-positive ceiling, an ended policy without its transaction, and a financing naming no policy", async () => {
    expect(await failure(sql`insert into financing_policies values ('pol_x1', 'org_cmtb', 'org_huaxin', 'CNY', 0, 1, 100, 0, false, 'active', 'tx', null)`)).toMatch(/financing_policies_max_amount_positive/);
    expect(await failure(sql`insert into financing_policies values ('pol_x2', 'org_cmtb', 'org_huaxin', 'CNY', 10, 1, 100, 0, false, 'revoked', 'tx', null)`)).toMatch(/financing_policies_ended_has_tx/);
    expect(await failure(sql`update financings set policy_id = 'pol_missing' where id = (select id from financings limit 1)`)).toMatch(/financings_policy_id_financing_policies_id_fk/);
  });
});
