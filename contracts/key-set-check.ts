/**
 * The browser's check of its own organisation's key set (issue 14, deliverable 1).
 *
 * The Keys page lists keys from the operator's database; the operator could add a row, or a
 * key registration of its own, and the page would show it like any other. So the browser asks
 * for its organisation's state leaf with the map proof under the latest checkpoint's state
 * root, verifies the checkpoint note (under the organisation's pinned trust policy when it has
 * one: the operator's signature and a quorum of witnesses; otherwise only the operator's
 * signature, which proves nothing the operator could not fabricate), verifies the leaf against
 * the root, and then compares the committed key set with two things: the keys the page lists,
 * and the keys this browser knows (its own key, its passkey, keys an admin confirmed here, keys
 * the person marked as known after checking with their holders).
 *
 * Failures are values in the order the checks run; a verified set comes back with what it
 * disagrees with, and the page warns about each item.
 */
import { canonicalBytes, sha256Bytes } from "./canonical";
import { parseNote, signaturesByKey, verifyNoteSignature, type NoteVerifierKey } from "./note";
import type { SignatureVerifier } from "./signing";
import { orgStateKey, ORG_STATE_LEAF_VERSION, type OrgLeafKey, type OrgStateLeaf } from "./state-leaves";
import { verifyStateMapProof, type StateMapProof } from "./state-map";
import { checkpointStateRoot, parseCheckpointBody, type TrustPolicy } from "./tlog-checkpoint";
import { checkCheckpointTrust, type AcceptedCheckpoint } from "./trust-policy";

/** What the server answers: the organisation's leaf and its proof under the note's state root. */
export interface OrgKeySetProof {
  /** The C2SP checkpoint note with the cosignature lines the server holds. */
  checkpointNote: string;
  leaf: OrgStateLeaf;
  proof: StateMapProof;
}

/** An active key as the page lists it (the server's rows). */
export interface ListedKey {
  keyId: string;
  publicKeyHex: string;
  role: string;
  holderUserId: string;
}

export interface KeySetCheckInput {
  orgId: string;
  answer: OrgKeySetProof;
  /** The organisation's pinned trust policy, or null when it pinned none. */
  policy: TrustPolicy | null;
  /** Without a policy: the operator's checkpoint keys the note is checked against. */
  operatorKeys: readonly NoteVerifierKey[];
  /** The active keys the page lists. */
  listed: readonly ListedKey[];
  /** The key ids this browser knows. */
  known: ReadonlySet<string>;
  /**
   * Under a policy: the last checkpoint this browser accepted (the desk's and this page's), which
   * the answer's checkpoint must extend, and the RFC 9162 consistency proof to it (lowercase hex;
   * null when none was served). Absent: nothing accepted before.
   */
  lastAccepted?: AcceptedCheckpoint | null;
  consistencyProofHex?: readonly string[] | null;
}

export type KeySetCheckCode = "checkpoint_invalid" | "checkpoint_inconsistent" | "leaf_malformed" | "leaf_of_another_organisation" | "state_proof_invalid";

export interface VerifiedKeySet {
  size: number;
  /** Witnesses whose cosignature verified under the pinned policy; empty without one. */
  cosigners: string[];
  /** True when the note was checked under a pinned policy with its quorum. */
  witnessed: boolean;
  committed: OrgLeafKey[];
  /** Committed keys this browser does not know. */
  unknown: OrgLeafKey[];
  /** Keys the page lists as active that the checkpoint does not commit to (or commits to differently). */
  listedNotCommitted: ListedKey[];
  /** Committed keys the page does not list as active. */
  committedNotListed: OrgLeafKey[];
  /** Under a policy, the checkpoint to remember as the last accepted one; null without a policy. */
  accepted: AcceptedCheckpoint | null;
}

export type KeySetCheck = { ok: true; verified: VerifiedKeySet } | { ok: false; code: KeySetCheckCode; detail: string };

/** Checks the answer, in order: the checkpoint note, the leaf's form and organisation, the map proof; then compares. */
export function checkOrgKeySet(input: KeySetCheckInput, verifier: SignatureVerifier): KeySetCheck {
  const note = verifyNote(input, verifier);
  if (!note.ok) return note;
  const leafProblem = orgLeafProblem(input.answer.leaf);
  if (leafProblem !== null) return refuse("leaf_malformed", leafProblem);
  if (input.answer.leaf.orgId !== input.orgId) return refuse("leaf_of_another_organisation", `the leaf is organisation ${input.answer.leaf.orgId}'s, not ${input.orgId}'s`);
  const valueHash = sha256Bytes(canonicalBytes(input.answer.leaf));
  const proof = verifyStateMapProof(note.stateRoot, orgStateKey(input.orgId), valueHash, input.answer.proof);
  if (!proof.ok) return refuse("state_proof_invalid", `${proof.code}: ${proof.detail}`);
  const committed = input.answer.leaf.activeKeys;
  return {
    ok: true,
    verified: {
      size: note.size,
      cosigners: note.cosigners,
      witnessed: input.policy !== null,
      committed,
      unknown: committed.filter((key) => !input.known.has(key.keyId)),
      listedNotCommitted: input.listed.filter((listed) => !committed.some((key) => sameKey(key, listed))),
      committedNotListed: committed.filter((key) => !input.listed.some((listed) => sameKey(key, listed))),
      accepted: note.accepted,
    },
  };
}

type VerifiedNote =
  | { ok: true; size: number; stateRoot: Uint8Array; cosigners: string[]; accepted: AcceptedCheckpoint | null }
  | { ok: false; code: "checkpoint_invalid" | "checkpoint_inconsistent"; detail: string };

/** The trust checks that compare the checkpoint with the last one this browser accepted. */
const INCONSISTENT = new Set(["checkpoint_older_than_accepted", "checkpoint_forks_accepted", "consistency_proof_missing", "consistency_proof_invalid"]);

function verifyNote(input: KeySetCheckInput, verifier: SignatureVerifier): VerifiedNote {
  const { checkpointNote: message } = input.answer;
  const { policy, operatorKeys } = input;
  if (policy !== null) {
    // The desk's own check (trust-policy.ts): the note under the policy, then its relation to the last accepted checkpoint.
    const check = checkCheckpointTrust({ note: message, policy, lastAccepted: input.lastAccepted ?? null, consistencyProofHex: input.consistencyProofHex ?? null }, verifier);
    if (!check.ok) return refuse(INCONSISTENT.has(check.code) ? "checkpoint_inconsistent" : "checkpoint_invalid", `${check.code}: ${check.detail}`);
    const { verified } = check;
    return { ok: true, size: verified.checkpoint.size, stateRoot: verified.stateRoot, cosigners: verified.cosigners.map((cosigner) => cosigner.name), accepted: check.accepted };
  }
  // No pinned policy: one valid signature by an operator key, and no invalid one by it.
  const parsed = parseNote(message);
  if (!parsed.ok) return refuse("checkpoint_invalid", `note_malformed: ${parsed.detail}`);
  const body = parseCheckpointBody(parsed.note.text);
  if (!body.ok) return refuse("checkpoint_invalid", `checkpoint_malformed: ${body.detail}`);
  let signed = 0;
  for (const key of operatorKeys) {
    for (const signature of signaturesByKey(parsed.note, key)) {
      const check = verifyNoteSignature(parsed.note.text, signature, key, verifier);
      if (!check.ok) return refuse("checkpoint_invalid", `log_signature_invalid: ${check.detail}`);
      signed += 1;
    }
  }
  if (signed === 0) return refuse("checkpoint_invalid", "log_signature_missing: no signature by the operator's checkpoint key");
  const stateRoot = checkpointStateRoot(body.checkpoint);
  if (stateRoot === null) return refuse("checkpoint_invalid", "state_root_missing: the checkpoint carries no state root");
  return { ok: true, size: body.checkpoint.size, stateRoot, cosigners: [], accepted: null };
}

/** The leaf's form: it is hashed as given, so only its shape needs checking, not every field's meaning. */
function orgLeafProblem(leaf: OrgStateLeaf): string | null {
  if (typeof leaf !== "object" || leaf === null) return "the leaf is not an object";
  if (leaf.kind !== "org" || leaf.version !== ORG_STATE_LEAF_VERSION) return `the leaf is not an organisation leaf of version ${ORG_STATE_LEAF_VERSION}`;
  if (typeof leaf.orgId !== "string" || !Array.isArray(leaf.activeKeys)) return "the leaf has no orgId or no activeKeys";
  for (const [index, key] of leaf.activeKeys.entries()) {
    if (typeof key !== "object" || key === null || typeof key.keyId !== "string" || typeof key.publicKeyHex !== "string" || typeof key.role !== "string" || typeof key.holderUserId !== "string") {
      return `activeKeys[${index}] lacks keyId, publicKeyHex, role or holderUserId`;
    }
  }
  return null;
}

/** The same key: id, public key, role and holder all agree. */
function sameKey(committed: OrgLeafKey, listed: ListedKey): boolean {
  return committed.keyId === listed.keyId && committed.publicKeyHex === listed.publicKeyHex && committed.role === listed.role && committed.holderUserId === listed.holderUserId;
}

function refuse<C extends string>(code: C, detail: string): { ok: false; code: C; detail: string } {
  return { ok: false, code, detail };
}
