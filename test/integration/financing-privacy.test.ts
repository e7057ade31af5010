import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { claims, financingPolicies, ledgerEntries } from "@/db/schema";
import { buildSigned, toWire, type SigningIdentity } from "@/contracts/client";
import { deriveId } from "@/contracts/canonical";
import { beijingDate } from "@/contracts/ledger/maturity";
import { REFUSAL_TEXTS } from "@/contracts/ledger/refusals";
import type { TransactionBodies, TransactionType } from "@/contracts/ledger/types";
import { logEntryLeafHash, type LogEntry } from "@/contracts/log";
import { verifyProvenance, type ProvenanceBundle } from "@/contracts/provenance";
import { committedTermsBody, termsSalt } from "@/contracts/terms-commitments";
import { transactionId } from "@/contracts/transaction";
import { nodeVerifier } from "@/server/crypto/node-verifier";
import { verifyDatabase } from "@/server/ledger/export";
import { buildProvenanceBundle, ProvenanceStore } from "@/server/ledger/provenance";
import { latestCheckpointTextHash, submitWire } from "@/server/ledger/service";
import { loadPlatformKey } from "@/server/platform/key";
import { seedDemo } from "@/server/seed/seed";
import { demoIdentity } from "@/server/seed/ledger-seed";
import { createTestDatabase } from "../helpers/db";
import { callerFor } from "../helpers/callers";

/*
 * Issue 13, deliverable 7, on a real database: the factor (lender A) offered on tier two's piece
 * and tier two applied under the factor's policy, declining both; the piece then went on to tier
 * three, who asks the bank (lender B). The bank's bundle of tier three's claim carries every one of
 * the factor's terms only as a commitment (same ids and leaves) and still verifies with its state
 * proofs; the factor's own view shows them. A body in the committed form is never taken by the
 * service (financing_terms_hidden).
 */

let database: Database;
const nonce = () => randomBytes(16).toString("hex");
const salt = () => termsSalt(randomBytes);
const tier2 = demoIdentity("org_lingnan");
const tier3 = demoIdentity("org_xinyuan");
const factor = demoIdentity("org_gbfactor");
const bank = demoIdentity("org_cmtb");

// Terms to look for, as a body writes them (quoted, so that no hex digest can contain them by chance).
const FACTOR_FEE_MINOR = 12_345n;
const FACTOR_REASON = "Tier two finds seven point seven seven percent too dear";
const WITHDRAWN_REASON = "Tier two withdrew its policy application";
const BANK_FEE_MINOR = 13_579n;

/** What the scenario left: tier three's claim and the financings on it and on its parent. */
const scenario = { claimId: "", parentId: "", factorFinancingId: "", policyFinancingId: "", bankFinancingId: "" };

function wire<K extends TransactionType>(who: SigningIdentity, type: K, body: TransactionBodies[K]) {
  return toWire(buildSigned(who, type, body, { nonce: nonce(), createdAtMs: Date.now() }));
}
async function submit<K extends TransactionType>(who: SigningIdentity, type: K, body: TransactionBodies[K]): Promise<string> {
  const result = await submitWire(database.db, wire(who, type, body));
  if (result.status !== "accepted") throw new Error(`${type} refused: ${result.code} ${result.detail ?? ""}`);
  return result.txId;
}
const today = () => beijingDate(Date.now());
const checkpointNow = async () => (await latestCheckpointTextHash(database.db))!;
const logSize = async () => (await database.db.select({ count: sql<number>`count(*)::int` }).from(ledgerEntries))[0]!.count;

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemo(database.db);
  // Tier two keeps a 3,000.00 piece of its 100,000.00 one (within the factor's policy: at most 5,000.00).
  const [source] = await database.db.select().from(claims).where(sql`${claims.holderOrgId} = 'org_lingnan' and ${claims.state} = 'held' and ${claims.amountMinor} = 10000000`);
  const split = await submit(tier2, "claim.split", { claimId: source!.id, parts: [{ toOrgId: tier2.orgId, amountMinor: 300_000n }, { toOrgId: tier2.orgId, amountMinor: 9_700_000n }] });
  scenario.parentId = deriveId("c", split, 0);
  // The factor's offer, which tier two declines.
  scenario.factorFinancingId = deriveId("fin", await submit(tier2, "financing.request", { claimId: scenario.parentId, lenderOrgId: factor.orgId }), 0);
  const offer = { financingId: scenario.factorFinancingId, rateBps: 777, feeMinor: FACTOR_FEE_MINOR, disbursementDate: today(), recourse: true, checkpointHash: await checkpointNow() };
  await submit(factor, "financing.offer", { ...offer, termsSaltHex: salt() });
  await submit(tier2, "financing.decline", { financingId: scenario.factorFinancingId, reason: FACTOR_REASON, termsSaltHex: salt() });
  // An application under the factor's policy, which tier two withdraws.
  const [policy] = await database.db.select().from(financingPolicies).where(and(eq(financingPolicies.status, "active"), eq(financingPolicies.lenderOrgId, factor.orgId)));
  const underPolicy = { claimId: scenario.parentId, policyId: policy!.id, rateBps: policy!.rateBps, feeMinor: policy!.feeMinor, recourse: policy!.recourse, disbursementDate: today(), termsSaltHex: salt() };
  scenario.policyFinancingId = deriveId("fin", await submit(tier2, "financing.requestUnderPolicy", underPolicy), 0);
  await submit(tier2, "financing.decline", { financingId: scenario.policyFinancingId, reason: WITHDRAWN_REASON, termsSaltHex: salt() });
  // Tier two passes 1,000.00 of it to tier three, who asks the bank; the bank offers.
  const pass = await submit(tier2, "claim.split", { claimId: scenario.parentId, parts: [{ toOrgId: tier3.orgId, amountMinor: 100_000n }, { toOrgId: tier2.orgId, amountMinor: 200_000n }] });
  scenario.claimId = deriveId("c", pass, 0);
  await submit(tier3, "claim.accept", { claimId: scenario.claimId });
  scenario.bankFinancingId = deriveId("fin", await submit(tier3, "financing.request", { claimId: scenario.claimId, lenderOrgId: bank.orgId }), 0);
  const bankOffer = { financingId: scenario.bankFinancingId, rateBps: 389, feeMinor: BANK_FEE_MINOR, disbursementDate: today(), recourse: false, checkpointHash: await checkpointNow() };
  await submit(bank, "financing.offer", { ...bankOffer, termsSaltHex: salt() });
});

afterAll(async () => {
  await database?.close();
});

type Body = Record<string, unknown>;
const entriesOf = (bundle: ProvenanceBundle, type: string, financingId?: string) =>
  bundle.entries.filter((entry) => entry.signed.transaction.type === type && (financingId === undefined || (entry.signed.transaction.body as Body).financingId === financingId));
const bodyOf = (bundle: ProvenanceBundle, type: string, financingId?: string) => entriesOf(bundle, type, financingId)[0]?.signed.transaction.body as Body;
const COMMITMENT = expect.stringMatching(/^[0-9a-f]{64}$/);
const quoted = (value: unknown) => JSON.stringify(String(value));

async function viewOf(viewerOrgId: string): Promise<ProvenanceBundle> {
  return buildProvenanceBundle(database.db, scenario.claimId, new ProvenanceStore(), { viewerOrgId });
}
async function expectVerifies(bundle: ProvenanceBundle) {
  const result = verifyProvenance(bundle, (await loadPlatformKey(database.db)).publicKey, nodeVerifier, { requireState: true });
  if (!result.ok) throw new Error(`${result.code}: ${result.detail}`);
  expect(result.state?.claim).toMatchObject({ claimId: scenario.claimId, holderOrgId: tier3.orgId, activeFinancingId: scenario.bankFinancingId, financedOnce: false });
}

describe("another lender's financing in a bundle", () => {
  it("the bank (lender B) gets the factor's offer, policy, application and declines as commitments only, through its own provenance call, and it verifies", async () => {
    const { bundle } = await callerFor(database.db, "usr_cmtb_1").ledger.provenance({ claimId: scenario.claimId });
    const text = JSON.stringify(bundle);
    for (const hidden of [FACTOR_FEE_MINOR, FACTOR_REASON, WITHDRAWN_REASON].map(quoted)) expect(text).not.toContain(hidden);
    expect(bodyOf(bundle, "financing.offer", scenario.factorFinancingId)).toEqual({ financingId: scenario.factorFinancingId, checkpointHash: COMMITMENT, termsCommitmentHex: COMMITMENT });
    expect(bodyOf(bundle, "financingPolicy.set")).toEqual({ coreEnterpriseOrgId: "org_huaxin", currency: "CNY", termsCommitmentHex: COMMITMENT });
    expect(bodyOf(bundle, "financing.requestUnderPolicy")).toEqual({ claimId: scenario.parentId, policyId: expect.any(String), termsCommitmentHex: COMMITMENT });
    for (const financingId of [scenario.factorFinancingId, scenario.policyFinancingId]) {
      expect(bodyOf(bundle, "financing.decline", financingId)).toEqual({ financingId, termsCommitmentHex: COMMITMENT });
    }
    // Its own offer, in the clear.
    expect(bodyOf(bundle, "financing.offer", scenario.bankFinancingId)).toMatchObject({ rateBps: 389, feeMinor: BANK_FEE_MINOR.toString() });
    await expectVerifies(bundle);
  });

  it("the factor (lender A) sees its own offer, policy and the declines in the clear and the bank's offer as a commitment, and it verifies", async () => {
    const bundle = await viewOf(factor.orgId);
    expect(JSON.stringify(bundle)).not.toContain(quoted(BANK_FEE_MINOR));
    expect(bodyOf(bundle, "financing.offer", scenario.factorFinancingId)).toMatchObject({ rateBps: 777, feeMinor: FACTOR_FEE_MINOR.toString(), recourse: true, termsSaltHex: COMMITMENT });
    expect(bodyOf(bundle, "financingPolicy.set")).toMatchObject({ maxAmountMinor: "500000", maxDepth: 5, rateBps: 420 });
    expect(bodyOf(bundle, "financing.decline", scenario.factorFinancingId)).toMatchObject({ reason: FACTOR_REASON });
    expect(bodyOf(bundle, "financing.offer", scenario.bankFinancingId)).toEqual({ financingId: scenario.bankFinancingId, checkpointHash: COMMITMENT, termsCommitmentHex: COMMITMENT });
    // The issuance's credit line is the bank's: the seed signs its grant with a terms salt too.
    expect(bodyOf(bundle, "creditLine.grant")).toEqual({ coreEnterpriseOrgId: "org_huaxin", currency: "CNY", termsCommitmentHex: COMMITMENT });
    await expectVerifies(bundle);
  });

  it("tier three, the bank's applicant, sees the bank's offer but not tier two's financings; tier two sees its own (the policy's terms stay the factor's); both verify", async () => {
    const { bundle: holders } = await callerFor(database.db, "usr_xinyuan_1").ledger.provenance({ claimId: scenario.claimId });
    expect(bodyOf(holders, "financing.offer", scenario.bankFinancingId)).toMatchObject({ rateBps: 389 });
    expect(bodyOf(holders, "financing.offer", scenario.factorFinancingId)).not.toHaveProperty("rateBps");
    await expectVerifies(holders);
    const { bundle: tier2s } = await callerFor(database.db, "usr_lingnan_1").ledger.provenance({ claimId: scenario.claimId });
    expect(bodyOf(tier2s, "financing.offer", scenario.factorFinancingId)).toMatchObject({ rateBps: 777 });
    expect(bodyOf(tier2s, "financing.requestUnderPolicy")).toMatchObject({ rateBps: 420, feeMinor: "0" });
    expect(bodyOf(tier2s, "financingPolicy.set")).toEqual({ coreEnterpriseOrgId: "org_huaxin", currency: "CNY", termsCommitmentHex: COMMITMENT });
    expect(bodyOf(tier2s, "financing.offer", scenario.bankFinancingId)).not.toHaveProperty("rateBps");
    await expectVerifies(tier2s);
  });

  it("shows the same transaction ids, signatures and leaf hashes to every viewer", async () => {
    const [hidden, clear] = [await viewOf(bank.orgId), await viewOf(factor.orgId)];
    expect(hidden.entries.map((entry) => entry.leafIndex)).toEqual(clear.entries.map((entry) => entry.leafIndex));
    const differing = hidden.entries.filter((entry, i) => JSON.stringify(entry) !== JSON.stringify(clear.entries[i]));
    expect(differing.length).toBeGreaterThanOrEqual(6);
    for (const [i, entry] of hidden.entries.entries()) {
      const other = clear.entries[i] as LogEntry;
      expect(transactionId(entry.signed.transaction)).toBe(transactionId(other.signed.transaction));
      expect(entry.signed.signatureHex).toBe(other.signed.signatureHex);
      expect(logEntryLeafHash(entry)).toEqual(logEntryLeafHash(other));
    }
  });

  it("the whole log, with its salted financing entries, still replays to the tables", async () => {
    expect((await verifyDatabase(database.db, nodeVerifier)).ok).toBe(true);
  });
});

describe("the committed form is never taken by the service", () => {
  it("refuses an offer signed with its terms as their commitment alone (financing_terms_hidden), and writes nothing", async () => {
    const terms = { financingId: scenario.bankFinancingId, rateBps: 1, feeMinor: 0n, disbursementDate: today(), recourse: false, checkpointHash: await checkpointNow(), termsSaltHex: salt() };
    const hidden = committedTermsBody("financing.offer", terms as unknown as Body) as unknown as TransactionBodies["financing.offer"];
    const before = await logSize();
    const answer = await callerFor(database.db, "usr_cmtb_1").ledger.submit(wire(bank, "financing.offer", hidden));
    expect(answer).toEqual({ status: "refused", txId: COMMITMENT, code: "financing_terms_hidden", text: REFUSAL_TEXTS.financing_terms_hidden });
    expect(await logSize()).toBe(before);
  });

  it("refuses a credit-line grant signed with its terms as their commitment alone (credit_line_terms_hidden) by the same path", async () => {
    const terms = { coreEnterpriseOrgId: "org_huaxin", currency: "CNY", limitMinor: 1n, expiresAtMs: Date.now() + 86_400_000, termsSaltHex: salt() };
    const hidden = committedTermsBody("creditLine.grant", terms) as unknown as TransactionBodies["creditLine.grant"];
    const before = await logSize();
    const answer = await callerFor(database.db, "usr_cmtb_1").ledger.submit(wire(bank, "creditLine.grant", hidden));
    expect(answer).toMatchObject({ status: "refused", code: "credit_line_terms_hidden" });
    expect(await logSize()).toBe(before);
  });

  it("answers the committed copy of a logged offer, taken from a bundle, as the transaction it is: its leaf, nothing new written", async () => {
    const bundle = await viewOf(bank.orgId);
    const [copy] = entriesOf(bundle, "financing.offer", scenario.factorFinancingId);
    const before = await logSize();
    const answer = await submitWire(database.db, copy!.signed);
    expect(answer).toMatchObject({ status: "accepted", leafIndex: copy!.leafIndex });
    expect(await logSize()).toBe(before);
  });
});
