/**
 * Signed checkpoints (RFC 9162 "signed tree heads") chained by hash (docs/ledger.md "Log").
 *
 * The checkpoint hash is the SHA-256 of the checkpoint's canonical bytes; the operator's
 * checkpoint key signs its 32 raw bytes. Each checkpoint names the hash of the one before,
 * so a list of checkpoints is a hash chain that the operator cannot rewrite without the
 * change showing at the first edited link. Everything here is wire-shaped: hashes and
 * signatures are lowercase hex strings.
 */
import { canonicalBytes, sha256Bytes } from "./canonical";
import { bytesToHex, EMPTY_SHA256_HEX, isLowerHex, KEY_ID_HEX_LENGTH, SHA256_BYTES, tryHexToBytes } from "./hex";
import { verifyConsistency } from "./merkle";
import { keyIdFor, publicKeyFromPrivate, signDigest, type SignatureVerifier } from "./signing";
import { checkDigestSignature, type SignatureCheckCode } from "./transaction";

export interface Checkpoint {
  /** Number of leaves in the log. */
  size: number;
  /** RFC 9162 root of those leaves, lowercase hex. */
  rootHash: string;
  timestampMs: number;
  /** checkpointHash of the previous checkpoint; null for the first one. */
  previousCheckpointHash: string | null;
}

export interface SignedCheckpoint {
  checkpoint: Checkpoint;
  keyId: string;
  signatureHex: string;
}

export type CheckpointCheckCode = "checkpoint_malformed" | SignatureCheckCode;

export type CheckpointCheck =
  | { ok: true }
  | { ok: false; code: CheckpointCheckCode; detail: string };

/** Chain failures, in the order they are checked for each checkpoint. */
export type CheckpointChainCode =
  | CheckpointCheckCode
  | "previous_hash_mismatch"
  | "size_decreased"
  | "timestamp_decreased"
  | "not_consistent";

/** `index` is the position in the list of the first checkpoint that failed. */
export type CheckpointChainCheck =
  | { ok: true }
  | { ok: false; index: number; code: CheckpointChainCode; detail: string };

export interface CheckpointChainOptions {
  /** What the first checkpoint's previousCheckpointHash must be; null (the default) = genesis. */
  firstPreviousHash?: string | null;
  /**
   * Optional RFC 9162 consistency proofs, hex: element i proves that checkpoint i is a prefix
   * of checkpoint i + 1. When given, every link needs one (a missing one is `not_consistent`).
   * Without them only signatures, links, monotonicity and "same size, same root" are checked,
   * so a re-signed wrong root is caught only if a later link or a proof exposes it.
   */
  consistencyProofsHex?: ReadonlyArray<readonly string[]>;
}

export function checkpointDigest(checkpoint: Checkpoint): Uint8Array {
  return sha256Bytes(canonicalBytes(checkpoint));
}

/** Lowercase hex SHA-256 of the checkpoint's canonical bytes. */
export function checkpointHash(checkpoint: Checkpoint): string {
  return bytesToHex(checkpointDigest(checkpoint));
}

/**
 * Signs a well-formed checkpoint. Throws if it is malformed or `privateKey` is not `keyId`:
 * either would produce a checkpoint no one can verify, which is a bug, not an outcome.
 */
export function signCheckpoint(checkpoint: Checkpoint, keyId: string, privateKey: Uint8Array): SignedCheckpoint {
  const problem = checkpointProblem(checkpoint);
  if (problem !== null) throw new Error(`refusing to sign a malformed checkpoint: ${problem}`);
  const actualKeyId = keyIdFor(publicKeyFromPrivate(privateKey));
  if (actualKeyId !== keyId) throw new Error(`keyId ${keyId} does not match the private key (keyId ${actualKeyId})`);
  const signature = signDigest(privateKey, checkpointDigest(checkpoint));
  return { checkpoint, keyId, signatureHex: bytesToHex(signature) };
}

/** Checks the shape of the checkpoint, then that `publicKey` is `keyId` and signed it. */
export function verifyCheckpoint(
  signed: SignedCheckpoint,
  publicKey: Uint8Array,
  verifier: SignatureVerifier,
): CheckpointCheck {
  const problem = checkpointProblem(signed.checkpoint) ?? keyIdProblem(signed.keyId);
  if (problem !== null) return { ok: false, code: "checkpoint_malformed", detail: problem };
  const digest = checkpointDigest(signed.checkpoint);
  return checkDigestSignature(digest, signed.keyId, signed.signatureHex, publicKey, verifier);
}

/**
 * Verifies a list of consecutive checkpoints: each is well-formed and signed by `publicKey`,
 * links to the hash of the one before, and neither shrinks the log nor goes back in time.
 */
export function verifyCheckpointChain(
  list: readonly SignedCheckpoint[],
  publicKey: Uint8Array,
  verifier: SignatureVerifier,
  options: CheckpointChainOptions = {},
): CheckpointChainCheck {
  let previous: Checkpoint | null = null;
  for (const [index, signed] of list.entries()) {
    const result = checkChainLink(previous, signed, index, publicKey, verifier, options);
    if (!result.ok) return { ...result, index };
    previous = signed.checkpoint;
  }
  return { ok: true };
}

type LinkCheck = { ok: true } | { ok: false; code: CheckpointChainCode; detail: string };

function checkChainLink(
  previous: Checkpoint | null,
  signed: SignedCheckpoint,
  index: number,
  publicKey: Uint8Array,
  verifier: SignatureVerifier,
  options: CheckpointChainOptions,
): LinkCheck {
  const signature = verifyCheckpoint(signed, publicKey, verifier);
  if (!signature.ok) return signature;
  const link = checkPreviousHash(previous, signed.checkpoint, options.firstPreviousHash ?? null);
  if (!link.ok) return link;
  // With proofs requested, a missing one is a failure (null), not a reason to skip the check.
  const proofs = options.consistencyProofsHex;
  const proofHex = proofs === undefined ? undefined : (proofs[index - 1] ?? null);
  return checkGrowth(previous, signed.checkpoint, proofHex);
}

function checkPreviousHash(previous: Checkpoint | null, current: Checkpoint, firstPreviousHash: string | null): LinkCheck {
  const expected = previous === null ? firstPreviousHash : checkpointHash(previous);
  if (current.previousCheckpointHash !== expected) {
    const detail = `previousCheckpointHash is ${String(current.previousCheckpointHash)}, expected ${String(expected)}`;
    return { ok: false, code: "previous_hash_mismatch", detail };
  }
  return { ok: true };
}

function checkGrowth(previous: Checkpoint | null, current: Checkpoint, proofHex: readonly string[] | null | undefined): LinkCheck {
  if (previous === null) return { ok: true };
  if (current.size < previous.size) {
    return { ok: false, code: "size_decreased", detail: `size ${current.size} is below the previous ${previous.size}` };
  }
  if (current.timestampMs < previous.timestampMs) {
    const detail = `timestampMs ${current.timestampMs} is before the previous ${previous.timestampMs}`;
    return { ok: false, code: "timestamp_decreased", detail };
  }
  return checkConsistency(previous, current, proofHex);
}

/** A log that did not grow must keep its root; one that grew must prove it only appended. */
function checkConsistency(previous: Checkpoint, current: Checkpoint, proofHex: readonly string[] | null | undefined): LinkCheck {
  if (current.size === previous.size && current.rootHash !== previous.rootHash) {
    return { ok: false, code: "not_consistent", detail: `size stayed ${current.size} but the root changed` };
  }
  if (proofHex === undefined) return { ok: true };
  if (proofHex === null) return { ok: false, code: "not_consistent", detail: "no consistency proof from the previous checkpoint" };
  const proof = proofHex.map((hashHex) => tryHexToBytes(hashHex, SHA256_BYTES));
  if (proof.some((hash) => hash === null)) {
    return { ok: false, code: "not_consistent", detail: "consistency proof contains a malformed hash" };
  }
  const oldRoot = tryHexToBytes(previous.rootHash) as Uint8Array;
  const newRoot = tryHexToBytes(current.rootHash) as Uint8Array;
  const result = verifyConsistency(previous.size, current.size, oldRoot, newRoot, proof as Uint8Array[]);
  return result.ok ? result : { ok: false, code: "not_consistent", detail: `${result.code}: ${result.detail}` };
}

const CHECKPOINT_KEYS = ["previousCheckpointHash", "rootHash", "size", "timestampMs"];

/** Why `checkpoint` is not a well-formed checkpoint, or null. */
function checkpointProblem(checkpoint: Checkpoint): string | null {
  if (typeof checkpoint !== "object" || checkpoint === null) return "checkpoint is not an object";
  const keys = Object.keys(checkpoint).sort();
  if (keys.join(",") !== CHECKPOINT_KEYS.join(",")) {
    // Unknown members would be hashed and signed, yet dropped by any schema that decodes the wire form.
    return `checkpoint members must be exactly ${CHECKPOINT_KEYS.join(", ")}; got ${keys.join(", ")}`;
  }
  if (!isCount(checkpoint.size)) return `size must be a non-negative integer, got ${String(checkpoint.size)}`;
  if (!isCount(checkpoint.timestampMs)) return `timestampMs must be a non-negative integer, got ${String(checkpoint.timestampMs)}`;
  if (!isLowerHex(checkpoint.rootHash, SHA256_BYTES)) return "rootHash must be 64 lowercase hex characters";
  if (checkpoint.size === 0 && checkpoint.rootHash !== EMPTY_SHA256_HEX) return "an empty log must have the empty-tree root";
  const previous = checkpoint.previousCheckpointHash;
  if (previous !== null && !isLowerHex(previous, SHA256_BYTES)) {
    return "previousCheckpointHash must be null or 64 lowercase hex characters";
  }
  return null;
}

function keyIdProblem(keyId: string): string | null {
  return isLowerHex(keyId) && keyId.length === KEY_ID_HEX_LENGTH ? null : "keyId must be 32 lowercase hex characters";
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}
