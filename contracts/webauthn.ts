/**
 * Passkeys (WebAuthn, ES256 on P-256) as ledger signing keys: the key's parameters, the
 * assertion a transaction carries instead of an Ed25519 signature, and its pure verifier.
 *
 * A passkey signs what the browser hands it: authenticatorData || SHA-256(clientDataJSON),
 * where clientDataJSON names the challenge, the page's origin and the ceremony type. The
 * ledger makes the challenge the transaction id (its 32 digest bytes, base64url without
 * padding), so an assertion signs exactly one transaction, and commits with the key the
 * relying party id and origins it was created for, so every verifier (server, browser, CLI,
 * witness) refuses an assertion made on another site. User verification is required: a
 * touch alone is not a person's consent.
 *
 * The same code runs everywhere: @noble/curves' p256 rather than WebCrypto, which is
 * asynchronous and absent from some verifier hosts. ECDSA signatures are malleable (s and
 * n - s both verify), and authenticators may return either; the ledger stores the compact
 * r||s form with the low s (`assertionSignatureHex` normalises), and the verifier refuses a
 * high s, so one assertion has one spelling in the log.
 */
import { p256 } from "@noble/curves/nist.js";
import { sha256Bytes, sha256Hex } from "./canonical";
import { bytesToHex, concatBytes, equalBytes, KEY_ID_HEX_LENGTH, tryHexToBytes, utf8ToBytes } from "./hex";

/** COSE algorithm -7: ECDSA with SHA-256 on P-256, the only one the ledger accepts. */
export const WEBAUTHN_ALGORITHM = "ES256";
export const COSE_ALGORITHM_ES256 = -7;
/** A P-256 public key in compressed SEC1 form: 33 bytes, 66 hex characters. */
export const P256_PUBLIC_KEY_BYTES = 33;
export const P256_SIGNATURE_BYTES = 64;
/** rpIdHash (32) + flags (1) + signCount (4): the shortest authenticatorData. */
export const MIN_AUTHENTICATOR_DATA_BYTES = 37;
export const MAX_AUTHENTICATOR_DATA_BYTES = 1024;
export const MAX_CLIENT_DATA_JSON_BYTES = 2048;
export const MAX_WEBAUTHN_ORIGINS = 8;

const FLAG_USER_PRESENT = 0x01;
const FLAG_USER_VERIFIED = 0x04;

/** What a passkey signing key was created for, committed with the key on the ledger. */
export interface WebAuthnKeyParameters {
  algorithm: typeof WEBAUTHN_ALGORITHM;
  /** The relying party id (a registrable domain, e.g. "bank.example"). */
  rpId: string;
  /** The exact origins ("https://bank.example") whose pages may ask this passkey to sign. */
  origins: string[];
}

/**
 * The parts of an assertion besides its signature (which goes where an Ed25519 signature
 * would, as `signatureHex`), as the authenticator and the browser produced them.
 */
export interface WebAuthnAssertion {
  authenticatorDataHex: string;
  clientDataJSONHex: string;
}

/** Why an assertion is refused, in the order the checks run. */
export const ASSERTION_CHECK_CODES = [
  "assertion_public_key_invalid",
  "assertion_malformed",
  "assertion_type_invalid",
  "assertion_challenge_mismatch",
  "assertion_origin_not_allowed",
  "assertion_cross_origin",
  "assertion_rp_id_mismatch",
  "assertion_user_not_present",
  "assertion_user_not_verified",
  "assertion_signature_malformed",
  "assertion_signature_not_low_s",
  "assertion_signature_invalid",
] as const;
export type AssertionCheckCode = (typeof ASSERTION_CHECK_CODES)[number];

export type AssertionCheck = { ok: true } | { ok: false; code: AssertionCheckCode; detail: string };

/** What one assertion is checked against: the digest it must sign, the key and its parameters. */
export interface AssertionToCheck {
  digest: Uint8Array;
  publicKeyHex: string;
  parameters: WebAuthnKeyParameters;
  assertion: WebAuthnAssertion;
  signatureHex: string;
}

/** base64url without padding (RFC 4648 section 5), as WebAuthn writes the challenge. */
export function base64UrlEncode(bytes: Uint8Array): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  let text = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const chunk = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let c = 0; c < chars; c++) text += alphabet[(chunk >> (18 - 6 * c)) & 63];
  }
  return text;
}

/** The challenge a passkey must sign for a transaction: base64url of its 32 digest bytes. */
export function webauthnChallengeFor(digest: Uint8Array): string {
  return base64UrlEncode(digest);
}

/** True when `publicKeyHex` is a compressed P-256 point on the curve, in its one canonical spelling. */
export function isAcceptableP256PublicKey(publicKeyHex: string): boolean {
  const bytes = tryHexToBytes(publicKeyHex, P256_PUBLIC_KEY_BYTES);
  if (bytes === null) return false;
  try {
    return equalBytes(p256.Point.fromBytes(bytes).toBytes(true), bytes);
  } catch {
    return false;
  }
}

/** keyId of a passkey: the same rule as for Ed25519 keys, over the 33 compressed bytes. */
export function passkeyKeyIdFor(publicKeyHex: string): string {
  const bytes = tryHexToBytes(publicKeyHex, P256_PUBLIC_KEY_BYTES);
  if (bytes === null) throw new Error("a passkey public key is 33 bytes of lowercase hex");
  return sha256Hex(bytes).slice(0, KEY_ID_HEX_LENGTH);
}

/**
 * The ledger's form of a P-256 public key from the SubjectPublicKeyInfo that
 * `AuthenticatorAttestationResponse.getPublicKey()` returns: its last 65 bytes are the
 * uncompressed point, which is compressed here.
 */
export function p256PublicKeyHexFromSpki(spki: Uint8Array): string {
  const point = p256.Point.fromBytes(spki.subarray(spki.length - 65));
  return bytesToHex(point.toBytes(true));
}

/**
 * The ledger's form of an assertion signature: the DER (or compact) signature an
 * authenticator returned, as compact r||s with the low s.
 */
export function assertionSignatureHex(signature: Uint8Array): string {
  const format = signature.length === P256_SIGNATURE_BYTES ? "compact" : "der";
  const parsed = p256.Signature.fromBytes(signature, format);
  const low = parsed.hasHighS() ? new p256.Signature(parsed.r, p256.Point.CURVE().n - parsed.s) : parsed;
  return bytesToHex(low.toBytes("compact"));
}

interface ClientData {
  type: unknown;
  challenge: unknown;
  origin: unknown;
  crossOrigin?: unknown;
}

function parseClientData(bytes: Uint8Array): ClientData | null {
  try {
    const parsed: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as ClientData) : null;
  } catch {
    return null;
  }
}

function refuse(code: AssertionCheckCode, detail: string): AssertionCheck {
  return { ok: false, code, detail };
}

/** The checks of clientDataJSON: a get ceremony, for this digest, from an allowed origin. */
function checkClientData(clientData: ClientData, digest: Uint8Array, parameters: WebAuthnKeyParameters): AssertionCheck {
  if (clientData.type !== "webauthn.get") return refuse("assertion_type_invalid", `type ${String(clientData.type)}`);
  const challenge = webauthnChallengeFor(digest);
  if (clientData.challenge !== challenge) return refuse("assertion_challenge_mismatch", `challenge ${String(clientData.challenge)}, expected ${challenge}`);
  if (typeof clientData.origin !== "string" || !parameters.origins.includes(clientData.origin)) {
    return refuse("assertion_origin_not_allowed", `origin ${String(clientData.origin)} is not one of ${parameters.origins.join(", ")}`);
  }
  if (clientData.crossOrigin === true) return refuse("assertion_cross_origin", "made in a cross-origin frame");
  return { ok: true };
}

/** The checks of authenticatorData: made for this rpId, with the user present and verified. */
function checkAuthenticatorData(authenticatorData: Uint8Array, parameters: WebAuthnKeyParameters): AssertionCheck {
  if (!equalBytes(authenticatorData.subarray(0, 32), sha256Bytes(utf8ToBytes(parameters.rpId)))) {
    return refuse("assertion_rp_id_mismatch", `rpIdHash is not SHA-256 of ${parameters.rpId}`);
  }
  const flags = authenticatorData[32]!;
  if ((flags & FLAG_USER_PRESENT) === 0) return refuse("assertion_user_not_present", `flags ${flags}`);
  if ((flags & FLAG_USER_VERIFIED) === 0) return refuse("assertion_user_not_verified", `flags ${flags}`);
  return { ok: true };
}

function checkAssertionSignature(check: AssertionToCheck, authenticatorData: Uint8Array, clientDataJSON: Uint8Array): AssertionCheck {
  const signature = tryHexToBytes(check.signatureHex, P256_SIGNATURE_BYTES);
  let parsed;
  try {
    parsed = signature === null ? null : p256.Signature.fromBytes(signature, "compact");
  } catch {
    parsed = null;
  }
  if (signature === null || parsed === null) return refuse("assertion_signature_malformed", "expected 64 bytes r||s with 0 < r, s < n");
  if (parsed.hasHighS()) return refuse("assertion_signature_not_low_s", "s must be at most n/2");
  const message = concatBytes(authenticatorData, sha256Bytes(clientDataJSON));
  const publicKey = tryHexToBytes(check.publicKeyHex, P256_PUBLIC_KEY_BYTES) as Uint8Array; // checked first
  let valid: boolean;
  try {
    valid = p256.verify(signature, message, publicKey, { prehash: true, lowS: true, format: "compact" });
  } catch {
    valid = false;
  }
  return valid ? { ok: true } : refuse("assertion_signature_invalid", `assertion does not verify under ${check.publicKeyHex}`);
}

/**
 * Checks a WebAuthn assertion over `digest`, in the order of ASSERTION_CHECK_CODES. Pure and
 * total: malformed input of any kind is an answer, never an exception.
 */
export function checkWebAuthnAssertion(check: AssertionToCheck): AssertionCheck {
  if (!isAcceptableP256PublicKey(check.publicKeyHex)) return refuse("assertion_public_key_invalid", "not a compressed P-256 point");
  const authenticatorData = tryHexToBytes(check.assertion?.authenticatorDataHex);
  const clientDataJSON = tryHexToBytes(check.assertion?.clientDataJSONHex);
  if (authenticatorData === null || authenticatorData.length < MIN_AUTHENTICATOR_DATA_BYTES || authenticatorData.length > MAX_AUTHENTICATOR_DATA_BYTES) {
    return refuse("assertion_malformed", "authenticatorData must be 37 to 1024 bytes of lowercase hex");
  }
  const clientData = clientDataJSON === null || clientDataJSON.length > MAX_CLIENT_DATA_JSON_BYTES ? null : parseClientData(clientDataJSON);
  if (clientDataJSON === null || clientData === null) return refuse("assertion_malformed", "clientDataJSON must be a JSON object in UTF-8, at most 2048 bytes");
  const clientCheck = checkClientData(clientData, check.digest, check.parameters);
  if (!clientCheck.ok) return clientCheck;
  const authenticatorCheck = checkAuthenticatorData(authenticatorData, check.parameters);
  if (!authenticatorCheck.ok) return authenticatorCheck;
  return checkAssertionSignature(check, authenticatorData, clientDataJSON);
}
