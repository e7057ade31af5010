import { describe, expect, it } from "vitest";
import { sha256 } from "@noble/hashes/sha2.js";
import { LogBuilder, T0 } from "./log-builder";
import { buildSigned, identityFor, toWire, type SigningIdentity } from "@/contracts/client";
import { deriveId } from "@/contracts/canonical";
import { bytesToHex, hexToBytes, utf8ToBytes } from "@/contracts/hex";
import { logEntryLeafHash, type LogEntry } from "@/contracts/log";
import { hashesToHex, inclusionProof, rootFromLeafHashes } from "@/contracts/merkle";
import { selectProvenanceEntries, verifyProvenance, type ProvenanceBundle } from "@/contracts/provenance";
import { signCheckpoint } from "@/contracts/checkpoint";
import { amountCommitmentHex, commitSplitParts, holderCommitmentHex, redactPart, scalarToHex, type CommittedSplitPart } from "@/contracts/split-commitments";
import { transactionId } from "@/contracts/transaction";
import type { TransactionBodies } from "@/contracts/ledger/types";
import { committedTermsBody, termsCommitmentHex } from "@/contracts/terms-commitments";
import { applyTransaction } from "@/contracts/ledger/apply";
import { MemoryState } from "@/contracts/ledger/state";
import { sealTransaction } from "@/contracts/ledger/schema";
import { nobleVerifier } from "@/contracts/signing";

/*
 * Issue 13, deliverable 7: a provenance bundle shows the branch that leads to its claim and
 * nothing else. Splits are signed with commitments (contracts/split-commitments.ts); the
 * bundle keeps the branch's part in the clear and the siblings as commitments, and the
 * verifier still checks signatures, inclusion and conservation along the branch.
 */

const identity = (orgId: string) => identityFor(orgId, sha256(utf8ToBytes(`bundle privacy key ${orgId}`)));
const operator = identity("org_operator");
const core = identity("org_core");
const s1 = identity("org_tier_one");
const s2 = identity("org_tier_two");
const s3 = identity("org_tier_three");
const sibling1 = identity("org_sibling_alpha");
const sibling2 = identity("org_sibling_beta");
const bank = identity("org_bank");
const factor = identity("org_factor");

// Deterministic "random" bytes: a test must be repeatable; the app uses WebCrypto / node:crypto.
let counter = 0;
const random = (length: number) => {
  const blocks = Array.from({ length: Math.ceil(length / 32) }, () => sha256(utf8ToBytes(`bundle privacy random ${counter++}`)));
  return Uint8Array.from(blocks.flatMap((block) => [...block]).slice(0, length));
};

// Amounts no other field of the bundle could contain by chance.
const SIBLING1_MINOR = 123_457n;
const KEPT1_MINOR = 576_543n;
const SIBLING2_MINOR = 77_771n;
const KEPT2_MINOR = 122_229n;
// The bank's credit line: terms no other field of the bundle could contain by chance.
const LINE_LIMIT_MINOR = 987_654_321n;
const LINE_EXPIRES_AT_MS = T0 + 365 * 86_400_000 + 12_345;
const ADJUSTED_LIMIT_MINOR = 876_543_219n;
const LINE_SALT = bytesToHex(random(32));
const ADJUST_SALT = bytesToHex(random(32));

function buildLog() {
  const log = new LogBuilder(operator);
  const register = (who: SigningIdentity & { publicKeyHex: string }, name: string, role: TransactionBodies["key.register"]["role"]) =>
    log.sign(who, "key.register", { orgId: who.orgId, orgName: name, role, publicKeyHex: who.publicKeyHex, keyId: who.keyId, keyRole: "admin", holderUserId: `usr_${who.orgId}` }, role === "operator" ? [] : [operator]);
  log.block(register(operator, "Operator", "operator"));
  log.block(
    register(core, "Core Enterprise", "core_enterprise"),
    register(s1, "Tier One", "supplier"),
    register(s2, "Tier Two", "supplier"),
    register(s3, "Tier Three", "supplier"),
    register(sibling1, "Alpha Sibling Works", "supplier"),
    register(sibling2, "Beta Sibling Works", "supplier"),
    register(bank, "Bank", "lender"),
    register(factor, "Factor", "lender"),
  );
  // Signed with a terms salt (what clients sign now): another lender sees the terms as a commitment.
  const [grant] = log.block(log.sign(bank, "creditLine.grant", { coreEnterpriseOrgId: core.orgId, currency: "CNY", limitMinor: LINE_LIMIT_MINOR, expiresAtMs: LINE_EXPIRES_AT_MS, termsSaltHex: LINE_SALT }));
  log.block(log.sign(bank, "creditLine.adjust", { creditLineId: deriveId("cl", grant!, 0), limitMinor: ADJUSTED_LIMIT_MINOR, termsSaltHex: ADJUST_SALT }));
  const documents = { invoiceSha256: "a".repeat(64), contractSha256: "b".repeat(64), deliveryNoteSha256: "c".repeat(64) };
  const [issue] = log.block(log.sign(core, "claim.issue", { creditLineId: deriveId("cl", grant!, 0), toOrgId: s1.orgId, amountMinor: 1_000_000n, currency: "CNY", maturityDate: "2026-07-01", documents }));
  const rootId = deriveId("c", issue!, 0);
  log.block(log.sign(s1, "claim.accept", { claimId: rootId }));
  const split1Parts = commitSplitParts([{ toOrgId: s2.orgId, amountMinor: 300_000n }, { toOrgId: sibling1.orgId, amountMinor: SIBLING1_MINOR }, { toOrgId: s1.orgId, amountMinor: KEPT1_MINOR }], random);
  const [split1] = log.block(log.sign(s1, "claim.split", { claimId: rootId, parts: split1Parts }));
  const tier2Id = deriveId("c", split1!, 0);
  const sibling1Id = deriveId("c", split1!, 1);
  log.block(log.sign(s2, "claim.accept", { claimId: tier2Id }), log.sign(sibling1, "claim.accept", { claimId: sibling1Id }));
  // The sibling asks another lender for financing: its terms must not reach tier 3's bundle either.
  log.block(log.sign(sibling1, "financing.request", { claimId: sibling1Id, lenderOrgId: factor.orgId }));
  const split2Parts = commitSplitParts([{ toOrgId: sibling2.orgId, amountMinor: SIBLING2_MINOR }, { toOrgId: s3.orgId, amountMinor: 100_000n }, { toOrgId: s2.orgId, amountMinor: KEPT2_MINOR }], random);
  const [split2] = log.block(log.sign(s2, "claim.split", { claimId: tier2Id, parts: split2Parts }));
  const tier3Id = deriveId("c", split2!, 1);
  log.block(log.sign(s3, "claim.accept", { claimId: tier3Id }), log.sign(sibling2, "claim.accept", { claimId: deriveId("c", split2!, 0) }));
  return { log, rootId, tier2Id, tier3Id, split1Parts, split2Parts };
}

const FIXTURE = buildLog();
const OPERATOR_KEY = hexToBytes(operator.publicKeyHex);

function bundleOf(entries: LogEntry[], claimId: string, log = FIXTURE.log): ProvenanceBundle {
  const leafHashes = log.entries.map(logEntryLeafHash);
  const inclusionProofs = entries.map((entry) => ({ leafIndex: entry.leafIndex, proofHex: hashesToHex(inclusionProof(leafHashes, entry.leafIndex)) }));
  return { claimId, entries, inclusionProofs, checkpoint: log.checkpoints.at(-1)! };
}

const bundleFor = (claimId: string, viewerOrgId: string | null = null) => bundleOf(selectProvenanceEntries(FIXTURE.log.entries, claimId, { viewerOrgId }), claimId);
const lineEntries = (bundle: ProvenanceBundle) => bundle.entries.filter((entry) => entry.signed.transaction.type.startsWith("creditLine."));
const splitsOf = (bundle: ProvenanceBundle) => bundle.entries.filter((entry) => entry.signed.transaction.type === "claim.split");
type WireParts = { parts: Record<string, unknown>[] };
const partsOf = (entry: LogEntry) => (entry.signed.transaction.body as WireParts).parts;

/** The bundle with one split's part `index` replaced. */
function withPart(bundle: ProvenanceBundle, splitIndex: number, index: number, part: Record<string, unknown>): ProvenanceBundle {
  const target = splitsOf(bundle)[splitIndex]!;
  const entries = bundle.entries.map((entry) => {
    if (entry !== target) return entry;
    const transaction = entry.signed.transaction as { body: WireParts };
    const parts = transaction.body.parts.map((existing, i) => (i === index ? part : existing));
    return { ...entry, signed: { ...entry.signed, transaction: { ...transaction, body: { ...transaction.body, parts } } } } as LogEntry;
  });
  return { ...bundle, entries };
}

describe("a provenance bundle shows only the branch", () => {
  it("verifies a tier-3 bundle whose siblings are commitments, with the branch's lineage", () => {
    const result = verifyProvenance(bundleFor(FIXTURE.tier3Id), OPERATOR_KEY);
    expect(result.ok, JSON.stringify(!result.ok && result)).toBe(true);
    if (!result.ok) return;
    expect(result.claim).toMatchObject({ id: FIXTURE.tier3Id, holderOrgId: s3.orgId, amountMinor: 100_000n, parentId: FIXTURE.tier2Id });
    expect(result.lineage.filter((step) => step.type === "claim.split").map((step) => [step.claimId, step.amountMinor])).toEqual([
      [FIXTURE.tier2Id, 300_000n],
      [FIXTURE.tier3Id, 100_000n],
    ]);
  });

  it("names none of the siblings' holders, names or amounts anywhere in the serialized bundle", () => {
    const text = JSON.stringify(bundleFor(FIXTURE.tier3Id));
    for (const hidden of [sibling1.orgId, sibling2.orgId, "Alpha Sibling Works", "Beta Sibling Works", factor.orgId, "Factor"]) {
      expect(text).not.toContain(hidden);
    }
    for (const amount of [SIBLING1_MINOR, KEPT1_MINOR, SIBLING2_MINOR, KEPT2_MINOR]) expect(text).not.toContain(amount.toString());
    // Nor the openings that would let anyone test a guess against the commitments.
    for (const part of [...FIXTURE.split1Parts.slice(1), FIXTURE.split2Parts[0]!, FIXTURE.split2Parts[2]!]) {
      expect(text).not.toContain(part.saltHex);
      expect(text).not.toContain(part.blindingHex);
    }
    // The branch's parts are there in the clear, and the others as their commitments.
    const [first, second] = splitsOf(bundleFor(FIXTURE.tier3Id));
    expect(partsOf(first!)).toEqual([
      { toOrgId: s2.orgId, amountMinor: "300000", saltHex: FIXTURE.split1Parts[0]!.saltHex, blindingHex: FIXTURE.split1Parts[0]!.blindingHex },
      redactPart(FIXTURE.split1Parts[1]!),
      redactPart(FIXTURE.split1Parts[2]!),
    ]);
    expect(partsOf(second!)[0]).toEqual(redactPart(FIXTURE.split2Parts[0]!));
    expect(partsOf(second!)[1]).toMatchObject({ toOrgId: s3.orgId, amountMinor: "100000" });
  });

  it("keeps the transaction id and the leaf hash when parts are redacted", () => {
    const full = FIXTURE.log.entries.find((entry) => entry.signed.transaction.type === "claim.split")!;
    const redacted = splitsOf(bundleFor(FIXTURE.tier3Id))[0]!;
    expect(redacted.leafIndex).toBe(full.leafIndex);
    expect(JSON.stringify(redacted)).not.toBe(JSON.stringify(full));
    expect(transactionId(redacted.signed.transaction)).toBe(transactionId(full.signed.transaction));
    expect(logEntryLeafHash(redacted)).toEqual(logEntryLeafHash(full));
  });

  it("an unguessable commitment: the same holder and amount under another salt and blinding commit differently", () => {
    const part = FIXTURE.split1Parts[1] as CommittedSplitPart;
    expect(holderCommitmentHex(part.saltHex, part.toOrgId)).not.toBe(holderCommitmentHex("0".repeat(64), part.toOrgId));
    expect(amountCommitmentHex(part.amountMinor, part.blindingHex)).not.toBe(amountCommitmentHex(part.amountMinor, scalarToHex(1n)));
  });
});

describe("a bundle shows a credit line's terms to its lender only", () => {
  const terms = [LINE_LIMIT_MINOR, ADJUSTED_LIMIT_MINOR, LINE_EXPIRES_AT_MS].map(String);

  it("holds none of the bank's terms or salts in the bundle the factor (or a shared link) gets, and still verifies", () => {
    for (const viewer of [factor.orgId, null]) {
      const bundle = bundleFor(FIXTURE.tier3Id, viewer);
      const text = JSON.stringify(bundle);
      for (const hidden of [...terms, LINE_SALT, ADJUST_SALT]) expect(text).not.toContain(hidden);
      const [grant, adjust] = lineEntries(bundle);
      expect(grant!.signed.transaction.body).toEqual({ coreEnterpriseOrgId: core.orgId, currency: "CNY", termsCommitmentHex: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(adjust!.signed.transaction.body).toEqual({ creditLineId: expect.any(String), termsCommitmentHex: expect.stringMatching(/^[0-9a-f]{64}$/) });
      const result = verifyProvenance(bundle, OPERATOR_KEY);
      expect(result.ok, JSON.stringify(!result.ok && result)).toBe(true);
    }
  });

  it("shows the bank its own line in the clear", () => {
    const bundle = bundleFor(FIXTURE.tier3Id, bank.orgId);
    const [grant, adjust] = lineEntries(bundle);
    expect(grant!.signed.transaction.body).toMatchObject({ limitMinor: LINE_LIMIT_MINOR.toString(), expiresAtMs: LINE_EXPIRES_AT_MS, termsSaltHex: LINE_SALT });
    expect(adjust!.signed.transaction.body).toMatchObject({ limitMinor: ADJUSTED_LIMIT_MINOR.toString() });
    expect(verifyProvenance(bundle, OPERATOR_KEY).ok).toBe(true);
  });

  it("keeps the grant's transaction id, signature and leaf hash when its terms are hidden", () => {
    const full = lineEntries(bundleFor(FIXTURE.tier3Id, bank.orgId));
    const hidden = lineEntries(bundleFor(FIXTURE.tier3Id, factor.orgId));
    for (const [i, entry] of hidden.entries()) {
      expect(transactionId(entry.signed.transaction)).toBe(transactionId(full[i]!.signed.transaction));
      expect(entry.signed.signatureHex).toBe(full[i]!.signed.signatureHex);
      expect(logEntryLeafHash(entry)).toEqual(logEntryLeafHash(full[i]!));
    }
  });

  it("a hidden grant whose commitment was changed (another limit claimed) is no longer in the log", () => {
    const bundle = bundleFor(FIXTURE.tier3Id, factor.orgId);
    const [grant] = lineEntries(bundle);
    const body = grant!.signed.transaction.body as { termsCommitmentHex: string };
    const forged = termsCommitmentHex("creditLine.grant", "0".repeat(64), { limitMinor: 10n ** 12n, expiresAtMs: LINE_EXPIRES_AT_MS });
    const entries = bundle.entries.map((entry) => (entry === grant ? { ...entry, signed: { ...entry.signed, transaction: { ...entry.signed.transaction, body: { ...body, termsCommitmentHex: forged } } } } : entry));
    expect(verifyProvenance({ ...bundle, entries }, OPERATOR_KEY)).toMatchObject({ ok: false, code: "inclusion_proof_invalid", leafIndex: grant!.leafIndex });
  });

  it("the ledger itself refuses a grant whose terms are given only as their commitment", () => {
    const state = new MemoryState();
    for (const entry of FIXTURE.log.entries.filter((item) => item.signed.transaction.type === "key.register")) {
      const signed = sealTransaction(entry.signed as never);
      const outcome = applyTransaction(state, signed, { nowMs: entry.acceptedAtMs, txId: transactionId(signed.transaction), verifier: nobleVerifier, networkId: signed.transaction.networkId });
      if (!outcome.ok) throw new Error(outcome.code);
      state.applyChanges(outcome.changes);
    }
    const hidden = committedTermsBody("creditLine.grant", { coreEnterpriseOrgId: core.orgId, currency: "CNY", limitMinor: 5n, expiresAtMs: LINE_EXPIRES_AT_MS, termsSaltHex: "7".repeat(64) });
    const signed = sealTransaction(buildSigned(bank, "creditLine.grant", hidden as never, { nonce: "e".repeat(32), createdAtMs: T0, cosigners: [] }));
    const outcome = applyTransaction(state, signed, { nowMs: T0, txId: transactionId(signed.transaction), verifier: nobleVerifier, networkId: signed.transaction.networkId });
    expect(outcome).toMatchObject({ ok: false, code: "credit_line_terms_hidden" });
  });
});

describe("a tampered bundle fails", () => {
  const bundle = bundleFor(FIXTURE.tier3Id);

  it("a sibling's amount commitment changed: the leaf is no longer in the log", () => {
    const other = redactPart({ ...FIXTURE.split1Parts[1]!, amountMinor: SIBLING1_MINOR + 1n });
    const result = verifyProvenance(withPart(bundle, 0, 1, { ...other }), OPERATOR_KEY);
    expect(result).toMatchObject({ ok: false, code: "inclusion_proof_invalid" });
  });

  it("a sibling's holder commitment changed: the leaf is no longer in the log", () => {
    const original = redactPart(FIXTURE.split2Parts[0]!);
    const result = verifyProvenance(withPart(bundle, 1, 0, { ...original, holderCommitmentHex: holderCommitmentHex("1".repeat(64), s3.orgId) }), OPERATOR_KEY);
    expect(result).toMatchObject({ ok: false, code: "inclusion_proof_invalid" });
  });

  it("the branch's own part hidden: its acceptance finds no claim to accept", () => {
    const result = verifyProvenance(withPart(bundle, 1, 1, { ...redactPart(FIXTURE.split2Parts[1]!) }), OPERATOR_KEY);
    expect(result).toMatchObject({ ok: false, code: "contract_refused", detail: expect.stringContaining("claim_not_found") });
  });

  it("a split signed with commitments that do not add up to the piece is refused along the branch", () => {
    const forged = forgedSplitBundle();
    expect(verifyProvenance(forged, OPERATOR_KEY)).toMatchObject({ ok: false, code: "contract_refused", detail: expect.stringContaining("split_amounts_do_not_sum") });
  });
});

/**
 * A log whose operator accepted a split that does not conserve (its hidden part holds 1 more
 * than the piece allows), built entry by entry with a signed checkpoint: what a dishonest
 * operator could serve. The contract (server, witnesses) refuses such a split in the clear; the
 * bundle verifier sees only its commitments and refuses it too.
 */
function forgedSplitBundle(): ProvenanceBundle {
  const honest = FIXTURE.log;
  const splitIndex = honest.entries.findIndex((entry) => entry.signed.transaction.type === "claim.split");
  const original = honest.entries[splitIndex]!;
  const [branch, sibling, kept] = FIXTURE.split1Parts as [CommittedSplitPart, CommittedSplitPart, CommittedSplitPart];
  const parts = [branch, { ...sibling, amountMinor: sibling.amountMinor + 1n }, kept];
  const forged = buildSigned(s1, "claim.split", { claimId: FIXTURE.rootId, parts }, { nonce: "f".repeat(32), createdAtMs: original.acceptedAtMs, cosigners: [] });
  const entries: LogEntry[] = [...honest.entries.slice(0, splitIndex), { leafIndex: splitIndex, acceptedAtMs: original.acceptedAtMs, signed: toWire(forged) as LogEntry["signed"] }];
  const tier2Id = deriveId("c", transactionId(forged.transaction), 0);
  const leafHashes = entries.map(logEntryLeafHash);
  const checkpoint = signCheckpoint(
    { size: entries.length, rootHash: bytesToHex(rootFromLeafHashes(leafHashes)), timestampMs: original.acceptedAtMs, previousCheckpointHash: null },
    operator.keyId,
    operator.privateKey,
  );
  const selected = selectProvenanceEntries(entries, tier2Id);
  const inclusionProofs = selected.map((entry) => ({ leafIndex: entry.leafIndex, proofHex: hashesToHex(inclusionProof(leafHashes, entry.leafIndex)) }));
  return { claimId: tier2Id, entries: selected, inclusionProofs, checkpoint };
}

/*
 * Other lenders' financings on the lineage (issue 13, deliverable 7): a policy, an application
 * under it, an offer, a decline and a disbursement signed with a terms salt show their terms to
 * the financing's parties only (its lender and its applicant; a policy's terms to its lender),
 * and as a commitment to everyone else, with the same id, signature and leaf; every bundle still
 * replays and verifies.
 */
const TODAY = "2026-01-05"; // the Beijing day of T0, when every entry of the builder is accepted
// Terms no other field of the bundle could contain by chance.
const FACTOR_OFFER = { rateBps: 777, feeMinor: 12_345n, disbursementDate: "2026-01-06", recourse: true };
const FACTOR_POLICY = { maxAmountMinor: 4_321_987n, maxDepth: 7, rateBps: 613, feeMinor: 2_468n, recourse: true };
const DECLINE_REASON = "Seven point seven seven percent is beyond our budget";
const LEFT_REASON = "Holder withdrew the policy application";
const BANK_OFFER = { rateBps: 389, feeMinor: 13_579n, disbursementDate: TODAY, recourse: false };
const BANK_REFERENCE = "BANK-PAYMENT-REF-424242";
const DECIDED_ON = "d".repeat(64);

function buildFinancingLog() {
  counter = 1000;
  const salt = () => bytesToHex(random(32));
  const log = new LogBuilder(operator);
  const register = (who: SigningIdentity & { publicKeyHex: string }, name: string, role: TransactionBodies["key.register"]["role"]) =>
    log.sign(who, "key.register", { orgId: who.orgId, orgName: name, role, publicKeyHex: who.publicKeyHex, keyId: who.keyId, keyRole: "admin", holderUserId: `usr_${who.orgId}` }, role === "operator" ? [] : [operator]);
  log.block(register(operator, "Operator", "operator"));
  log.block(register(core, "Core Enterprise", "core_enterprise"), register(s1, "Tier One", "supplier"), register(s2, "Tier Two", "supplier"), register(bank, "Bank", "lender"), register(factor, "Factor", "lender"));
  const [grant] = log.block(log.sign(bank, "creditLine.grant", { coreEnterpriseOrgId: core.orgId, currency: "CNY", limitMinor: 10_000_000n, expiresAtMs: T0 + 365 * 86_400_000, termsSaltHex: salt() }));
  const documents = { invoiceSha256: "a".repeat(64), contractSha256: "b".repeat(64), deliveryNoteSha256: "c".repeat(64) };
  const [issue] = log.block(log.sign(core, "claim.issue", { creditLineId: deriveId("cl", grant!, 0), toOrgId: s1.orgId, amountMinor: 1_000_000n, currency: "CNY", maturityDate: "2026-07-01", documents }));
  const rootId = deriveId("c", issue!, 0);
  log.block(log.sign(s1, "claim.accept", { claimId: rootId }));
  // The factor offers on the root; tier one declines.
  const [request] = log.block(log.sign(s1, "financing.request", { claimId: rootId, lenderOrgId: factor.orgId }));
  const factorFinancingId = deriveId("fin", request!, 0);
  log.block(log.sign(factor, "financing.offer", { financingId: factorFinancingId, ...FACTOR_OFFER, checkpointHash: DECIDED_ON, termsSaltHex: salt() }));
  log.block(log.sign(s1, "financing.decline", { financingId: factorFinancingId, reason: DECLINE_REASON, termsSaltHex: salt() }));
  // The factor's policy; tier one applies under it, then withdraws (a decline by the applicant).
  const [policy] = log.block(log.sign(factor, "financingPolicy.set", { coreEnterpriseOrgId: core.orgId, currency: "CNY", ...FACTOR_POLICY, termsSaltHex: salt() }));
  const underPolicy = { rateBps: FACTOR_POLICY.rateBps, feeMinor: FACTOR_POLICY.feeMinor, recourse: FACTOR_POLICY.recourse, disbursementDate: TODAY };
  const [application] = log.block(log.sign(s1, "financing.requestUnderPolicy", { claimId: rootId, policyId: deriveId("pol", policy!, 0), ...underPolicy, termsSaltHex: salt() }));
  log.block(log.sign(s1, "financing.decline", { financingId: deriveId("fin", application!, 0), reason: LEFT_REASON, termsSaltHex: salt() }));
  // Tier one passes a piece to tier two, which the bank finances.
  const [split] = log.block(log.sign(s1, "claim.split", { claimId: rootId, parts: commitSplitParts([{ toOrgId: s2.orgId, amountMinor: 400_000n }, { toOrgId: s1.orgId, amountMinor: 600_000n }], random) }));
  const pieceId = deriveId("c", split!, 0);
  log.block(log.sign(s2, "claim.accept", { claimId: pieceId }));
  const [bankRequest] = log.block(log.sign(s2, "financing.request", { claimId: pieceId, lenderOrgId: bank.orgId }));
  const bankFinancingId = deriveId("fin", bankRequest!, 0);
  log.block(log.sign(bank, "financing.offer", { financingId: bankFinancingId, ...BANK_OFFER, checkpointHash: DECIDED_ON, termsSaltHex: salt() }));
  log.block(log.sign(s2, "financing.accept", { financingId: bankFinancingId }));
  log.block(log.sign(bank, "financing.disburse", { financingId: bankFinancingId, paymentReference: BANK_REFERENCE, checkpointHash: DECIDED_ON, termsSaltHex: salt() }));
  return { log, pieceId, factorFinancingId, bankFinancingId };
}

const FINANCING = buildFinancingLog();
const financingBundleFor = (viewerOrgId: string | null) => bundleOf(selectProvenanceEntries(FINANCING.log.entries, FINANCING.pieceId, { viewerOrgId }), FINANCING.pieceId, FINANCING.log);
type WireBody = Record<string, unknown>;
const bodiesOf = (bundle: ProvenanceBundle, type: string) => bundle.entries.filter((entry) => entry.signed.transaction.type === type).map((entry) => entry.signed.transaction.body as WireBody);
/** The body of the entry of `type` about `financingId` (the first, if several). */
const financingBody = (bundle: ProvenanceBundle, type: string, financingId: string) => bodiesOf(bundle, type).find((body) => body.financingId === financingId)!;
const COMMITMENT = expect.stringMatching(/^[0-9a-f]{64}$/);

describe("a bundle shows a financing's terms to its parties only", () => {
  // As they are written in a body (quoted, so that no hex digest can contain them by chance).
  const quoted = (value: unknown) => JSON.stringify(String(value));
  const factorText = [FACTOR_OFFER.feeMinor, FACTOR_OFFER.disbursementDate, DECLINE_REASON, LEFT_REASON, FACTOR_POLICY.maxAmountMinor, FACTOR_POLICY.feeMinor].map(quoted);
  const bankText = [BANK_OFFER.feeMinor, BANK_REFERENCE].map(quoted);

  function expectVerifies(bundle: ProvenanceBundle) {
    const result = verifyProvenance(bundle, OPERATOR_KEY);
    expect(result.ok, JSON.stringify(!result.ok && result)).toBe(true);
    if (result.ok) expect(result.claim).toMatchObject({ id: FINANCING.pieceId, holderOrgId: bank.orgId, state: "financed", financedOnce: true });
  }

  it("gives the bank the factor's offer, policy, application and the declines as commitments only, its own financing in the clear, and verifies", () => {
    const bundle = financingBundleFor(bank.orgId);
    const text = JSON.stringify(bundle);
    for (const hidden of factorText) expect(text).not.toContain(hidden);
    expect(financingBody(bundle, "financing.offer", FINANCING.factorFinancingId)).toEqual({ financingId: FINANCING.factorFinancingId, checkpointHash: DECIDED_ON, termsCommitmentHex: COMMITMENT });
    expect(bodiesOf(bundle, "financingPolicy.set")).toEqual([{ coreEnterpriseOrgId: core.orgId, currency: "CNY", termsCommitmentHex: COMMITMENT }]);
    expect(bodiesOf(bundle, "financing.requestUnderPolicy")).toEqual([{ claimId: expect.any(String), policyId: expect.any(String), termsCommitmentHex: COMMITMENT }]);
    for (const body of bodiesOf(bundle, "financing.decline")) expect(body).toEqual({ financingId: expect.any(String), termsCommitmentHex: COMMITMENT });
    expect(financingBody(bundle, "financing.offer", FINANCING.bankFinancingId)).toMatchObject({ rateBps: BANK_OFFER.rateBps, feeMinor: BANK_OFFER.feeMinor.toString(), termsSaltHex: expect.any(String) });
    expect(financingBody(bundle, "financing.disburse", FINANCING.bankFinancingId)).toMatchObject({ paymentReference: BANK_REFERENCE });
    expectVerifies(bundle);
  });

  it("gives the factor its own offer, policy and the declines in the clear and the bank's financing as commitments, and verifies", () => {
    const bundle = financingBundleFor(factor.orgId);
    const text = JSON.stringify(bundle);
    for (const hidden of bankText) expect(text).not.toContain(hidden);
    expect(financingBody(bundle, "financing.offer", FINANCING.factorFinancingId)).toMatchObject({ rateBps: FACTOR_OFFER.rateBps, feeMinor: FACTOR_OFFER.feeMinor.toString(), recourse: true });
    expect(bodiesOf(bundle, "financingPolicy.set")[0]).toMatchObject({ maxAmountMinor: FACTOR_POLICY.maxAmountMinor.toString(), maxDepth: FACTOR_POLICY.maxDepth });
    expect(bodiesOf(bundle, "financing.decline").map((body) => body.reason)).toEqual([DECLINE_REASON, LEFT_REASON]);
    expect(financingBody(bundle, "financing.disburse", FINANCING.bankFinancingId)).toEqual({ financingId: FINANCING.bankFinancingId, checkpointHash: DECIDED_ON, termsCommitmentHex: COMMITMENT });
    expectVerifies(bundle);
  });

  it("gives tier one, the applicant, its financings' terms but not the factor's policy nor the bank's financing of tier two's piece, and verifies", () => {
    const bundle = financingBundleFor(s1.orgId);
    expect(financingBody(bundle, "financing.offer", FINANCING.factorFinancingId)).toMatchObject({ rateBps: FACTOR_OFFER.rateBps });
    expect(bodiesOf(bundle, "financing.requestUnderPolicy")[0]).toMatchObject({ rateBps: FACTOR_POLICY.rateBps, disbursementDate: TODAY });
    expect(bodiesOf(bundle, "financingPolicy.set")).toEqual([{ coreEnterpriseOrgId: core.orgId, currency: "CNY", termsCommitmentHex: COMMITMENT }]);
    expect(financingBody(bundle, "financing.offer", FINANCING.bankFinancingId)).toEqual({ financingId: FINANCING.bankFinancingId, checkpointHash: DECIDED_ON, termsCommitmentHex: COMMITMENT });
    expectVerifies(bundle);
  });

  it("gives a shared link (no viewer) every term as a commitment, and verifies", () => {
    const bundle = financingBundleFor(null);
    const text = JSON.stringify(bundle);
    for (const hidden of [...factorText, ...bankText, '"termsSaltHex"', '"rateBps"', '"paymentReference"', '"reason"']) expect(text).not.toContain(hidden);
    expectVerifies(bundle);
  });

  it("keeps every hidden entry's transaction id, signature and leaf hash", () => {
    const hidden = financingBundleFor(null).entries;
    const full = hidden.map((entry) => FINANCING.log.entries[entry.leafIndex]!);
    const changed = hidden.filter((entry, i) => JSON.stringify(entry) !== JSON.stringify(full[i]) && entry.signed.transaction.type.startsWith("financing"));
    expect(changed.map((entry) => entry.signed.transaction.type).sort()).toEqual(["financing.decline", "financing.decline", "financing.disburse", "financing.offer", "financing.offer", "financing.requestUnderPolicy", "financingPolicy.set"].sort());
    for (const [i, entry] of hidden.entries()) {
      expect(transactionId(entry.signed.transaction)).toBe(transactionId(full[i]!.signed.transaction));
      expect(entry.signed.signatureHex).toBe(full[i]!.signed.signatureHex);
      expect(logEntryLeafHash(entry)).toEqual(logEntryLeafHash(full[i]!));
    }
  });

  it("a hidden offer whose commitment was changed (other terms claimed) is no longer in the log", () => {
    const bundle = financingBundleFor(bank.orgId);
    const offer = bundle.entries.find((entry) => entry.signed.transaction.type === "financing.offer" && (entry.signed.transaction.body as WireBody).financingId === FINANCING.factorFinancingId)!;
    const forged = termsCommitmentHex("financing.offer", "0".repeat(64), { ...FACTOR_OFFER, rateBps: 1 });
    const body = { ...(offer.signed.transaction.body as WireBody), termsCommitmentHex: forged };
    const entries = bundle.entries.map((entry) => (entry === offer ? { ...entry, signed: { ...entry.signed, transaction: { ...entry.signed.transaction, body } } } : entry));
    expect(verifyProvenance({ ...bundle, entries }, OPERATOR_KEY)).toMatchObject({ ok: false, code: "inclusion_proof_invalid", leafIndex: offer.leafIndex });
  });
});
