/**
 * A lender's or an auditor's trust policy, and the checks a decision runs under it (issue 13).
 *
 * The policy names what the organisation trusts: the operator's checkpoint key(s), the
 * witnesses' keys (C2SP verifier keys) and how many of them must have cosigned (k of n). It is
 * pinned out of band, by the organisation's admin in the browser or as a file for the CLIs, and
 * never taken from the response being verified: a server that could hand over the keys its own
 * answers are checked against could hand over a fabricated ledger with them.
 *
 * Besides the policy, a client keeps the last checkpoint it accepted. A newer checkpoint is
 * accepted only with an RFC 9162 consistency proof from it, an older one never, and one of the
 * same size only if it is the same tree: so an operator cannot show two lenders two forks, nor
 * one lender a history rewritten since it last looked, without a witness quorum signing both.
 *
 * The checks return codes in the order they run, each with a sentence a lender reads
 * (`TRUST_CHECK_TEXT`). Everything here is pure: the browser, the CLIs and the tests run it.
 */
import { z } from "zod";
import { bytesToHex, tryHexToBytes } from "./hex";
import { verifyConsistency } from "./merkle";
import { formatVerifierKey, NOTE_SIGNATURE_TYPE_ED25519, parseVerifierKey, type NoteVerifierKey } from "./note";
import type { SignatureVerifier } from "./signing";
import type { ClaimStateLeaf } from "./state-leaves";
import { verifyProvenance, type LineageStep, type ProvenanceBundle } from "./provenance";
import { maturityAtMs } from "./ledger/maturity";
import { checkpointTextHash, trustPolicyProblem, verifyCheckpointNote, type CheckpointNoteCode, type TrustPolicy, type VerifiedCheckpoint } from "./tlog-checkpoint";

export type { TrustPolicy } from "./tlog-checkpoint";

export const TRUST_POLICY_FORMAT = "double-chain-trust-policy/1";

// ---------------------------------------------------------------------------------------
// The policy as a file (CLIs) and as a stored value (the browser's IndexedDB).

/** The JSON form: verifier keys as C2SP strings (`name+hash+base64`), as the parties publish them. */
export const trustPolicyFileSchema = z
  .object({
    format: z.literal(TRUST_POLICY_FORMAT),
    origin: z.string().min(1).max(256),
    operatorKeys: z.array(z.string().max(512)).min(1).max(16),
    witnesses: z.array(z.string().max(512)).max(64),
    quorum: z.int().min(1),
  })
  .strict();

export type TrustPolicyFile = z.infer<typeof trustPolicyFileSchema>;

export type TrustPolicyParse = { ok: true; policy: TrustPolicy } | { ok: false; code: "trust_policy_malformed" | "trust_policy_invalid"; detail: string };

/** Parses an untrusted policy file: its shape, every verifier key, then the policy's own rules. */
export function parseTrustPolicy(json: unknown): TrustPolicyParse {
  const file = trustPolicyFileSchema.safeParse(json);
  if (!file.success) return { ok: false, code: "trust_policy_malformed", detail: file.error.issues.map((issue) => `${issue.path.join(".") || "policy"}: ${issue.message}`).join("; ") };
  const logKeys = parseKeys(file.data.operatorKeys, "operator key");
  if (typeof logKeys === "string") return { ok: false, code: "trust_policy_malformed", detail: logKeys };
  const witnesses = parseKeys(file.data.witnesses, "witness key");
  if (typeof witnesses === "string") return { ok: false, code: "trust_policy_malformed", detail: witnesses };
  const policy: TrustPolicy = { origin: file.data.origin, logKeys, witnesses, quorum: file.data.quorum };
  const problem = trustPolicyProblem(policy);
  return problem === null ? { ok: true, policy } : { ok: false, code: "trust_policy_invalid", detail: problem };
}

/** Parses policy JSON text, as a CLI reads it from `--trust FILE`. */
export function parseTrustPolicyText(text: string): TrustPolicyParse {
  try {
    return parseTrustPolicy(JSON.parse(text));
  } catch (error) {
    return { ok: false, code: "trust_policy_malformed", detail: `not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function parseKeys(texts: readonly string[], what: string): NoteVerifierKey[] | string {
  const keys: NoteVerifierKey[] = [];
  for (const [index, text] of texts.entries()) {
    const parsed = parseVerifierKey(text);
    if (!parsed.ok) return `${what} ${index + 1}: ${parsed.detail}`;
    keys.push(parsed.key);
  }
  return keys;
}

export function formatTrustPolicy(policy: TrustPolicy): TrustPolicyFile {
  return {
    format: TRUST_POLICY_FORMAT,
    origin: policy.origin,
    operatorKeys: policy.logKeys.map(formatVerifierKey),
    witnesses: policy.witnesses.map(formatVerifierKey),
    quorum: policy.quorum,
  };
}

/**
 * The raw Ed25519 keys of the pinned operator keys, lowercase hex: what the JSON checkpoints of
 * an export and the genesis entry are checked against.
 */
export function pinnedOperatorKeysHex(policy: TrustPolicy): string[] {
  return policy.logKeys.filter((key) => key.type === NOTE_SIGNATURE_TYPE_ED25519).map((key) => bytesToHex(key.publicKey));
}

// ---------------------------------------------------------------------------------------
// The last checkpoint a client accepted, and whether a new one may follow it.

/** What a client keeps of the last checkpoint it accepted (JSON-ready). */
export const acceptedCheckpointSchema = z
  .object({
    origin: z.string().min(1),
    size: z.int().min(0),
    rootHashHex: z.string().regex(/^[0-9a-f]{64}$/),
    stateRootHex: z.string().regex(/^[0-9a-f]{64}$/),
    /** checkpointTextHash of the note's text: what an offer or a disbursement names. */
    checkpointHash: z.string().regex(/^[0-9a-f]{64}$/),
    cosigners: z.array(z.string()),
  })
  .strict();

export type AcceptedCheckpoint = z.infer<typeof acceptedCheckpointSchema>;

export { checkpointTextHash };

export function acceptedCheckpointOf(verified: VerifiedCheckpoint): AcceptedCheckpoint {
  return {
    origin: verified.checkpoint.origin,
    size: verified.checkpoint.size,
    rootHashHex: bytesToHex(verified.checkpoint.rootHash),
    stateRootHex: bytesToHex(verified.stateRoot),
    checkpointHash: checkpointTextHash(verified.text),
    cosigners: verified.cosigners.map((cosigner) => cosigner.name),
  };
}

export type CheckpointTrustCode =
  | "no_trust_policy"
  | CheckpointNoteCode
  | "checkpoint_older_than_accepted"
  | "checkpoint_forks_accepted"
  | "consistency_proof_missing"
  | "consistency_proof_invalid";

export type CheckpointTrustCheck =
  | { ok: true; verified: VerifiedCheckpoint; accepted: AcceptedCheckpoint }
  | { ok: false; code: CheckpointTrustCode; detail: string };

export interface CheckpointTrustInput {
  /** The signed checkpoint note with its cosignature lines, as the server sent it. */
  note: string;
  /** The pinned policy; null when the organisation has pinned none. */
  policy: TrustPolicy | null;
  /** The last checkpoint this client accepted, if any. */
  lastAccepted: AcceptedCheckpoint | null;
  /** RFC 9162 consistency proof from `lastAccepted` to this checkpoint, lowercase hex; null if none was served. */
  consistencyProofHex: readonly string[] | null;
}

/**
 * Whether a checkpoint may be relied on: a pinned policy, the note under it (operator signature,
 * a quorum of witness cosignatures), then its relation to the last accepted checkpoint: never
 * older, the same tree at the same size, and a valid consistency proof when larger.
 */
export function checkCheckpointTrust(input: CheckpointTrustInput, verifier: SignatureVerifier): CheckpointTrustCheck {
  if (input.policy === null) return refuse("no_trust_policy", "your organisation has not pinned a trust policy");
  const note = verifyCheckpointNote(input.note, input.policy, verifier);
  if (!note.ok) return note;
  const accepted = acceptedCheckpointOf(note.verified);
  const last = input.lastAccepted;
  if (last === null || last.origin !== accepted.origin) return { ok: true, verified: note.verified, accepted };
  const relation = checkFollows(last, accepted, input.consistencyProofHex);
  return relation ?? { ok: true, verified: note.verified, accepted };
}

function checkFollows(last: AcceptedCheckpoint, next: AcceptedCheckpoint, proofHex: readonly string[] | null): CheckpointTrustCheck | null {
  if (next.size < last.size) return refuse("checkpoint_older_than_accepted", `size ${next.size}, but you already accepted size ${last.size}`);
  if (next.size === last.size) {
    if (next.rootHashHex === last.rootHashHex && next.stateRootHex === last.stateRootHex) return null;
    return refuse("checkpoint_forks_accepted", `size ${next.size} with root ${next.rootHashHex.slice(0, 16)}…, but you accepted root ${last.rootHashHex.slice(0, 16)}… at that size`);
  }
  if (proofHex === null) return refuse("consistency_proof_missing", `no consistency proof from size ${last.size} to ${next.size}`);
  const proof = proofHex.map((hashHex) => tryHexToBytes(hashHex, 32));
  if (proof.some((hash) => hash === null)) return refuse("consistency_proof_invalid", "a proof hash is not 64 lowercase hex characters");
  const check = verifyConsistency(last.size, next.size, tryHexToBytes(last.rootHashHex, 32) as Uint8Array, tryHexToBytes(next.rootHashHex, 32) as Uint8Array, proof as Uint8Array[]);
  return check.ok ? null : refuse("consistency_proof_invalid", `${check.code}: ${check.detail}`);
}

// ---------------------------------------------------------------------------------------
// The application's claim, as the verified state says it is.

export interface FinancingApplicationFacts {
  /** The claim the application is for (the server's row, which the bundle must match). */
  claimId: string;
  financingId: string;
  applicantOrgId: string;
  lenderOrgId: string;
}

export type EligibilityCode =
  | "bundle_for_another_claim"
  | "claim_not_held_by_applicant"
  | "claim_pledged_elsewhere"
  | "claim_already_financed"
  | "claim_in_another_financing"
  | "claim_not_held"
  | "claim_matured";

export type EligibilityCheck = { ok: true } | { ok: false; code: EligibilityCode; detail: string };

/**
 * Whether the verified state of the bundle's claim makes the application financeable, in this
 * order: the bundle is for the application's claim; held by the applicant; not pledged to
 * another lender; never financed; in no other financing; held or pledged; not matured at `nowMs`.
 */
export function checkEligibility(bundleClaimId: string, leaf: ClaimStateLeaf, application: FinancingApplicationFacts, nowMs: number): EligibilityCheck {
  if (bundleClaimId !== application.claimId || leaf.claimId !== application.claimId) {
    return refuse("bundle_for_another_claim", `the proof is for claim ${leaf.claimId === bundleClaimId ? bundleClaimId : `${bundleClaimId}/${leaf.claimId}`}, the application is for ${application.claimId}`);
  }
  if (leaf.holderOrgId !== application.applicantOrgId) return refuse("claim_not_held_by_applicant", `held by ${leaf.holderOrgId}`);
  if (leaf.activePledge !== null && leaf.activePledge.lenderOrgId !== application.lenderOrgId) {
    return refuse("claim_pledged_elsewhere", `pledge ${leaf.activePledge.pledgeId} to ${leaf.activePledge.lenderOrgId}`);
  }
  if (leaf.financedOnce) return refuse("claim_already_financed", "the state says financed once");
  if (leaf.activeFinancingId !== null && leaf.activeFinancingId !== application.financingId) {
    return refuse("claim_in_another_financing", `in financing ${leaf.activeFinancingId}`);
  }
  if (leaf.state !== "held" && leaf.state !== "pledged") return refuse("claim_not_held", `state ${leaf.state}`);
  if (nowMs >= maturityAtMs(leaf.maturityDate)) return refuse("claim_matured", `matured on ${leaf.maturityDate}`);
  return { ok: true };
}

// ---------------------------------------------------------------------------------------
// A claim's bundle under the policy: the checkpoint it is proved against, then its provenance.

/** A provenance bundle; its `state` section carries the checkpoint's note and the state proofs (docs/witness.md §6). */
export type BundleWithNote = ProvenanceBundle;

export type BundleTrustCode = CheckpointTrustCode | "checkpoint_note_missing" | "checkpoint_note_mismatch" | "provenance_failed";

export type BundleTrustCheck =
  | { ok: true; state: ClaimStateLeaf; lineage: LineageStep[]; verified: VerifiedCheckpoint; accepted: AcceptedCheckpoint }
  | { ok: false; code: BundleTrustCode; detail: string; leafIndex?: number };

export interface BundleTrustInput {
  bundle: ProvenanceBundle;
  policy: TrustPolicy | null;
  lastAccepted: AcceptedCheckpoint | null;
  consistencyProofHex: readonly string[] | null;
}

/**
 * Verifies a claim's bundle under a pinned policy: the checkpoint note (operator key, quorum,
 * consistency with the last accepted checkpoint), the note naming the same tree as the bundle's
 * checkpoint, then the provenance (replay, state proofs under the note's state root) with the
 * pinned operator key, never one the bundle brings. Returns the claim's proved current state.
 */
export function verifyBundleUnderPolicy(input: BundleTrustInput, verifier: SignatureVerifier): BundleTrustCheck {
  if (input.policy === null) return refuse("no_trust_policy", "your organisation has not pinned a trust policy");
  const bundle = input.bundle;
  const checkpointNote = bundle.state?.checkpointNote;
  if (typeof checkpointNote !== "string") return refuse("checkpoint_note_missing", "the bundle carries no signed checkpoint note");
  const checkpoint = checkCheckpointTrust({ note: checkpointNote, policy: input.policy, lastAccepted: input.lastAccepted, consistencyProofHex: input.consistencyProofHex }, verifier);
  if (!checkpoint.ok) return checkpoint;
  const json = bundle.checkpoint?.checkpoint;
  if (json?.size !== checkpoint.accepted.size || json.rootHash !== checkpoint.accepted.rootHashHex) {
    return refuse("checkpoint_note_mismatch", `the note is for size ${checkpoint.accepted.size}, the bundle's proofs for size ${json?.size}`);
  }
  let last: { code: string; detail: string; leafIndex?: number } = { code: "log_signature_missing", detail: "no pinned operator key" };
  for (const keyHex of pinnedOperatorKeysHex(input.policy)) {
    const result = verifyProvenance(bundle, hexToBytesStrict(keyHex), verifier, { policy: input.policy, requireState: true });
    if (result.ok && result.state !== undefined) return { ok: true, state: result.state.claim, lineage: result.lineage, verified: checkpoint.verified, accepted: checkpoint.accepted };
    if (!result.ok) last = result;
  }
  const failure: BundleTrustCheck = { ok: false, code: "provenance_failed", detail: `${last.code}: ${last.detail}` };
  return last.leafIndex === undefined ? failure : { ...failure, leafIndex: last.leafIndex };
}

function hexToBytesStrict(hex: string): Uint8Array {
  return tryHexToBytes(hex, 32) as Uint8Array;
}

// ---------------------------------------------------------------------------------------
// Words.

export type TrustCheckCode = BundleTrustCode | EligibilityCode | "trust_policy_malformed" | "trust_policy_invalid";

/** What each refusal means, in the words the desk and the CLIs print before the detail. */
export const TRUST_CHECK_TEXT: Record<TrustCheckCode, string> = {
  no_trust_policy: "No trust policy is pinned: an admin of your organisation must set the operator and witness keys on the Trust page first.",
  trust_policy_malformed: "The trust policy file is malformed.",
  trust_policy_invalid: "The trust policy is not usable.",
  policy_invalid: "The pinned trust policy is not usable.",
  note_malformed: "The checkpoint is not a well-formed signed note.",
  checkpoint_malformed: "The checkpoint's text is malformed.",
  origin_mismatch: "The checkpoint is for another log than the one your policy pins.",
  state_root_missing: "The checkpoint does not commit to the ledger's state.",
  log_signature_invalid: "The operator's signature on the checkpoint does not verify.",
  log_signature_missing: "The checkpoint is not signed by an operator key your organisation pinned.",
  cosignature_invalid: "A pinned witness's cosignature on the checkpoint does not verify.",
  quorum_not_met: "Too few of your pinned witnesses have cosigned this checkpoint.",
  checkpoint_older_than_accepted: "The checkpoint is older than one you already accepted: the ledger was rolled back.",
  checkpoint_forks_accepted: "The checkpoint contradicts one you already accepted at the same size: the log forked.",
  consistency_proof_missing: "No proof was given that this checkpoint extends the last one you accepted.",
  consistency_proof_invalid: "This checkpoint does not extend the last one you accepted: history was rewritten.",
  checkpoint_note_missing: "The proof carries no signed, cosigned checkpoint.",
  checkpoint_note_mismatch: "The cosigned checkpoint is not the one the claim's proofs are against.",
  provenance_failed: "The claim's provenance does not verify.",
  bundle_for_another_claim: "The proof shown is for another claim than the one in the application.",
  claim_not_held_by_applicant: "The verified state says the claim is not held by the applicant.",
  claim_pledged_elsewhere: "The verified state says the claim is pledged to another lender.",
  claim_already_financed: "The verified state says the claim has already been financed.",
  claim_in_another_financing: "The verified state says the claim is in another financing.",
  claim_not_held: "The verified state says the claim is not held (it is split, offered, settled or overdue).",
  claim_matured: "The verified state says the claim has matured.",
};

function refuse<C extends string>(code: C, detail: string): { ok: false; code: C; detail: string } {
  return { ok: false, code, detail };
}
