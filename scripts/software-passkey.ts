/**
 * A software passkey: what an authenticator and a browser produce for navigator.credentials.get,
 * built byte by byte from a fixed P-256 key, for the golden vectors (scripts/gen-webauthn-vectors.ts)
 * and the contract tests. Every field a corruption changes is an option, so a vector can be a
 * properly signed assertion that is wrong in exactly one respect.
 *
 * Not used by the app: in the browser the platform's authenticator signs, and the e2e suite
 * drives Chromium's virtual authenticator.
 */
import { p256 } from "@noble/curves/nist.js";
import { sha256Bytes } from "../contracts/canonical";
import { bytesToHex, concatBytes, utf8ToBytes } from "../contracts/hex";
import type { SignedTransaction, TransactionEnvelope } from "../contracts/transaction";
import { transactionDigest } from "../contracts/transaction";
import { assertionSignatureHex, passkeyKeyIdFor, webauthnChallengeFor, type WebAuthnAssertion, type WebAuthnKeyParameters } from "../contracts/webauthn";

export const FLAG_UP = 0x01;
export const FLAG_UV = 0x04;

export interface SoftwarePasskey {
  privateKey: Uint8Array;
  publicKeyHex: string;
  keyId: string;
  parameters: WebAuthnKeyParameters;
}

/** A passkey whose P-256 private key is SHA-256 of `label` (valid for any label in practice). */
export function softwarePasskey(label: string, rpId: string, origins: string[]): SoftwarePasskey {
  const privateKey = sha256Bytes(utf8ToBytes(`double-chain software passkey ${label}`));
  const publicKeyHex = bytesToHex(p256.getPublicKey(privateKey, true));
  return { privateKey, publicKeyHex, keyId: passkeyKeyIdFor(publicKeyHex), parameters: { algorithm: "ES256", rpId, origins } };
}

/** What differs from an honest assertion: each a field of the ceremony an attacker might change. */
export interface AssertionOptions {
  type?: string;
  challenge?: string;
  origin?: string;
  crossOrigin?: boolean;
  rpId?: string;
  flags?: number;
  signCount?: number;
  /** Return the signature with the high s (as some authenticators do). */
  highS?: boolean;
}

export interface SoftwareAssertion {
  assertion: WebAuthnAssertion;
  /** The ledger's form: compact r||s, low s unless `highS`. */
  signatureHex: string;
  /** The DER form an authenticator returns. */
  signatureDerHex: string;
}

function authenticatorData(rpId: string, flags: number, signCount: number): Uint8Array {
  const counter = new Uint8Array(4);
  new DataView(counter.buffer).setUint32(0, signCount);
  return concatBytes(sha256Bytes(utf8ToBytes(rpId)), Uint8Array.of(flags), counter);
}

/** An assertion by `passkey` over `digest`, as a browser at the passkey's first origin would make it. */
export function softwareAssertion(passkey: SoftwarePasskey, digest: Uint8Array, options: AssertionOptions = {}): SoftwareAssertion {
  const clientData = {
    type: options.type ?? "webauthn.get",
    challenge: options.challenge ?? webauthnChallengeFor(digest),
    origin: options.origin ?? passkey.parameters.origins[0],
    crossOrigin: options.crossOrigin ?? false,
  };
  // The browser serialises clientData itself; JSON.stringify gives the same shape, and the
  // signature covers these exact bytes, not a canonical form.
  const clientDataJSON = utf8ToBytes(JSON.stringify(clientData));
  const authData = authenticatorData(options.rpId ?? passkey.parameters.rpId, options.flags ?? FLAG_UP | FLAG_UV, options.signCount ?? 1);
  const message = concatBytes(authData, sha256Bytes(clientDataJSON));
  const low = p256.Signature.fromBytes(p256.sign(message, passkey.privateKey, { prehash: true, lowS: true }), "compact");
  const signature = options.highS ? new p256.Signature(low.r, p256.Point.CURVE().n - low.s) : low;
  return {
    assertion: { authenticatorDataHex: bytesToHex(authData), clientDataJSONHex: bytesToHex(clientDataJSON) },
    signatureHex: options.highS ? bytesToHex(signature.toBytes("compact")) : assertionSignatureHex(signature.toBytes("der")),
    signatureDerHex: bytesToHex(signature.toBytes("der")),
  };
}

/** `transaction` signed by `passkey`: the assertion over its id goes where an Ed25519 signature would. */
export function signWithPasskey<T extends TransactionEnvelope>(transaction: T, passkey: SoftwarePasskey, options: AssertionOptions = {}): SignedTransaction<T> {
  const { assertion, signatureHex } = softwareAssertion(passkey, transactionDigest(transaction), options);
  return { transaction, signatureHex, assertion, cosignatures: [] };
}
