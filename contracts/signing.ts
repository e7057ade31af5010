/**
 * Ed25519 keys and signatures (RFC 8032), with verification injected as a function.
 *
 * Contracts never pick a verifier themselves: the browser and the verifier CLI pass
 * `nobleVerifier`, the server passes the faster node:crypto one
 * (server/crypto/node-verifier.ts). Both answer false, never throw, for malformed input, so
 * a hostile signature is an expected failure and not a crash.
 *
 * Strictness: `nobleVerifier` uses RFC 8032 decoding (no ZIP-215 leniency) and rejects
 * small-order public keys. Key registration should additionally require
 * `isAcceptablePublicKey`, which the node verifier also enforces, so every key in the ledger
 * is a canonical point of prime order. OpenSSL checks the cofactorless equation and noble the
 * cofactored one; for such keys everything OpenSSL accepts, noble accepts too, so whatever the
 * server admits to the log verifies in every browser. The converse can fail only for
 * signatures deliberately built with a low-order component, which the server rejects.
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { sha256Hex } from "./canonical";
import {
  bytesToHex,
  ED25519_PRIVATE_KEY_BYTES,
  ED25519_PUBLIC_KEY_BYTES,
  ED25519_SIGNATURE_BYTES,
  KEY_ID_HEX_LENGTH,
  SHA256_BYTES,
} from "./hex";

/** Checks an Ed25519 `signature` of `message` by `publicKey`; false on any malformed input. */
export type SignatureVerifier = (
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
) => boolean;

export const nobleVerifier: SignatureVerifier = (publicKey, message, signature) => {
  if (!hasLengths(publicKey, message, signature)) return false;
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    // noble throws for some malformed encodings; a verifier answers instead.
    return false;
  }
};

/** One signature to check: what a SignatureVerifier is called with. */
export interface SignatureCheck {
  publicKey: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
}

/**
 * Checks many signatures at once and answers in the same order, possibly asynchronously:
 * WebCrypto's Ed25519 is asynchronous, and checking a bundle's signatures together lets the
 * browser run them in parallel, off the replay's path.
 */
export type BatchSignatureVerifier = (checks: readonly SignatureCheck[]) => Promise<boolean[]>;

/**
 * Runs a pure, synchronous check (`run`) whose signature verifications a batch verifier
 * answers. First `run` goes through optimistically, every signature taken as valid and
 * recorded; then the batch checks all of them. If all are valid, that run saw exactly the
 * answers a real verifier gives, so its result is the result. If one is not, `run` goes again
 * with the real answers (a failed check is never trusted): its verifications are the first
 * run's up to the first failure, and `fallback` answers any other.
 */
export async function runWithBatchVerifier<R>(
  run: (verifier: SignatureVerifier) => R,
  batch: BatchSignatureVerifier,
  fallback: SignatureVerifier = nobleVerifier,
): Promise<R> {
  const checks: SignatureCheck[] = [];
  let optimistic: { value: R } | { error: unknown };
  try {
    optimistic = { value: run((publicKey, message, signature) => (checks.push({ publicKey, message, signature }), true)) };
  } catch (error) {
    optimistic = { error };
  }
  const answers = await batch(checks);
  if (answers.length === checks.length && answers.every((answer) => answer === true)) {
    if ("error" in optimistic) throw optimistic.error;
    return optimistic.value;
  }
  const known = new Map(checks.map((check, i) => [checkKey(check), answers[i] === true]));
  return run((publicKey, message, signature) => known.get(checkKey({ publicKey, message, signature })) ?? fallback(publicKey, message, signature));
}

/** A map key for a check; malformed inputs (not bytes) all share one, answered by the fallback. */
function checkKey({ publicKey, message, signature }: SignatureCheck): string {
  const parts = [publicKey, message, signature];
  return parts.every((part) => part instanceof Uint8Array) ? parts.map((part) => bytesToHex(part)).join(":") : "malformed";
}

/** Signs the 32-byte digest that the ledger signs (transaction id or checkpoint hash). */
export function signDigest(privateKey: Uint8Array, digest: Uint8Array): Uint8Array {
  assertLength(privateKey, ED25519_PRIVATE_KEY_BYTES, "private key");
  assertLength(digest, SHA256_BYTES, "digest");
  return ed25519.sign(digest, privateKey);
}

/**
 * A private key from 32 bytes of caller-supplied randomness (contracts/ has no randomness
 * source). Any 32 bytes are a valid Ed25519 seed; the copy keeps the caller's buffer from
 * aliasing the key.
 */
export function generatePrivateKey(randomBytes32: Uint8Array): Uint8Array {
  assertLength(randomBytes32, ED25519_PRIVATE_KEY_BYTES, "random bytes");
  return Uint8Array.from(randomBytes32);
}

export function publicKeyFromPrivate(privateKey: Uint8Array): Uint8Array {
  assertLength(privateKey, ED25519_PRIVATE_KEY_BYTES, "private key");
  return ed25519.getPublicKey(privateKey);
}

/** keyId = first 32 hex characters (16 bytes) of SHA-256 of the raw 32-byte public key. */
export function keyIdFor(publicKey: Uint8Array): string {
  assertLength(publicKey, ED25519_PUBLIC_KEY_BYTES, "public key");
  return sha256Hex(publicKey).slice(0, KEY_ID_HEX_LENGTH);
}

/**
 * True when `publicKey` is a canonical encoding of a point in the prime-order subgroup. Honest
 * keys always are; key registration rejects the rest, because low-order or mixed-order keys
 * let one signature verify for several messages and make verifiers disagree.
 */
export function isAcceptablePublicKey(publicKey: Uint8Array): boolean {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== ED25519_PUBLIC_KEY_BYTES) return false;
  // The subgroup check costs about a millisecond in @noble/curves, and a verifier meets the
  // same few keys again and again, so the answer is remembered per key.
  const hex = bytesToHex(publicKey);
  const known = acceptableKeys.get(hex);
  if (known !== undefined) return known;
  const acceptable = isPrimeOrderPoint(publicKey);
  if (acceptableKeys.size >= ACCEPTABLE_KEYS_LIMIT) acceptableKeys.delete(acceptableKeys.keys().next().value as string);
  acceptableKeys.set(hex, acceptable);
  return acceptable;
}

const ACCEPTABLE_KEYS_LIMIT = 4096;
const acceptableKeys = new Map<string, boolean>();

function isPrimeOrderPoint(publicKey: Uint8Array): boolean {
  try {
    const point = ed25519.Point.fromBytes(publicKey, false);
    return !point.isSmallOrder() && point.isTorsionFree();
  } catch {
    return false;
  }
}

function hasLengths(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  return (
    publicKey instanceof Uint8Array &&
    message instanceof Uint8Array &&
    signature instanceof Uint8Array &&
    publicKey.length === ED25519_PUBLIC_KEY_BYTES &&
    signature.length === ED25519_SIGNATURE_BYTES
  );
}

function assertLength(bytes: Uint8Array, byteLength: number, what: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== byteLength) {
    const got = bytes instanceof Uint8Array ? `${bytes.length} bytes` : typeof bytes;
    throw new Error(`${what} must be ${byteLength} bytes, got ${got}`);
  }
}
