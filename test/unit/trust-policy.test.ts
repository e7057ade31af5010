/**
 * The trust policy and the checks a decision runs under it (contracts/trust-policy.ts): the
 * policy file, a checkpoint against the pinned keys and the last accepted checkpoint, and the
 * application's claim against its verified state. Each attack is a row refused with its own code.
 */
import { describe, expect, it } from "vitest";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@/contracts/hex";
import { consistencyProof, leafHash, rootFromLeafHashes } from "@/contracts/merkle";
import { cosignNoteText, formatSignatureLine, NOTE_SIGNATURE_TYPE_COSIGNATURE_V1, NOTE_SIGNATURE_TYPE_ED25519, noteVerifierKey } from "@/contracts/note";
import { nobleVerifier, publicKeyFromPrivate } from "@/contracts/signing";
import type { ClaimStateLeaf } from "@/contracts/state-leaves";
import { addSignatureLines, formatCheckpointBody, signCheckpointNote, stateRootExtension, type TrustPolicy } from "@/contracts/tlog-checkpoint";
import {
  checkCheckpointTrust,
  checkEligibility,
  checkpointTextHash,
  formatTrustPolicy,
  parseTrustPolicy,
  parseTrustPolicyText,
  pinnedOperatorKeysHex,
  TRUST_CHECK_TEXT,
  type AcceptedCheckpoint,
  type CheckpointTrustInput,
  type FinancingApplicationFacts,
} from "@/contracts/trust-policy";
import { checkpointNoteTextHash } from "@/contracts/tlog-checkpoint";

const ORIGIN = "double-chain.example/ledger";
const operatorKey = sha256(utf8ToBytes("trust test operator"));
const foreignOperatorKey = sha256(utf8ToBytes("a ledger built under a fresh key"));
const witnesses = ["bank", "factor", "auditor"].map((name) => ({ name: `witness.example/${name}`, privateKey: sha256(utf8ToBytes(`trust test witness ${name}`)) }));
const policy: TrustPolicy = {
  origin: ORIGIN,
  logKeys: [noteVerifierKey(ORIGIN, NOTE_SIGNATURE_TYPE_ED25519, publicKeyFromPrivate(operatorKey))],
  witnesses: witnesses.map((witness) => noteVerifierKey(witness.name, NOTE_SIGNATURE_TYPE_COSIGNATURE_V1, publicKeyFromPrivate(witness.privateKey))),
  quorum: 2,
};

/** A log of `size` made-up leaves, so consistency proofs between sizes are real RFC 9162 proofs. */
const leaves = Array.from({ length: 40 }, (_, index) => leafHash(utf8ToBytes(`leaf ${index}`)));
const forkedLeaves = leaves.map((leaf, index) => (index === 5 ? leafHash(utf8ToBytes("rewritten leaf 5")) : leaf));

function note(size: number, options: { key?: Uint8Array; cosigners?: number[]; log?: Uint8Array[] } = {}): string {
  const log = options.log ?? leaves;
  const checkpoint = { origin: ORIGIN, size, rootHash: rootFromLeafHashes(log.slice(0, size)), extensions: [stateRootExtension(sha256(utf8ToBytes(`state at ${size}`)))] };
  const text = formatCheckpointBody(checkpoint);
  const lines = (options.cosigners ?? [0, 1, 2]).map((index) => formatSignatureLine(cosignNoteText(text, witnesses[index]!.name, witnesses[index]!.privateKey, 1_767_225_600 + index))).join("");
  return addSignatureLines(signCheckpointNote(checkpoint, options.key ?? operatorKey, ORIGIN), lines);
}

function accepted(size: number): AcceptedCheckpoint {
  const check = checkCheckpointTrust({ note: note(size), policy, lastAccepted: null, consistencyProofHex: null }, nobleVerifier);
  if (!check.ok) throw new Error(check.code);
  return check.accepted;
}

const proofHex = (oldSize: number, newSize: number, log = leaves) => consistencyProof(log.slice(0, newSize), oldSize).map(bytesToHex);

describe("parseTrustPolicy", () => {
  it("round-trips a policy through its file form", () => {
    const parsed = parseTrustPolicy(JSON.parse(JSON.stringify(formatTrustPolicy(policy))));
    expect(parsed.ok && formatTrustPolicy(parsed.policy)).toEqual(formatTrustPolicy(policy));
    expect(parsed.ok && pinnedOperatorKeysHex(parsed.policy)).toEqual([bytesToHex(publicKeyFromPrivate(operatorKey))]);
  });

  it.each([
    ["not JSON", "{", "trust_policy_malformed"],
    ["an unknown member", JSON.stringify({ ...formatTrustPolicy(policy), operatorPublicKeyHex: "00" }), "trust_policy_malformed"],
    ["no operator key", JSON.stringify({ ...formatTrustPolicy(policy), operatorKeys: [] }), "trust_policy_malformed"],
    ["a witness key with a wrong key ID", JSON.stringify({ ...formatTrustPolicy(policy), witnesses: [formatTrustPolicy(policy).witnesses[0]!.replace(/\+[0-9a-f]{8}\+/, "+00000000+")] }), "trust_policy_malformed"],
    ["a quorum above the witnesses", JSON.stringify({ ...formatTrustPolicy(policy), quorum: 4 }), "trust_policy_invalid"],
    ["a witness key as the operator key", JSON.stringify({ ...formatTrustPolicy(policy), operatorKeys: [formatTrustPolicy(policy).witnesses[0]] }), "trust_policy_invalid"],
  ])("refuses %s", (_, text, code) => {
    const parsed = parseTrustPolicyText(text);
    expect(parsed.ok ? "ok" : parsed.code).toBe(code);
  });
});

describe("checkCheckpointTrust", () => {
  const last = accepted(20);

  it("accepts a quorate checkpoint with no history, then a newer one with a consistency proof, and names its hash", () => {
    const first = checkCheckpointTrust({ note: note(20, { cosigners: [0, 2] }), policy, lastAccepted: null, consistencyProofHex: null }, nobleVerifier);
    expect(first.ok && first.accepted.cosigners).toEqual(["witness.example/bank", "witness.example/auditor"]);
    const text = note(20).split("\n\n")[0] + "\n";
    expect(first.ok && first.accepted.checkpointHash).toBe(checkpointTextHash(text));
    // The hash a decision names, read from the note without verifying it, is the same hash.
    expect(checkpointNoteTextHash(note(20))).toBe(checkpointTextHash(text));
    expect(checkpointNoteTextHash("not a note")).toBeNull();
    expect(checkpointNoteTextHash(undefined)).toBeNull();
    const next = checkCheckpointTrust({ note: note(33), policy, lastAccepted: last, consistencyProofHex: proofHex(20, 33) }, nobleVerifier);
    expect(next.ok && next.accepted.size).toBe(33);
    const same = checkCheckpointTrust({ note: note(20, { cosigners: [1, 2] }), policy, lastAccepted: last, consistencyProofHex: null }, nobleVerifier);
    expect(same.ok).toBe(true);
  });

  // One row per attack, in the order the checks run.
  const rows: [string, Partial<CheckpointTrustInput>, string][] = [
    ["no policy pinned", { policy: null }, "no_trust_policy"],
    ["a foreign operator key (a ledger fabricated under a fresh key)", { note: note(33, { key: foreignOperatorKey }) }, "log_signature_missing"],
    ["a checkpoint short of quorum", { note: note(33, { cosigners: [1] }) }, "quorum_not_met"],
    ["a checkpoint older than the accepted one (rolled back)", { note: note(12), consistencyProofHex: proofHex(12, 20) }, "checkpoint_older_than_accepted"],
    ["a fork at the accepted size", { note: note(20, { log: forkedLeaves }) }, "checkpoint_forks_accepted"],
    ["a newer checkpoint without a consistency proof", { consistencyProofHex: null }, "consistency_proof_missing"],
    ["history rewritten and re-signed with the operator's own key", { note: note(33, { log: forkedLeaves }), consistencyProofHex: proofHex(20, 33, forkedLeaves) }, "consistency_proof_invalid"],
    ["a proof with a malformed hash", { consistencyProofHex: ["zz"] }, "consistency_proof_invalid"],
  ];
  it.each(rows)("refuses %s", (_, change, code) => {
    const input: CheckpointTrustInput = { note: note(33), policy, lastAccepted: last, consistencyProofHex: proofHex(20, 33), ...change };
    const check = checkCheckpointTrust(input, nobleVerifier);
    expect(check.ok ? "ok" : check.code).toBe(code);
    expect(check.ok ? "" : TRUST_CHECK_TEXT[check.code]).not.toBe("");
  });
});

describe("checkEligibility", () => {
  const application: FinancingApplicationFacts = { claimId: "c_piece", financingId: "fin_1", applicantOrgId: "org_tier3", lenderOrgId: "org_factor" };
  const leaf: ClaimStateLeaf = {
    kind: "claim",
    version: 1,
    claimId: "c_piece",
    rootId: "c_root",
    issuerOrgId: "org_core",
    holderOrgId: "org_tier3",
    offeredToOrgId: null,
    state: "held",
    amountMinor: 20_000n,
    outstandingMinor: 20_000n,
    currency: "CNY",
    maturityDate: "2027-06-30",
    activePledge: null,
    activeFinancingId: "fin_1",
    financedOnce: false,
  };
  const now = Date.UTC(2026, 11, 3);

  it("accepts the applicant's held piece, in this financing, pledged to this lender or to none", () => {
    expect(checkEligibility("c_piece", leaf, application, now)).toEqual({ ok: true });
    expect(checkEligibility("c_piece", { ...leaf, state: "pledged", activePledge: { pledgeId: "pl_1", lenderOrgId: "org_factor" } }, application, now)).toEqual({ ok: true });
  });

  const rows: [string, string, Partial<ClaimStateLeaf>, string][] = [
    ["a bundle for another claim", "c_other", { claimId: "c_other" }, "bundle_for_another_claim"],
    ["a state proof for another claim inside the right bundle", "c_piece", { claimId: "c_other" }, "bundle_for_another_claim"],
    ["a piece held by someone else", "c_piece", { holderOrgId: "org_tier2" }, "claim_not_held_by_applicant"],
    ["a piece pledged to another lender", "c_piece", { state: "pledged", activePledge: { pledgeId: "pl_2", lenderOrgId: "org_bank" } }, "claim_pledged_elsewhere"],
    ["a piece financed before (a spend left out of the lineage)", "c_piece", { financedOnce: true }, "claim_already_financed"],
    ["a piece in another financing", "c_piece", { activeFinancingId: "fin_other" }, "claim_in_another_financing"],
    ["a piece that was split", "c_piece", { state: "split" }, "claim_not_held"],
    ["a matured piece", "c_piece", { maturityDate: "2026-12-03" }, "claim_matured"],
  ];
  it.each(rows)("refuses %s", (_, bundleClaimId, change, code) => {
    const check = checkEligibility(bundleClaimId, { ...leaf, ...change }, application, now);
    expect(check.ok ? "ok" : check.code).toBe(code);
  });
});
