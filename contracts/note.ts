/**
 * Signed notes (C2SP signed-note) with Ed25519 signatures (type 0x01) and timestamped Ed25519
 * witness cosignatures (C2SP tlog-cosignature, "cosignature/v1", type 0x04).
 *
 *   <text, ending in a newline>
 *   <blank line>
 *   — <key name> base64(4-byte key ID || signature)
 *
 * key ID = SHA-256(key name || 0x0A || type || 32-byte public key)[:4], big-endian.
 * A cosignature's signature is an 8-byte big-endian POSIX timestamp followed by an Ed25519
 * signature of "cosignature/v1\ntime <timestamp>\n" || note text.
 * Verifier keys travel as "<name>+<key ID as 8 hex>+base64(type || public key)" (vkeys).
 *
 * Checked against golang.org/x/mod/sumdb/note's published example and a real cosigned
 * checkpoint (test/vectors/notes.json). Parsing is strict: a note has one spelling, so that
 * two witnesses never disagree about which text they signed. Verification follows the spec:
 * signatures from keys the caller does not know are ignored; one from a known key that does
 * not verify is an error, never skipped.
 */
import { sha256Bytes } from "./canonical";
import { concatBytes, ED25519_PUBLIC_KEY_BYTES, ED25519_SIGNATURE_BYTES, utf8ToBytes } from "./hex";
import { publicKeyFromPrivate, type SignatureVerifier } from "./signing";
import { ed25519 } from "@noble/curves/ed25519.js";

export const NOTE_SIGNATURE_TYPE_ED25519 = 0x01;
export const NOTE_SIGNATURE_TYPE_COSIGNATURE_V1 = 0x04;
export type NoteSignatureType = typeof NOTE_SIGNATURE_TYPE_ED25519 | typeof NOTE_SIGNATURE_TYPE_COSIGNATURE_V1;

/** Go's verifiers stop at 100 signatures; the spec asks for at least 16. */
export const MAX_NOTE_SIGNATURES = 100;
const EM_DASH = "\u2014";
const COSIGNATURE_HEADER = "cosignature/v1\n";
/** Timestamps are at most 2^63 - 1 by the spec; JavaScript numbers stay exact to 2^53 - 1. */
const MAX_TIMESTAMP_SECONDS = Number.MAX_SAFE_INTEGER;

// ---------------------------------------------------------------------------------------
// Base64 (RFC 4648 section 4, padded), strict: one spelling per byte string.

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const ALPHABET_INDEX = new Map([...ALPHABET].map((character, index) => [character, index]));

export function base64Encode(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] as number;
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    out += ALPHABET[a >> 2];
    out += ALPHABET[((a & 3) << 4) | ((b ?? 0) >> 4)];
    out += b === undefined ? "=" : ALPHABET[((b & 15) << 2) | ((c ?? 0) >> 6)];
    out += c === undefined ? "=" : ALPHABET[c & 63];
  }
  return out;
}

/** Decodes padded standard base64; null for anything else, including a non-canonical spelling. */
export function base64Decode(text: string): Uint8Array | null {
  if (typeof text !== "string" || text.length % 4 !== 0) return null;
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const bytes = new Uint8Array((text.length / 4) * 3 - padding);
  let out = 0;
  for (let i = 0; i < text.length; i += 4) {
    let group = 0;
    for (let j = 0; j < 4; j++) {
      const character = text[i + j] as string;
      const isPadding = character === "=" && i + 4 === text.length && j >= 4 - padding;
      const index = isPadding ? 0 : ALPHABET_INDEX.get(character);
      if (index === undefined) return null;
      group = (group << 6) | index;
    }
    for (let k = 2; k >= 0 && out < bytes.length; k--) bytes[out++] = (group >> (8 * k)) & 0xff;
  }
  // Bits under the padding must be zero, or two spellings would decode to the same bytes.
  return base64Encode(bytes) === text ? bytes : null;
}

// ---------------------------------------------------------------------------------------
// Keys.

/** A key a verifier knows: its name, key ID, signature type and Ed25519 public key. */
export interface NoteVerifierKey {
  name: string;
  keyId: number;
  type: NoteSignatureType;
  publicKey: Uint8Array;
}

export function isValidKeyName(name: string): boolean {
  return typeof name === "string" && name.length > 0 && !/[\s+]/u.test(name) && !hasControlCharacter(name);
}

export function noteKeyId(name: string, type: NoteSignatureType, publicKey: Uint8Array): number {
  const digest = sha256Bytes(concatBytes(utf8ToBytes(`${name}\n`), Uint8Array.of(type), publicKey));
  return readUint32(digest, 0);
}

export function noteVerifierKey(name: string, type: NoteSignatureType, publicKey: Uint8Array): NoteVerifierKey {
  if (!isValidKeyName(name)) throw new Error(`invalid key name ${JSON.stringify(name)}`);
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== ED25519_PUBLIC_KEY_BYTES) throw new Error("an Ed25519 public key is 32 bytes");
  return { name, keyId: noteKeyId(name, type, publicKey), type, publicKey: Uint8Array.from(publicKey) };
}

/** "<name>+<8 hex>+<base64(type || key)>". */
export function formatVerifierKey(key: NoteVerifierKey): string {
  return `${key.name}+${key.keyId.toString(16).padStart(8, "0")}+${base64Encode(concatBytes(Uint8Array.of(key.type), key.publicKey))}`;
}

export type VerifierKeyParse = { ok: true; key: NoteVerifierKey } | { ok: false; detail: string };

export function parseVerifierKey(text: string): VerifierKeyParse {
  if (typeof text !== "string") return { ok: false, detail: "a verifier key is a string" };
  // The name has no "+", the hash none either; the base64 may contain "+".
  const [name = "", hashHex = "", ...rest] = text.split("+");
  const material = base64Decode(rest.join("+"));
  if (!isValidKeyName(name)) return { ok: false, detail: `invalid key name ${JSON.stringify(name)}` };
  if (!/^[0-9a-f]{8}$/.test(hashHex)) return { ok: false, detail: "the key ID must be 8 lowercase hex characters" };
  if (material === null || material.length !== 1 + ED25519_PUBLIC_KEY_BYTES) return { ok: false, detail: "the key material must be base64 of a type byte and 32 key bytes" };
  const type = material[0] as number;
  if (type !== NOTE_SIGNATURE_TYPE_ED25519 && type !== NOTE_SIGNATURE_TYPE_COSIGNATURE_V1) return { ok: false, detail: `unsupported signature type 0x${type.toString(16)}` };
  const key = noteVerifierKey(name, type, material.subarray(1));
  if (key.keyId !== parseInt(hashHex, 16)) return { ok: false, detail: `key ID ${hashHex} is not the key's (${key.keyId.toString(16).padStart(8, "0")})` };
  return { ok: true, key };
}

// ---------------------------------------------------------------------------------------
// Notes.

export interface NoteSignature {
  name: string;
  keyId: number;
  /** The bytes after the key ID: a signature, or a timestamp and a signature. */
  signature: Uint8Array;
}

export interface Note {
  /** The signed text, with its final newline. */
  text: string;
  signatures: NoteSignature[];
}

export type NoteParse = { ok: true; note: Note } | { ok: false; detail: string };

export function parseNote(message: string): NoteParse {
  if (typeof message !== "string") return { ok: false, detail: "a note is a string" };
  if (hasControlCharacter(message.replaceAll("\n", ""))) return { ok: false, detail: "a note contains no control characters but newlines" };
  if (!message.endsWith("\n")) return { ok: false, detail: "a note ends with a newline" };
  const split = message.lastIndexOf("\n\n");
  if (split < 0) return { ok: false, detail: "a note has a blank line between its text and its signatures" };
  const text = message.slice(0, split + 1);
  const lines = message.slice(split + 2, -1).split("\n");
  if (lines.length > MAX_NOTE_SIGNATURES) return { ok: false, detail: `a note has at most ${MAX_NOTE_SIGNATURES} signatures` };
  const signatures: NoteSignature[] = [];
  for (const [index, line] of lines.entries()) {
    const signature = parseSignatureLine(line);
    if (typeof signature === "string") return { ok: false, detail: `signature line ${index + 1}: ${signature}` };
    signatures.push(signature);
  }
  return { ok: true, note: { text, signatures } };
}

/** Parses "— <name> <base64>" (no newline); a string says what is wrong. */
export function parseSignatureLine(line: string): NoteSignature | string {
  if (!line.startsWith(`${EM_DASH} `)) return "a signature line starts with an em dash and a space";
  const parts = line.slice(2).split(" ");
  if (parts.length !== 2) return "a signature line is a key name and a base64 signature, separated by one space";
  const [name, encoded] = parts as [string, string];
  if (!isValidKeyName(name)) return `invalid key name ${JSON.stringify(name)}`;
  const bytes = base64Decode(encoded);
  if (bytes === null || bytes.length < 5) return "the signature is not base64 of a key ID and a signature";
  return { name, keyId: readUint32(bytes, 0), signature: bytes.slice(4) };
}

export function formatSignatureLine(signature: NoteSignature): string {
  const bytes = new Uint8Array(4 + signature.signature.length);
  writeUint32(bytes, 0, signature.keyId);
  bytes.set(signature.signature, 4);
  return `${EM_DASH} ${signature.name} ${base64Encode(bytes)}\n`;
}

export function formatNote(note: Note): string {
  if (!note.text.endsWith("\n")) throw new Error("a note's text ends with a newline");
  return `${note.text}\n${note.signatures.map(formatSignatureLine).join("")}`;
}

// ---------------------------------------------------------------------------------------
// Signing and verifying.

/** An Ed25519 (type 0x01) signature of `text` by the key named `name`. */
export function signNoteText(text: string, name: string, privateKey: Uint8Array): NoteSignature {
  const key = noteVerifierKey(name, NOTE_SIGNATURE_TYPE_ED25519, publicKeyFromPrivate(privateKey));
  return { name, keyId: key.keyId, signature: ed25519.sign(utf8ToBytes(text), privateKey) };
}

/** The message a cosignature/v1 signs. */
export function cosignatureMessage(text: string, timestampSeconds: number): Uint8Array {
  return utf8ToBytes(`${COSIGNATURE_HEADER}time ${timestampSeconds}\n${text}`);
}

/** A timestamped cosignature (type 0x04) of `text` by the witness named `name`. */
export function cosignNoteText(text: string, name: string, privateKey: Uint8Array, timestampSeconds: number): NoteSignature {
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds < 0) throw new Error(`invalid timestamp ${timestampSeconds}`);
  const key = noteVerifierKey(name, NOTE_SIGNATURE_TYPE_COSIGNATURE_V1, publicKeyFromPrivate(privateKey));
  const signature = new Uint8Array(8 + ED25519_SIGNATURE_BYTES);
  writeUint64(signature, 0, timestampSeconds);
  signature.set(ed25519.sign(cosignatureMessage(text, timestampSeconds), privateKey), 8);
  return { name, keyId: key.keyId, signature };
}

/** The timestamp of a cosignature, or null when its bytes are not a timestamp and a signature. */
export function cosignatureTimestamp(signature: NoteSignature): number | null {
  if (signature.signature.length !== 8 + ED25519_SIGNATURE_BYTES) return null;
  const high = readUint32(signature.signature, 0);
  const seconds = high * 2 ** 32 + readUint32(signature.signature, 4);
  return seconds <= MAX_TIMESTAMP_SECONDS ? seconds : null;
}

export type SignatureCheck = { ok: true; timestampSeconds: number | null } | { ok: false; detail: string };

/** Checks one signature by `key` (whose name and key ID it must carry) over `text`. */
export function verifyNoteSignature(text: string, signature: NoteSignature, key: NoteVerifierKey, verifier: SignatureVerifier): SignatureCheck {
  if (signature.name !== key.name || signature.keyId !== key.keyId) return { ok: false, detail: "the signature is not by this key" };
  if (key.type === NOTE_SIGNATURE_TYPE_ED25519) {
    const valid = signature.signature.length === ED25519_SIGNATURE_BYTES && verifier(key.publicKey, utf8ToBytes(text), signature.signature);
    return valid ? { ok: true, timestampSeconds: null } : { ok: false, detail: `the Ed25519 signature of ${key.name} does not verify` };
  }
  const timestampSeconds = cosignatureTimestamp(signature);
  if (timestampSeconds === null) return { ok: false, detail: `the cosignature of ${key.name} is not a timestamp and an Ed25519 signature` };
  const valid = verifier(key.publicKey, cosignatureMessage(text, timestampSeconds), signature.signature.subarray(8));
  return valid ? { ok: true, timestampSeconds } : { ok: false, detail: `the cosignature of ${key.name} at time ${timestampSeconds} does not verify` };
}

/** The signatures of `note` by `key`: those carrying its name and key ID (normally 0 or 1). */
export function signaturesByKey(note: Note, key: NoteVerifierKey): NoteSignature[] {
  return note.signatures.filter((signature) => signature.name === key.name && signature.keyId === key.keyId);
}

function hasControlCharacter(text: string): boolean {
  return /[\u0000-\u001f]/.test(text);
}

function readUint32(bytes: Uint8Array, offset: number): number {
  return (((bytes[offset] as number) << 24) | ((bytes[offset + 1] as number) << 16) | ((bytes[offset + 2] as number) << 8) | (bytes[offset + 3] as number)) >>> 0;
}

function writeUint32(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = (value >>> 24) & 0xff;
  bytes[offset + 1] = (value >>> 16) & 0xff;
  bytes[offset + 2] = (value >>> 8) & 0xff;
  bytes[offset + 3] = value & 0xff;
}

function writeUint64(bytes: Uint8Array, offset: number, value: number): void {
  writeUint32(bytes, offset, Math.floor(value / 2 ** 32));
  writeUint32(bytes, offset + 4, value % 2 ** 32);
}
