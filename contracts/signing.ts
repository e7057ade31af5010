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

/** Answers remembered per public key (hex): keyIdFor and isAcceptablePublicKey. Bounded. */
const KEY_MEMO_LIMIT = 4096;
const keyIds = new Map<string, string>();
const acceptableKeys = new Map<string, boolean>();

/** One signature to check: what a SignatureVerifier is called with. */
export interface SignatureToCheck {
  publicKey: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
}

/**
 * Checks many signatures, possibly asynchronously and in parallel: WebCrypto's Ed25519 in a
 * browser, worker threads on a server. `add` starts one check and returns at once; `answers`
 * resolves with every answer, in the order added.
 */
export interface SignatureBatch {
  add(check: SignatureToCheck): void;
  answers(): Promise<boolean[]>;
}

/** Opens a new batch for one run. */
export type BatchSignatureVerifier = () => SignatureBatch;

/**
 * Runs a pure, synchronous check (`run`) whose signature verifications a batch verifier
 * answers. `run` first goes through optimistically: every signature is handed to the batch
 * and taken as valid for now, so the batch works while `run` goes on. If every answer then
 * says valid, that run saw exactly what a real verifier would have answered, and its result
 * stands. If one says invalid, the optimistic result is thrown away and `run` goes again with
 * the real answers: `run` is deterministic, so up to the first invalid signature it asks for
 * the same checks in the same order and gets the batch's answers; anything it asks after
 * that, `fallback` answers.
 */
export async function runWithBatchVerifier<R>(
  run: (verifier: SignatureVerifier) => R,
  batchVerifier: BatchSignatureVerifier,
  fallback: SignatureVerifier = nobleVerifier,
): Promise<R> {
  const batch = batchVerifier();
  let optimistic: { value: R } | { error: unknown };
  try {
    optimistic = { value: run((publicKey, message, signature) => (batch.add({ publicKey, message, signature }), true)) };
  } catch (error) {
    optimistic = { error };
  }
  const answers = await batch.answers();
  const firstInvalid = answers.findIndex((answer) => answer !== true);
  if (firstInvalid === -1) {
    if ("error" in optimistic) throw optimistic.error;
    return optimistic.value;
  }
  let calls = 0;
  return run((publicKey, message, signature) => {
    const call = calls++;
    return call <= firstInvalid ? answers[call] === true : fallback(publicKey, message, signature);
  });
}

/** A check run in steps (a replay fed a leaf range at a time): `step` says whether to go on. */
export interface SteppedRun<P, R> {
  step(part: P): boolean;
  finish(): R;
}

/** Batches whose answers may be outstanding while the run goes on: a bound on what is held. */
const BATCHES_IN_FLIGHT = 4;

/**
 * runWithBatchVerifier for a run fed in parts that are read as it goes (`parts` can be read
 * again from the start). Each part's signatures go to a batch of their own and are taken as
 * valid for now; a few batches may be outstanding while the next parts run, so nothing is
 * kept for the whole run but a count of the checks answered valid. If every answer says
 * valid, the optimistic result stands. If one says invalid, the run starts again from the
 * first part with the real answers: every check before that one was valid, that one is not,
 * and `fallback` answers the rest.
 */
export async function runStepsWithBatchVerifier<P, R>(
  begin: (verifier: SignatureVerifier) => SteppedRun<P, R>,
  parts: () => AsyncIterable<P>,
  batchVerifier: BatchSignatureVerifier,
  fallback: SignatureVerifier = nobleVerifier,
): Promise<R> {
  let batch = batchVerifier();
  let calls = 0;
  const run = begin((publicKey, message, signature) => (calls++, batch.add({ publicKey, message, signature }), true));
  const inFlight: { answers: Promise<boolean[]>; firstCall: number }[] = [];
  let closedCalls = 0;
  let firstInvalid = -1;
  const closeBatch = () => {
    inFlight.push({ answers: batch.answers(), firstCall: closedCalls });
    closedCalls = calls;
    batch = batchVerifier();
  };
  // Batches are settled oldest first, so the first invalid answer found is the run's first.
  const settleOldest = async () => {
    const { answers, firstCall } = inFlight.shift() as (typeof inFlight)[number];
    const invalid = (await answers).findIndex((answer) => answer !== true);
    if (invalid !== -1 && firstInvalid === -1) firstInvalid = firstCall + invalid;
  };
  let optimistic: { value: R } | { error: unknown };
  try {
    for await (const part of parts()) {
      const going = run.step(part);
      closeBatch();
      while (inFlight.length > BATCHES_IN_FLIGHT) await settleOldest();
      if (!going || firstInvalid !== -1) break;
    }
    optimistic = { value: run.finish() };
  } catch (error) {
    optimistic = { error };
  }
  closeBatch();
  while (inFlight.length > 0) await settleOldest();
  if (firstInvalid === -1) {
    if ("error" in optimistic) throw optimistic.error;
    return optimistic.value;
  }
  let call = 0;
  const again = begin((publicKey, message, signature) => {
    const index = call++;
    return index < firstInvalid ? true : index === firstInvalid ? false : fallback(publicKey, message, signature);
  });
  for await (const part of parts()) if (!again.step(part)) break;
  return again.finish();
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
  // Every signature check asks for the keyId of its key; the same few keys come up again and again.
  const hex = bytesToHex(publicKey);
  let keyId = keyIds.get(hex);
  if (keyId === undefined) {
    keyId = sha256Hex(publicKey).slice(0, KEY_ID_HEX_LENGTH);
    remember(keyIds, hex, keyId);
  }
  return keyId;
}


/** A bounded memo: the oldest entry goes when it is full. */
function remember<V>(memo: Map<string, V>, key: string, value: V): void {
  if (memo.size >= KEY_MEMO_LIMIT) memo.delete(memo.keys().next().value as string);
  memo.set(key, value);
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
  remember(acceptableKeys, hex, acceptable);
  return acceptable;
}


function isPrimeOrderPoint(publicKey: Uint8Array): boolean {
  try {
    const point = ed25519.Point.fromBytes(publicKey, false);
    return !point.isSmallOrder() && point.isTorsionFree();
  } catch {
    return false;
  }
}

/** Bytes of the right lengths for a key and a signature: what every verifier checks first. */
export function hasLengths(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
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
