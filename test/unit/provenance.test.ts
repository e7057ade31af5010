import { describe, expect, it } from "vitest";
import { LogBuilder, T0 } from "./log-builder";
import { DECIDED_ON } from "./ledger-fixtures";
import { sha256 } from "@noble/hashes/sha2.js";
import { identityFor, type SigningIdentity } from "@/contracts/client";
import { deriveId } from "@/contracts/canonical";
import { signCheckpoint } from "@/contracts/checkpoint";
import { bytesToHex, hexToBytes, utf8ToBytes } from "@/contracts/hex";
import { logEntryLeafHash, type LogEntry } from "@/contracts/log";
import { hashesToHex, inclusionProof, rootFromLeafHashes } from "@/contracts/merkle";
import { selectProvenanceEntries, verifyProvenance, verifyProvenanceBatched, type ProvenanceBundle } from "@/contracts/provenance";
import { createWebCryptoVerifier } from "@/app/_lib/webcrypto-verifier";
import type { BatchSignatureVerifier } from "@/contracts/signing";
import { transactionId } from "@/contracts/transaction";
import { beijingDate } from "@/contracts/ledger/maturity";
import type { TransactionBodies } from "@/contracts/ledger/types";

/*
 * A log where one issuance is split down to tier 3, with activity on the siblings and a key
 * rotation, then bundles for single claims: the valid bundle verifies with the expected
 * lineage, and each corruption fails with its code.
 */

const identity = (orgId: string, label = orgId) => identityFor(orgId, sha256(utf8ToBytes(`provenance test key ${label}`)));
const operator = identity("org_operator");
const core = identity("org_core");
const s1 = identity("org_s1");
const s2 = identity("org_s2");
const s3 = identity("org_s3");
const s3Rotated = identity("org_s3", "org_s3 rotated");
const s4 = identity("org_s4");
const bank = identity("org_bank");
const attacker = identity("org_attacker");


function buildLog() {
  const log = new LogBuilder(operator);
  const register = (who: SigningIdentity & { publicKeyHex: string }, name: string, role: TransactionBodies["key.register"]["role"], cosigners: SigningIdentity[]) =>
    log.sign(who, "key.register", { orgId: who.orgId, orgName: name, role, publicKeyHex: who.publicKeyHex, keyId: who.keyId, keyRole: "admin", holderUserId: `usr_${who.orgId}` }, cosigners);
  log.block(register(operator, "Operator", "operator", []));
  log.block(
    register(core, "Core Enterprise", "core_enterprise", [operator]),
    register(s1, "Tier One", "supplier", [operator]),
    register(s2, "Tier Two", "supplier", [operator]),
    register(s3, "Tier Three", "supplier", [operator]),
    register(s4, "Unrelated Supplier", "supplier", [operator]),
    register(bank, "Bank", "lender", [operator]),
  );
  const [grant] = log.block(log.sign(bank, "creditLine.grant", { coreEnterpriseOrgId: core.orgId, currency: "CNY", limitMinor: 10_000_000n, expiresAtMs: T0 + 365 * 86_400_000 }));
  const lineId = deriveId("cl", grant!, 0);
  const documents = { invoiceSha256: "a".repeat(64), contractSha256: "b".repeat(64), deliveryNoteSha256: "c".repeat(64) };
  const [issue] = log.block(log.sign(core, "claim.issue", { creditLineId: lineId, toOrgId: s1.orgId, amountMinor: 1_000_000n, currency: "CNY", maturityDate: "2026-07-01", documents }));
  const rootId = deriveId("c", issue!, 0);
  // An unrelated issuance on the same line, to an organisation outside the lineage.
  const [otherIssue] = log.block(log.sign(core, "claim.issue", { creditLineId: lineId, toOrgId: s4.orgId, amountMinor: 5_000n, currency: "CNY", maturityDate: "2026-07-01", documents: { ...documents, invoiceSha256: "d".repeat(64) } }));
  log.block(log.sign(s1, "claim.accept", { claimId: rootId }), log.sign(s4, "claim.accept", { claimId: deriveId("c", otherIssue!, 0) }));
  const [split1] = log.block(log.sign(s1, "claim.split", { claimId: rootId, parts: [{ toOrgId: s2.orgId, amountMinor: 300_000n }, { toOrgId: s1.orgId, amountMinor: 700_000n }] }));
  const tier2Id = deriveId("c", split1!, 0);
  const tier1KeptId = deriveId("c", split1!, 1);
  log.block(log.sign(s2, "claim.accept", { claimId: tier2Id }), log.sign(s1, "claim.pledge", { claimId: tier1KeptId, lenderOrgId: bank.orgId }));
  const [split2] = log.block(log.sign(s2, "claim.split", { claimId: tier2Id, parts: [{ toOrgId: s3.orgId, amountMinor: 100_000n }, { toOrgId: s2.orgId, amountMinor: 200_000n }] }));
  const tier3Id = deriveId("c", split2!, 0);
  const tier2KeptId = deriveId("c", split2!, 1);
  // Tier 3 rotates its key before accepting: the bundle needs the registration and the rotation.
  log.block(
    log.sign(s3, "key.rotate", { orgId: s3.orgId, oldKeyId: s3.keyId, newKeyId: s3Rotated.keyId, newPublicKeyHex: s3Rotated.publicKeyHex }, [s3Rotated]),
    log.sign(s3Rotated, "claim.accept", { claimId: tier3Id }),
  );
  const [request] = log.block(log.sign(s3Rotated, "financing.request", { claimId: tier3Id, lenderOrgId: bank.orgId }));
  const financingId = deriveId("fin", request!, 0);
  const today = beijingDate(log.clock);
  log.block(
    log.sign(bank, "financing.offer", { financingId, rateBps: 450, feeMinor: 0n, disbursementDate: today, recourse: false, checkpointHash: DECIDED_ON }),
    log.sign(s3Rotated, "financing.accept", { financingId }),
    log.sign(bank, "financing.disburse", { financingId, paymentReference: "BANK-0001", checkpointHash: DECIDED_ON }),
  );
  // Later activity on a sibling: tier 2 hands its kept piece on.
  log.block(log.sign(s2, "claim.split", { claimId: tier2KeptId, parts: [{ toOrgId: s4.orgId, amountMinor: 200_000n }] }));
  return { log, rootId, tier2Id, tier1KeptId, tier3Id, tier2KeptId };
}

const FIXTURE = buildLog();
const OPERATOR_KEY = hexToBytes(operator.publicKeyHex);

function bundleFor(claimId: string, log = FIXTURE.log): ProvenanceBundle {
  const entries = selectProvenanceEntries(log.entries, claimId);
  const leafHashes = log.entries.map(logEntryLeafHash);
  const inclusionProofs = entries.map((entry) => ({ leafIndex: entry.leafIndex, proofHex: hashesToHex(inclusionProof(leafHashes, entry.leafIndex)) }));
  return { claimId, entries, inclusionProofs, checkpoint: log.checkpoints.at(-1)! };
}

const types = (entries: readonly LogEntry[]) => entries.map((entry) => entry.signed.transaction.type);
const signerOf = (entry: LogEntry) => (entry.signed.transaction as { signer: { orgId: string } }).signer.orgId;
const flipHex = (hex: string, at = 0) => hex.slice(0, at) + (hex[at] === "0" ? "1" : "0") + hex.slice(at + 1);

describe("selectProvenanceEntries", () => {
  it("takes the genesis, the keys, the credit line and the lineage of a tier-3 claim, nothing of its siblings", () => {
    const entries = selectProvenanceEntries(FIXTURE.log.entries, FIXTURE.tier3Id);
    expect(entries.map((e) => e.leafIndex)).toEqual([...entries.map((e) => e.leafIndex)].sort((a, b) => a - b));
    expect(types(entries)).toEqual([
      "key.register", // genesis
      "key.register", // core
      "key.register", // tier 1
      "key.register", // tier 2
      "key.register", // tier 3
      "key.register", // bank
      "creditLine.grant",
      "claim.issue",
      "claim.accept",
      "claim.split",
      "claim.accept",
      "claim.split",
      "key.rotate",
      "claim.accept",
      "financing.request",
      "financing.offer",
      "financing.accept",
      "financing.disburse",
    ]);
    // Neither the unrelated supplier, nor the other issuance, nor the siblings' pledge and transfer.
    expect(entries.some((e) => signerOf(e) === s4.orgId)).toBe(false);
    expect(entries.some((e) => e.signed.transaction.type === "claim.pledge")).toBe(false);
    expect(entries.filter((e) => e.signed.transaction.type === "claim.issue")).toHaveLength(1);
  });

  it("includes the registration of an organisation a split names even when it never signs", () => {
    const entries = selectProvenanceEntries(FIXTURE.log.entries, deriveIdOfLastSplit());
    const registered = entries.filter((e) => e.signed.transaction.type === "key.register").map((e) => (e.signed.transaction.body as { orgId: string }).orgId);
    expect(registered).toContain(s4.orgId);
  });

  it("answers an empty list for a claim the log does not hold", () => {
    expect(selectProvenanceEntries(FIXTURE.log.entries, `c_${"0".repeat(24)}`)).toEqual([]);
  });
});

function deriveIdOfLastSplit(): string {
  const last = FIXTURE.log.entries.at(-1)!;
  return deriveId("c", transactionId(last.signed.transaction), 0);
}

describe("verifyProvenance on a valid bundle", () => {
  it("verifies the tier-3 claim and reports its lineage from the issuance", () => {
    const bundle = bundleFor(FIXTURE.tier3Id);
    const result = verifyProvenance(bundle, OPERATOR_KEY);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.claim).toMatchObject({ id: FIXTURE.tier3Id, holderOrgId: bank.orgId, state: "financed", amountMinor: 100_000n, depth: 3 });
    // Without repayments in the log, the partial replay ends exactly where the full one does.
    expect(result.claim).toEqual(FIXTURE.log.state.getClaim(FIXTURE.tier3Id));
    const transfers = result.lineage.filter((step) => ["claim.issue", "claim.accept", "claim.split"].includes(step.type));
    expect(transfers.map((step) => [step.type, step.signerOrgName, step.claimId, step.amountMinor])).toEqual([
      ["claim.issue", "Core Enterprise", FIXTURE.rootId, 1_000_000n],
      ["claim.accept", "Tier One", FIXTURE.rootId, 1_000_000n],
      ["claim.split", "Tier One", FIXTURE.tier2Id, 300_000n],
      ["claim.accept", "Tier Two", FIXTURE.tier2Id, 300_000n],
      ["claim.split", "Tier Two", FIXTURE.tier3Id, 100_000n],
      ["claim.accept", "Tier Three", FIXTURE.tier3Id, 100_000n],
    ]);
    expect(result.lineage.slice(-4).map((step) => [step.type, step.signerOrgId])).toEqual([
      ["financing.request", s3.orgId],
      ["financing.offer", bank.orgId],
      ["financing.accept", s3.orgId],
      ["financing.disburse", bank.orgId],
    ]);
    const cosignatures = bundle.entries.reduce((sum, entry) => sum + entry.signed.cosignatures.length, 0);
    expect(result.checked).toEqual({
      signatures: 1 + bundle.entries.length + cosignatures,
      inclusionProofs: bundle.entries.length,
      transactionsReplayed: bundle.entries.length,
      checkpointSize: FIXTURE.log.entries.length,
    });
  });

  it("verifies a root claim and a sibling's piece with their own lineage", () => {
    const root = verifyProvenance(bundleFor(FIXTURE.rootId), OPERATOR_KEY);
    expect(root.ok && root.lineage.map((step) => step.type)).toEqual(["claim.issue", "claim.accept", "claim.split"]);
    const kept = verifyProvenance(bundleFor(FIXTURE.tier1KeptId), OPERATOR_KEY);
    expect(kept.ok && kept.claim).toMatchObject({ state: "pledged", holderOrgId: s1.orgId });
  });
});

describe("verifyProvenance names each corruption", () => {
  const valid = bundleFor(FIXTURE.tier3Id);
  const tampered = (edit: (copy: ProvenanceBundle) => void) => {
    const copy = structuredClone(valid);
    edit(copy);
    return copy;
  };
  const positionOf = (type: string, nth = 0) => valid.entries.map((e, i) => [e.signed.transaction.type, i] as const).filter(([t]) => t === type)[nth]![1];
  const secondSplit = positionOf("claim.split", 1);
  const tier2Accept = positionOf("claim.accept", 1);

  it("a flipped byte in an inclusion proof", () => {
    const bundle = tampered((copy) => void (copy.inclusionProofs[3]!.proofHex[0] = flipHex(copy.inclusionProofs[3]!.proofHex[0]!)));
    expect(verifyProvenance(bundle, OPERATOR_KEY)).toMatchObject({ ok: false, code: "inclusion_proof_invalid", leafIndex: valid.entries[3]!.leafIndex });
  });

  it("an edited entry", () => {
    const bundle = tampered((copy) => {
      const parts = (copy.entries[secondSplit]!.signed.transaction.body as { parts: { amountMinor: string }[] }).parts;
      parts[0]!.amountMinor = "150000";
      parts[1]!.amountMinor = "150000";
    });
    expect(verifyProvenance(bundle, OPERATOR_KEY)).toMatchObject({ ok: false, code: "inclusion_proof_invalid", leafIndex: valid.entries[secondSplit]!.leafIndex });
  });

  it("a missing entry in the middle of the lineage", () => {
    const bundle = tampered((copy) => {
      copy.entries.splice(tier2Accept, 1);
      copy.inclusionProofs.splice(tier2Accept, 1);
    });
    const result = verifyProvenance(bundle, OPERATOR_KEY);
    expect(result).toMatchObject({ ok: false, code: "contract_refused", leafIndex: valid.entries[secondSplit]!.leafIndex });
    expect(!result.ok && result.detail).toMatch(/^claim_not_held_by_signer/);
  });

  it("an entry without its proof", () => {
    const bundle = tampered((copy) => void copy.inclusionProofs.splice(5, 1));
    expect(verifyProvenance(bundle, OPERATOR_KEY)).toMatchObject({ ok: false, code: "inclusion_proof_missing", leafIndex: valid.entries[5]!.leafIndex });
  });

  it("the wrong operator key", () => {
    expect(verifyProvenance(valid, hexToBytes(core.publicKeyHex))).toMatchObject({ ok: false, code: "checkpoint_invalid" });
  });

  it("a forged checkpoint", () => {
    const forged = signCheckpoint({ ...valid.checkpoint.checkpoint, timestampMs: valid.checkpoint.checkpoint.timestampMs + 1 }, attacker.keyId, attacker.privateKey);
    const asOperator = tampered((copy) => void (copy.checkpoint = { ...forged, keyId: operator.keyId }));
    const result = verifyProvenance(asOperator, OPERATOR_KEY);
    expect(result).toMatchObject({ ok: false, code: "checkpoint_invalid" });
    expect(!result.ok && result.detail).toMatch(/^signature_invalid/);
    const asAttacker = tampered((copy) => void (copy.checkpoint = forged));
    expect(verifyProvenance(asAttacker, OPERATOR_KEY)).toMatchObject({ ok: false, code: "checkpoint_invalid" });
  });

  it("an older checkpoint that does not cover the entries", () => {
    const bundle = tampered((copy) => void (copy.checkpoint = FIXTURE.log.checkpoints[5]!));
    expect(verifyProvenance(bundle, OPERATOR_KEY)).toMatchObject({ ok: false, code: "entry_beyond_checkpoint" });
  });

  it("entries out of order", () => {
    const bundle = tampered((copy) => {
      [copy.entries[7], copy.entries[8]] = [copy.entries[8]!, copy.entries[7]!];
      [copy.inclusionProofs[7], copy.inclusionProofs[8]] = [copy.inclusionProofs[8]!, copy.inclusionProofs[7]!];
    });
    expect(verifyProvenance(bundle, OPERATOR_KEY)).toMatchObject({ ok: false, code: "entries_not_ascending", leafIndex: valid.entries[7]!.leafIndex });
  });

  it("a bundle without the genesis", () => {
    const bundle = tampered((copy) => {
      copy.entries.shift();
      copy.inclusionProofs.shift();
    });
    expect(verifyProvenance(bundle, OPERATOR_KEY)).toMatchObject({ ok: false, code: "genesis_missing" });
  });

  it("a claim the bundle does not create", () => {
    const bundle = tampered((copy) => void (copy.claimId = `c_${"0".repeat(24)}`));
    expect(verifyProvenance(bundle, OPERATOR_KEY)).toMatchObject({ ok: false, code: "claim_not_in_bundle" });
  });

  it("a malformed bundle", () => {
    const bundle = tampered((copy) => void ((copy.entries[2] as unknown as Record<string, unknown>).extra = true));
    expect(verifyProvenance(bundle, OPERATOR_KEY)).toMatchObject({ ok: false, code: "bundle_malformed" });
  });
});

describe("verifyProvenanceBatched (signatures checked together with WebCrypto)", () => {
  const valid = bundleFor(FIXTURE.tier3Id);
  const webCrypto = createWebCryptoVerifier();
  const withSignature = (position: number) => {
    const copy = structuredClone(valid);
    copy.entries[position]!.signed.signatureHex = flipHex(copy.entries[position]!.signed.signatureHex, 10);
    return copy;
  };
  const forgedCheckpoint = structuredClone(valid);
  forgedCheckpoint.checkpoint.signatureHex = flipHex(forgedCheckpoint.checkpoint.signatureHex, 5);

  it.each([
    ["the valid bundle", valid, OPERATOR_KEY],
    ["a bad signature on the genesis", withSignature(0), OPERATOR_KEY],
    ["a bad signature in the middle of the lineage", withSignature(Math.floor(valid.entries.length / 2)), OPERATOR_KEY],
    ["a bad signature on the last entry", withSignature(valid.entries.length - 1), OPERATOR_KEY],
    ["a forged checkpoint signature", forgedCheckpoint, OPERATOR_KEY],
    ["the wrong operator key", valid, hexToBytes(attacker.publicKeyHex)],
  ])("gives verifyProvenance's answer for %s", async (_what, bundle, operatorKey) => {
    const expected = verifyProvenance(bundle, operatorKey);
    expect(await verifyProvenanceBatched(bundle, operatorKey, webCrypto)).toEqual(expected);
    if (bundle !== valid) expect(expected.ok).toBe(false);
  });

  /** WebCrypto's batches, recording how many checks each was given before its answers were asked for. */
  const recording = () => {
    const sizes: number[] = [];
    const batch: BatchSignatureVerifier = () => {
      const inner = webCrypto();
      let added = 0;
      return { add: (check) => (added++, inner.add(check)), answers: () => (sizes.push(added), inner.answers()) };
    };
    return { batch, sizes };
  };

  it("hands every signature of the bundle to one batch before awaiting any answer", async () => {
    const { batch, sizes } = recording();
    const result = await verifyProvenanceBatched(valid, OPERATOR_KEY, batch);
    expect(result.ok).toBe(true);
    // One batch, holding the checkpoint's signature, every entry's and every cosignature.
    expect(sizes).toEqual([result.ok ? result.checked.signatures : -1]);
  });

  /**
   * A bundle from an operator that logged an entry with one bad cosignature: the entry is in the
   * tree the operator signed, so the inclusion proofs hold and only the signature check finds it.
   */
  function withLoggedBadCosignature() {
    const entries = structuredClone(FIXTURE.log.entries);
    const position = entries.findLastIndex((entry) => selectProvenanceEntries(FIXTURE.log.entries, FIXTURE.tier3Id).some((kept) => kept.leafIndex === entry.leafIndex) && entry.signed.cosignatures.length > 0);
    const cosignature = entries[position]!.signed.cosignatures[0]!;
    cosignature.signatureHex = flipHex(cosignature.signatureHex, 20);
    const leafHashes = entries.map(logEntryLeafHash);
    const head = FIXTURE.log.checkpoints.at(-1)!.checkpoint;
    const checkpoint = signCheckpoint({ ...head, size: entries.length, rootHash: bytesToHex(rootFromLeafHashes(leafHashes)) }, operator.keyId, operator.privateKey);
    const selected = selectProvenanceEntries(entries, FIXTURE.tier3Id);
    const inclusionProofs = selected.map((entry) => ({ leafIndex: entry.leafIndex, proofHex: hashesToHex(inclusionProof(leafHashes, entry.leafIndex)) }));
    return { bundle: { claimId: FIXTURE.tier3Id, entries: selected, inclusionProofs, checkpoint }, leafIndex: entries[position]!.leafIndex };
  }

  it("fails with the sequential verifier's code when one logged cosignature among all the bundle's signatures is bad", async () => {
    const { bundle, leafIndex } = withLoggedBadCosignature();
    const expected = verifyProvenance(bundle, OPERATOR_KEY);
    expect(expected).toMatchObject({ ok: false, code: "contract_refused", leafIndex });
    expect(!expected.ok && expected.detail).toMatch(/cosignature/);
    const { batch, sizes } = recording();
    expect(await verifyProvenanceBatched(bundle, OPERATOR_KEY, batch)).toEqual(expected);
    // Every signature went to one batch at once (the optimistic run), the bad one among them.
    const signatures = 1 + bundle.entries.reduce((sum, entry) => sum + 1 + entry.signed.cosignatures.length, 0);
    expect(sizes).toEqual([signatures]);
  });
});
