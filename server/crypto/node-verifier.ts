/**
 * Ed25519 through node:crypto (OpenSSL), for the server's hot paths: verifying every
 * submitted transaction and signing checkpoints. It implements the same `SignatureVerifier`
 * contract as `nobleVerifier` in contracts/signing.ts and must agree with it on every
 * legitimate signature (test/unit/signing.test.ts checks this on all golden vectors).
 *
 * node:crypto wants KeyObjects, not raw bytes, so raw keys are wrapped in the fixed DER
 * prefixes of SPKI (public) and PKCS#8 (private) Ed25519 encodings, and the KeyObjects are
 * cached because building one costs about as much as a verification.
 */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import { bytesToHex } from "@/contracts/hex";
import { isAcceptablePublicKey, type SignatureVerifier } from "@/contracts/signing";

/** SubjectPublicKeyInfo header for Ed25519 (OID 1.3.101.112); the 32 raw key bytes follow. */
const SPKI_ED25519_PREFIX = Buffer.from("302a300506032b6570032100", "hex");
/** PKCS#8 PrivateKeyInfo header for Ed25519; the 32-byte seed follows. */
const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

const KEY_BYTES = 32;
const SIGNATURE_BYTES = 64;
const PUBLIC_KEY_CACHE_LIMIT = 4096;
const PRIVATE_KEY_CACHE_LIMIT = 16;

/** null caches "this key is not acceptable", so a hostile key is checked only once too. */
const publicKeyCache = new Map<string, KeyObject | null>();
const privateKeyCache = new Map<string, KeyObject>();

export const nodeVerifier: SignatureVerifier = (publicKey, message, signature) => {
  if (!(publicKey instanceof Uint8Array) || !(message instanceof Uint8Array) || !(signature instanceof Uint8Array)) {
    return false;
  }
  if (publicKey.length !== KEY_BYTES || signature.length !== SIGNATURE_BYTES) return false;
  const keyObject = publicKeyObject(publicKey);
  if (keyObject === null) return false;
  try {
    return verify(null, message, keyObject, signature);
  } catch {
    return false;
  }
};

/** Ed25519 signature of `message` with a raw 32-byte private key (seed). */
export function nodeSign(privateKey: Uint8Array, message: Uint8Array): Uint8Array {
  if (!(privateKey instanceof Uint8Array) || privateKey.length !== KEY_BYTES) {
    throw new Error(`private key must be ${KEY_BYTES} bytes`);
  }
  return new Uint8Array(sign(null, message, privateKeyObject(privateKey)));
}

function publicKeyObject(publicKey: Uint8Array): KeyObject | null {
  const cacheKey = bytesToHex(publicKey);
  const cached = publicKeyCache.get(cacheKey);
  if (cached !== undefined) return cached;
  // Rejecting low-order and non-canonical keys here, once per key, keeps this verifier at
  // least as strict as nobleVerifier (see contracts/signing.ts).
  const keyObject = isAcceptablePublicKey(publicKey) ? importPublicKey(publicKey) : null;
  remember(publicKeyCache, cacheKey, keyObject, PUBLIC_KEY_CACHE_LIMIT);
  return keyObject;
}

function importPublicKey(publicKey: Uint8Array): KeyObject | null {
  try {
    const der = Buffer.concat([SPKI_ED25519_PREFIX, publicKey]);
    return createPublicKey({ key: der, format: "der", type: "spki" });
  } catch {
    return null;
  }
}

function privateKeyObject(privateKey: Uint8Array): KeyObject {
  const cacheKey = bytesToHex(privateKey);
  const cached = privateKeyCache.get(cacheKey);
  if (cached !== undefined) return cached;
  const der = Buffer.concat([PKCS8_ED25519_PREFIX, privateKey]);
  const keyObject = createPrivateKey({ key: der, format: "der", type: "pkcs8" });
  remember(privateKeyCache, cacheKey, keyObject, PRIVATE_KEY_CACHE_LIMIT);
  return keyObject;
}

/** Insertion-ordered Map as a bounded cache: evict the oldest entry when full. */
function remember<V>(cache: Map<string, V>, key: string, value: V, limit: number): void {
  if (cache.size >= limit) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(key, value);
}
