/**
 * Hex and byte helpers shared by every ledger module.
 *
 * The ledger writes hex in lowercase only (docs/ledger.md), so decoding is strict: an
 * uppercase or odd-length string is rejected rather than silently normalised, because two
 * spellings of the same bytes would otherwise give two different canonical documents.
 */
import {
  bytesToHex as nobleBytesToHex,
  concatBytes as nobleConcatBytes,
  hexToBytes as nobleHexToBytes,
  utf8ToBytes as nobleUtf8ToBytes,
} from "@noble/hashes/utils.js";

/** Byte length of a SHA-256 digest, of an Ed25519 public key and of an Ed25519 private key. */
export const SHA256_BYTES = 32;
export const ED25519_PUBLIC_KEY_BYTES = 32;
export const ED25519_PRIVATE_KEY_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;

/** Hex lengths of the same values (two characters per byte). */
export const SHA256_HEX_LENGTH = 64;
export const ED25519_SIGNATURE_HEX_LENGTH = 128;
/** keyId = the first 16 bytes of SHA-256(public key), so 32 hex characters. */
export const KEY_ID_HEX_LENGTH = 32;

/** SHA-256 of the empty string: the RFC 9162 root of an empty Merkle tree. */
export const EMPTY_SHA256_HEX = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

const LOWER_HEX_PATTERN = /^(?:[0-9a-f]{2})*$/;

/** True when `value` is lowercase hex of whole bytes, and of `byteLength` bytes if given. */
export function isLowerHex(value: unknown, byteLength?: number): value is string {
  if (typeof value !== "string" || !LOWER_HEX_PATTERN.test(value)) return false;
  return byteLength === undefined || value.length === byteLength * 2;
}

export function bytesToHex(bytes: Uint8Array): string {
  return nobleBytesToHex(bytes);
}

/** Decodes lowercase hex; throws on anything else (use `tryHexToBytes` for untrusted input). */
export function hexToBytes(hex: string, byteLength?: number): Uint8Array {
  if (!isLowerHex(hex, byteLength)) {
    const want = byteLength === undefined ? "" : ` of ${byteLength} bytes`;
    throw new Error(`expected lowercase hex${want}, got ${describe(hex)}`);
  }
  return nobleHexToBytes(hex);
}

/** Decodes lowercase hex, or returns null: for verifiers that must answer, not throw. */
export function tryHexToBytes(hex: unknown, byteLength?: number): Uint8Array | null {
  return isLowerHex(hex, byteLength) ? nobleHexToBytes(hex) : null;
}

export function utf8ToBytes(text: string): Uint8Array {
  return nobleUtf8ToBytes(text);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  return nobleConcatBytes(...parts);
}

/**
 * Byte equality. Not constant-time: everything compared here (hashes, roots) is public,
 * so timing reveals nothing secret.
 */
export function equalBytes(left: Uint8Array, right: Uint8Array): boolean {
  if (left.length !== right.length) return false;
  for (let i = 0; i < left.length; i++) {
    if (left[i] !== right[i]) return false;
  }
  return true;
}

function describe(value: string): string {
  const shown = value.length > 20 ? `${value.slice(0, 20)}...` : value;
  return `${JSON.stringify(shown)} (length ${value.length})`;
}
