/**
 * Checkpoints in the C2SP tlog-checkpoint form, carrying the state root (issue 13):
 *
 *   <origin>
 *   <tree size, decimal>
 *   <base64 RFC 9162 root of the log>
 *   double-chain/state-root/v1 <base64 root of the state map>
 *
 *   — <origin> base64(key ID || Ed25519 signature)        the operator's checkpoint key
 *   — <witness> base64(key ID || timestamp || signature)   cosignature/v1 of each witness
 *
 * An off-the-shelf tlog witness cosigns the first three lines (tlog-cosignature says it makes
 * no statement about extension lines); our witnesses additionally replay the log and cosign
 * only when the extension line equals their own state root, a statement their operators make
 * out of band, as the spec allows.
 *
 * `verifyCheckpointNote` is what a lender's browser and the CLIs run against a trust policy
 * they pinned themselves: the operator's key(s), the witnesses' keys and a quorum k of n.
 */
import { sha256Bytes } from "./canonical";
import { bytesToHex, SHA256_BYTES, utf8ToBytes } from "./hex";
import {
  base64Decode,
  base64Encode,
  formatNote,
  NOTE_SIGNATURE_TYPE_COSIGNATURE_V1,
  NOTE_SIGNATURE_TYPE_ED25519,
  parseNote,
  signaturesByKey,
  signNoteText,
  verifyNoteSignature,
  type Note,
  type NoteVerifierKey,
} from "./note";
import type { SignatureVerifier } from "./signing";

export const STATE_ROOT_EXTENSION = "double-chain/state-root/v1";
/** Decimal with no leading zeroes, "0" for an empty log. */
const SIZE_PATTERN = /^(?:0|[1-9][0-9]*)$/;

export interface TlogCheckpoint {
  origin: string;
  size: number;
  rootHash: Uint8Array;
  /** Extension lines after the root hash, without their newlines. */
  extensions: string[];
}

export type CheckpointParse = { ok: true; checkpoint: TlogCheckpoint } | { ok: false; detail: string };

export function formatCheckpointBody(checkpoint: TlogCheckpoint): string {
  const problem = checkpointProblem(checkpoint);
  if (problem !== null) throw new Error(`refusing to format a malformed checkpoint: ${problem}`);
  return [checkpoint.origin, String(checkpoint.size), base64Encode(checkpoint.rootHash), ...checkpoint.extensions].map((line) => `${line}\n`).join("");
}

/** Parses a checkpoint's note text (with its final newline). */
export function parseCheckpointBody(text: string): CheckpointParse {
  if (typeof text !== "string" || !text.endsWith("\n")) return { ok: false, detail: "checkpoint text ends with a newline" };
  const [origin = "", sizeText = "", rootText = "", ...extensions] = text.slice(0, -1).split("\n");
  if (!SIZE_PATTERN.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) return { ok: false, detail: `tree size ${JSON.stringify(sizeText)} is not a decimal without leading zeroes` };
  const rootHash = base64Decode(rootText);
  if (rootHash === null || rootHash.length !== SHA256_BYTES) return { ok: false, detail: "the root hash line is not base64 of 32 bytes" };
  const checkpoint = { origin, size: Number(sizeText), rootHash, extensions };
  const problem = checkpointProblem(checkpoint);
  return problem === null ? { ok: true, checkpoint } : { ok: false, detail: problem };
}

function checkpointProblem(checkpoint: TlogCheckpoint): string | null {
  if (checkpoint.origin.length === 0 || checkpoint.origin.includes("\n")) return "the origin line is non-empty and one line";
  if (!Number.isSafeInteger(checkpoint.size) || checkpoint.size < 0) return "the tree size is a non-negative integer";
  if (!(checkpoint.rootHash instanceof Uint8Array) || checkpoint.rootHash.length !== SHA256_BYTES) return "the root hash is 32 bytes";
  if (checkpoint.extensions.some((line) => line.length === 0 || line.includes("\n"))) return "extension lines are non-empty single lines";
  return null;
}

export function stateRootExtension(stateRoot: Uint8Array): string {
  if (stateRoot.length !== SHA256_BYTES) throw new Error("a state root is 32 bytes");
  return `${STATE_ROOT_EXTENSION} ${base64Encode(stateRoot)}`;
}

/** The state root a checkpoint carries; null when it carries none or not exactly one well-formed one. */
export function checkpointStateRoot(checkpoint: TlogCheckpoint): Uint8Array | null {
  const lines = checkpoint.extensions.filter((line) => line.startsWith(`${STATE_ROOT_EXTENSION} `));
  if (lines.length !== 1) return null;
  const root = base64Decode((lines[0] as string).slice(STATE_ROOT_EXTENSION.length + 1));
  return root !== null && root.length === SHA256_BYTES ? root : null;
}

/**
 * The hash a decision names its checkpoint by (a financing offer's or disbursement's
 * `checkpointHash`): SHA-256 of the checkpoint's note text (origin, size, root, extension
 * lines), which every signature and cosignature covers, so it stays the same while
 * cosignatures are added.
 */
export function checkpointTextHash(text: string): string {
  return bytesToHex(sha256Bytes(utf8ToBytes(text)));
}

/**
 * The `checkpointTextHash` of a signed checkpoint note (as a bundle carries it), without
 * verifying any signature: the hash a decision names when it was taken on that note. Null when
 * there is no note or it does not parse.
 */
export function checkpointNoteTextHash(message: string | undefined | null): string | null {
  if (typeof message !== "string") return null;
  const note = parseNote(message);
  return note.ok ? checkpointTextHash(note.note.text) : null;
}

/** A checkpoint note signed by the log's key, named after the origin as the spec recommends. */
export function signCheckpointNote(checkpoint: TlogCheckpoint, privateKey: Uint8Array, keyName = checkpoint.origin): string {
  const text = formatCheckpointBody(checkpoint);
  return formatNote({ text, signatures: [signNoteText(text, keyName, privateKey)] });
}

// ---------------------------------------------------------------------------------------
// Verification against a pinned trust policy.

export interface TrustPolicy {
  origin: string;
  /** The operator's checkpoint keys (type 0x01); one valid signature by any of them is needed. */
  logKeys: NoteVerifierKey[];
  /** Pinned witness keys (type 0x04). */
  witnesses: NoteVerifierKey[];
  /** How many distinct witnesses must have cosigned. */
  quorum: number;
}

export type CheckpointNoteCode =
  | "policy_invalid"
  | "note_malformed"
  | "checkpoint_malformed"
  | "origin_mismatch"
  | "state_root_missing"
  | "log_signature_invalid"
  | "log_signature_missing"
  | "cosignature_invalid"
  | "quorum_not_met";

export interface VerifiedCheckpoint {
  checkpoint: TlogCheckpoint;
  stateRoot: Uint8Array;
  /** The note text the signatures cover. */
  text: string;
  /** Witnesses whose cosignature verified, with the time each one states. */
  cosigners: { name: string; timestampSeconds: number }[];
}

export type CheckpointNoteCheck = { ok: true; verified: VerifiedCheckpoint } | { ok: false; code: CheckpointNoteCode; detail: string };

/**
 * Verifies a checkpoint note under `policy`, in this order: the policy itself, the note's form,
 * the checkpoint's form and origin, its state root line, the operator's signature (a failing
 * signature of a known key rejects the note, as the signed-note spec advises), every pinned
 * witness's cosignature present (likewise), then the quorum. Unknown signatures are ignored.
 */
export function verifyCheckpointNote(message: string, policy: TrustPolicy, verifier: SignatureVerifier): CheckpointNoteCheck {
  const policyProblem = trustPolicyProblem(policy);
  if (policyProblem !== null) return fail("policy_invalid", policyProblem);
  const parsed = parseNote(message);
  if (!parsed.ok) return fail("note_malformed", parsed.detail);
  const body = parseCheckpointBody(parsed.note.text);
  if (!body.ok) return fail("checkpoint_malformed", body.detail);
  if (body.checkpoint.origin !== policy.origin) return fail("origin_mismatch", `origin ${JSON.stringify(body.checkpoint.origin)}, the policy pins ${JSON.stringify(policy.origin)}`);
  const stateRoot = checkpointStateRoot(body.checkpoint);
  if (stateRoot === null) return fail("state_root_missing", `the checkpoint has no single well-formed ${STATE_ROOT_EXTENSION} line`);
  const logCheck = checkLogSignature(parsed.note, policy.logKeys, verifier);
  if (logCheck !== null) return logCheck;
  const cosigners = checkCosignatures(parsed.note, policy.witnesses, verifier);
  if (!Array.isArray(cosigners)) return cosigners;
  if (cosigners.length < policy.quorum) {
    const names = cosigners.map((cosigner) => cosigner.name).join(", ") || "none";
    return fail("quorum_not_met", `${cosigners.length} of the ${policy.witnesses.length} pinned witnesses cosigned (${names}); the policy needs ${policy.quorum}`);
  }
  return { ok: true, verified: { checkpoint: body.checkpoint, stateRoot, text: parsed.note.text, cosigners } };
}

function checkLogSignature(note: Note, logKeys: readonly NoteVerifierKey[], verifier: SignatureVerifier): CheckpointNoteCheck | null {
  let verified = 0;
  for (const key of logKeys) {
    for (const signature of signaturesByKey(note, key)) {
      const check = verifyNoteSignature(note.text, signature, key, verifier);
      if (!check.ok) return fail("log_signature_invalid", check.detail);
      verified += 1;
    }
  }
  return verified > 0 ? null : fail("log_signature_missing", "no signature by a pinned operator key");
}

function checkCosignatures(note: Note, witnesses: readonly NoteVerifierKey[], verifier: SignatureVerifier): VerifiedCheckpoint["cosigners"] | CheckpointNoteCheck {
  const cosigners: VerifiedCheckpoint["cosigners"] = [];
  for (const key of witnesses) {
    let timestampSeconds: number | null = null;
    for (const signature of signaturesByKey(note, key)) {
      const check = verifyNoteSignature(note.text, signature, key, verifier);
      if (!check.ok) return fail("cosignature_invalid", check.detail);
      timestampSeconds ??= check.timestampSeconds;
    }
    // A witness counts once however many lines it has, so one witness cannot make a quorum.
    if (timestampSeconds !== null) cosigners.push({ name: key.name, timestampSeconds });
  }
  return cosigners;
}

export function trustPolicyProblem(policy: TrustPolicy): string | null {
  if (typeof policy.origin !== "string" || policy.origin.length === 0) return "the policy names the log's origin";
  if (policy.logKeys.length === 0) return "the policy pins at least one operator key";
  if (policy.logKeys.some((key) => key.type !== NOTE_SIGNATURE_TYPE_ED25519)) return "operator keys are Ed25519 note keys (type 0x01)";
  if (policy.witnesses.some((key) => key.type !== NOTE_SIGNATURE_TYPE_COSIGNATURE_V1)) return "witness keys are cosignature/v1 keys (type 0x04)";
  const distinct = new Set(policy.witnesses.map((key) => key.name));
  if (distinct.size !== policy.witnesses.length) return "each pinned witness has its own name";
  const distinctKeys = new Set(policy.witnesses.map((key) => base64Encode(key.publicKey)));
  if (distinctKeys.size !== policy.witnesses.length) return "each pinned witness has its own key (cosignature/v1 does not sign the name)";
  if (!Number.isInteger(policy.quorum) || policy.quorum < 1 || policy.quorum > policy.witnesses.length) {
    return `the quorum must be between 1 and the ${policy.witnesses.length} pinned witnesses`;
  }
  return null;
}

/** Adds signature lines (a witness's add-checkpoint response) to a signed note. */
export function addSignatureLines(message: string, signatureLines: string): string {
  if (!message.endsWith("\n") || (signatureLines.length > 0 && !signatureLines.endsWith("\n"))) throw new Error("note and signature lines end with newlines");
  return `${message}${signatureLines}`;
}

function fail(code: CheckpointNoteCode, detail: string): { ok: false; code: CheckpointNoteCode; detail: string } {
  return { ok: false, code, detail };
}
