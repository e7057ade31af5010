/**
 * Canonical encoding (RFC 8785, JSON Canonicalization Scheme) and SHA-256.
 *
 * This is the only module that calls the canonicaliser: everything that is hashed or signed
 * goes through `canonicalBytes`, so two parties holding the same value always hash the same
 * bytes. Before canonicalising, `toCanonicalValue` turns the in-memory value into plain JSON:
 * bigints become decimal strings (amounts are bigint minor units in memory, strings on the
 * wire), and anything JSON cannot represent unambiguously is rejected with a
 * `CanonicalEncodingError` naming the path, instead of being dropped or coerced the way
 * `JSON.stringify` would.
 *
 * One deliberate leniency: an object property whose value is `undefined` is omitted, as in
 * JSON, so optional fields can be left unset. `undefined` anywhere else is an error.
 */
import canonicalize from "canonicalize";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, isLowerHex, SHA256_BYTES, utf8ToBytes } from "./hex";

export type CanonicalValue =
  | null
  | boolean
  | number
  | string
  | CanonicalValue[]
  | { [key: string]: CanonicalValue };

export type CanonicalEncodingErrorCode =
  | "undefined_not_allowed"
  | "number_not_finite"
  | "function_not_allowed"
  | "symbol_not_allowed"
  | "not_plain_object"
  | "lone_surrogate"
  | "circular_reference";

/** Thrown for values that have no canonical form; `path` is like `$.body.amounts[2]`. */
export class CanonicalEncodingError extends Error {
  readonly code: CanonicalEncodingErrorCode;
  readonly path: string;

  constructor(code: CanonicalEncodingErrorCode, path: string, detail: string) {
    super(`cannot canonicalise ${path}: ${detail} (${code})`);
    this.name = "CanonicalEncodingError";
    this.code = code;
    this.path = path;
  }
}

/** Converts an in-memory value to the plain JSON value that is canonicalised. */
export function toCanonicalValue(value: unknown): CanonicalValue {
  return convert(value, "$", new Set());
}

/** RFC 8785 text of `value` after `toCanonicalValue`. */
export function canonicalJson(value: unknown): string {
  if (typeof value === "object" && value !== null) {
    const cached = sealedTexts.get(value);
    if (cached !== undefined) return cached ?? sealedText(value);
  }
  return canonicalizeOnce(value);
}

function canonicalizeOnce(value: unknown): string {
  const text = canonicalize(toCanonicalValue(value));
  if (text === undefined) {
    // toCanonicalValue never returns a value without a JSON form, so this is a broken invariant.
    throw new Error("canonicalize returned undefined for a converted value");
  }
  return text;
}

/** UTF-8 bytes of the canonical JSON text: what is hashed and signed. */
export function canonicalBytes(value: unknown): Uint8Array {
  return utf8ToBytes(canonicalJson(value));
}

/** A SHA-256 implementation: 32 bytes out for any bytes in. */
export type Sha256 = (bytes: Uint8Array) => Uint8Array;

let sha256Implementation: Sha256 = sha256;

/**
 * Replaces @noble/hashes' SHA-256 (the default, which runs anywhere) with another
 * implementation of the same function, such as node:crypto's on a server, which is 2-9 times
 * as fast on the ledger's inputs. Every hash of the contracts (ids, leaves, Merkle nodes,
 * derived ids) goes through it; a test checks the two agree.
 */
export function setSha256(implementation: Sha256): void {
  sha256Implementation = implementation;
}

export function sha256Bytes(bytes: Uint8Array): Uint8Array {
  return sha256Implementation(bytes);
}

/** Lowercase hex SHA-256 of `bytes`. */
export function sha256Hex(bytes: Uint8Array): string {
  return bytesToHex(sha256Implementation(bytes));
}

/** Lowercase hex SHA-256 of the canonical bytes of `value`. */
export function hashCanonicalHex(value: unknown): string {
  return sha256Hex(canonicalBytes(value));
}

/** Prefixes of entity ids (docs/ledger.md "Entity ids"). */
export const ENTITY_ID_PREFIXES = ["cl", "c", "pl", "fin", "rp", "pol"] as const;
export type EntityIdPrefix = (typeof ENTITY_ID_PREFIXES)[number];

const DERIVED_ID_HEX_LENGTH = 24;

/**
 * Id of the `index`-th entity created by transaction `txId`: prefix + "_" + the first 24 hex
 * of SHA-256(txId + ":" + index). Clients compute it before submitting, so it must depend on
 * nothing but its arguments.
 */
export function deriveId(prefix: EntityIdPrefix, txId: string, index: number): string {
  if (!(ENTITY_ID_PREFIXES as readonly string[]).includes(prefix)) {
    throw new Error(`unknown entity id prefix ${JSON.stringify(prefix)}`);
  }
  if (!isLowerHex(txId, SHA256_BYTES)) {
    throw new Error(`txId must be 64 lowercase hex characters, got ${JSON.stringify(txId)}`);
  }
  if (!Number.isSafeInteger(index) || index < 0) {
    throw new Error(`entity index must be a non-negative integer, got ${index}`);
  }
  const digestHex = sha256Hex(utf8ToBytes(`${txId}:${index}`));
  return `${prefix}_${digestHex.slice(0, DERIVED_ID_HEX_LENGTH)}`;
}

// ---------------------------------------------------------------------------------------
// Sealed values: deep-frozen, so their canonical text is computed once and remembered.

/** Sealed containers, with their canonical text once computed (null until then). */
const sealedTexts = new WeakMap<object, string | null>();

/**
 * Deep-freezes `value` (its plain objects and arrays) and returns it. From then on it cannot
 * change, so `canonicalJson` of it is computed once and remembered, and the text of a sealed
 * container that holds another sealed one is built around the other's remembered text.
 * Decoded transactions are sealed (the envelope, then the signed transaction around it):
 * their id, signature digest and log leaf share one canonicalisation.
 */
export function seal<T>(value: T): T {
  if (!isPlainContainer(value) || sealedTexts.has(value) || !isPlainData(value, new Set())) return value;
  deepFreeze(value);
  sealedTexts.set(value, null);
  return value;
}

function isPlainContainer(value: unknown): value is object {
  if (typeof value !== "object" || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === Array.prototype || prototype === null;
}

/**
 * Only data that freezing makes immutable is sealed: plain objects and arrays all the way
 * down, data properties only (a getter could answer differently each time), no cycles. Anything
 * else is left as it is, unsealed, and canonicalised afresh each time.
 */
function isPlainData(value: object, ancestors: Set<object>): boolean {
  if (ancestors.has(value)) return false;
  ancestors.add(value);
  for (const descriptor of Object.values(Object.getOwnPropertyDescriptors(value))) {
    if (!("value" in descriptor)) return false;
    const child: unknown = descriptor.value;
    if (typeof child !== "object" || child === null || sealedTexts.has(child)) continue;
    if (!isPlainContainer(child) || !isPlainData(child, ancestors)) return false;
  }
  ancestors.delete(value);
  return true;
}

/** Freezes every container of a value isPlainData accepted (a sealed member is frozen through already). */
function deepFreeze(value: object): void {
  Object.freeze(value);
  for (const child of Object.values(value)) {
    if (typeof child === "object" && child !== null && !sealedTexts.has(child)) deepFreeze(child);
  }
}

/**
 * canonicalJson of a plain object built around the remembered texts of its sealed members,
 * without sealing the object itself (a log entry around its decoded transaction).
 */
export function canonicalJsonAround(value: object): string {
  if (!isPlainContainer(value) || Array.isArray(value)) return canonicalJson(value);
  return objectText(value as Record<string, unknown>);
}

/** True when `value` was sealed by `seal` (and so is deep-frozen). */
export function isSealed(value: unknown): boolean {
  return typeof value === "object" && value !== null && sealedTexts.has(value);
}

/**
 * RFC 8785 text of a sealed container, composed from its members' texts: members sorted by
 * key in UTF-16 code units, keys written as JSON.stringify writes strings, members whose
 * value is undefined left out (as canonicalJson does); scalars go through the canonicaliser.
 */
function sealedText(value: object): string {
  // seal() refuses cycles, so this recursion ends.
  const text = Array.isArray(value) ? arrayText(value) : objectText(value as Record<string, unknown>);
  sealedTexts.set(value, text);
  return text;
}

function arrayText(value: readonly unknown[]): string {
  const items: string[] = [];
  // Index loop: a hole is undefined, which the canonicaliser refuses.
  for (let i = 0; i < value.length; i++) items.push(memberText(value[i]));
  return `[${items.join(",")}]`;
}

function objectText(value: Record<string, unknown>): string {
  const members: string[] = [];
  for (const key of Object.keys(value).sort()) {
    const child = value[key];
    if (child !== undefined) members.push(`${JSON.stringify(checkString(key, "$"))}:${memberText(child)}`);
  }
  return `{${members.join(",")}}`;
}

function memberText(value: unknown): string {
  return typeof value === "object" && value !== null && sealedTexts.has(value) ? canonicalJson(value) : canonicalizeOnce(value);
}

function convert(value: unknown, path: string, ancestors: Set<object>): CanonicalValue {
  switch (typeof value) {
    case "bigint":
      return value.toString(10);
    case "string":
      return checkString(value, path);
    case "number":
      return checkNumber(value, path);
    case "boolean":
      return value;
    case "undefined":
      throw new CanonicalEncodingError("undefined_not_allowed", path, "undefined has no JSON form");
    case "function":
      throw new CanonicalEncodingError("function_not_allowed", path, "functions have no JSON form");
    case "symbol":
      throw new CanonicalEncodingError("symbol_not_allowed", path, "symbols have no JSON form");
    case "object":
      return value === null ? null : convertContainer(value, path, ancestors);
  }
}

// With the u flag a valid surrogate pair is one code point, so only lone surrogates match.
const LONE_SURROGATE_PATTERN = /[\uD800-\uDFFF]/u;

function checkString(value: string, path: string): string {
  if (LONE_SURROGATE_PATTERN.test(value)) {
    throw new CanonicalEncodingError("lone_surrogate", path, "string contains a lone UTF-16 surrogate");
  }
  return value;
}

function checkNumber(value: number, path: string): number {
  if (!Number.isFinite(value)) {
    throw new CanonicalEncodingError("number_not_finite", path, `${value} has no JSON form`);
  }
  return value;
}

function convertContainer(value: object, path: string, ancestors: Set<object>): CanonicalValue {
  if (ancestors.has(value)) {
    throw new CanonicalEncodingError("circular_reference", path, "value contains itself");
  }
  ancestors.add(value);
  const converted = Array.isArray(value)
    ? convertArray(value, path, ancestors)
    : convertObject(value, path, ancestors);
  ancestors.delete(value);
  return converted;
}

function convertArray(value: unknown[], path: string, ancestors: Set<object>): CanonicalValue[] {
  const converted: CanonicalValue[] = [];
  // Index loop rather than map(): map() skips holes, and a hole must be rejected like undefined.
  for (let i = 0; i < value.length; i++) {
    converted.push(convert(value[i], `${path}[${i}]`, ancestors));
  }
  return converted;
}

function convertObject(value: object, path: string, ancestors: Set<object>): CanonicalValue {
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    const name = (value as { constructor?: { name?: string } }).constructor?.name ?? "unknown";
    throw new CanonicalEncodingError("not_plain_object", path, `${name} is not a plain object`);
  }
  const converted: { [key: string]: CanonicalValue } = {};
  for (const [key, child] of Object.entries(value)) {
    if (child === undefined) continue;
    const childPath = memberPath(path, key);
    checkString(key, childPath);
    // defineProperty, not assignment: assigning to "__proto__" would change the prototype
    // instead of creating a member, and the key would vanish from the canonical bytes.
    Object.defineProperty(converted, key, {
      value: convert(child, childPath, ancestors),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return converted;
}

function memberPath(path: string, key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}
