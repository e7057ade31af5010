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
  if (publicKey.length !== ED25519_PUBLIC_KEY_BYTES) return false;
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
