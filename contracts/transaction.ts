/**
 * The transaction envelope and its signatures (docs/ledger.md "Envelope").
 *
 * The id of a transaction is the lowercase hex SHA-256 of the canonical bytes of the envelope
 * (without signatures); the signer and every cosigner sign the 32 raw bytes of that hash.
 * Signature checks answer with a coded result in the order the checks run, so a verifier
 * can say exactly what is wrong; the boolean forms are shorthands.
 */
import { canonicalBytes, sha256Bytes } from "./canonical";
import { committedTransaction } from "./split-commitments";
import { bytesToHex, ED25519_SIGNATURE_BYTES, tryHexToBytes } from "./hex";
import { keyIdFor, publicKeyFromPrivate, signDigest, type SignatureVerifier } from "./signing";
import { checkWebAuthnAssertion, isAcceptableP256PublicKey, passkeyKeyIdFor, type WebAuthnAssertion, type WebAuthnKeyParameters } from "./webauthn";

export interface SignerRef {
  orgId: string;
  keyId: string;
}

export interface TransactionEnvelope<TType extends string = string, TBody = unknown> {
  type: TType;
  /** The network (deployment) the transaction is signed for; every other network refuses it. */
  networkId: string;
  body: TBody;
  signer: SignerRef;
  nonce: string;
  createdAtMs: number;
}

export interface Cosignature {
  orgId: string;
  keyId: string;
  signatureHex: string;
  /** Present exactly when the cosigning key is a passkey: signatureHex is then its P-256 signature. */
  assertion?: WebAuthnAssertion;
}

export interface SignedTransaction<T extends TransactionEnvelope = TransactionEnvelope> {
  transaction: T;
  signatureHex: string;
  /**
   * Present exactly when the signer's key is a passkey (contracts/webauthn.ts): signatureHex is
   * then the assertion's P-256 signature. Absent for Ed25519 keys, so their entries keep the
   * encoding (and the leaf hash) they had before passkeys existed.
   */
  assertion?: WebAuthnAssertion;
  cosignatures: Cosignature[];
}

/** A key as a signature check needs it: Ed25519 unless it carries WebAuthn parameters. */
export interface VerifyingKey {
  keyId: string;
  publicKeyHex: string;
  webauthn?: WebAuthnKeyParameters | null;
}

/** One signature as a transaction carries it: the signer's, or a cosignature. */
export interface CarriedSignature {
  keyId: string;
  signatureHex: string;
  assertion?: WebAuthnAssertion;
}

/** Why a signature check failed, in the order the checks run. */
export type SignatureCheckCode = "signature_malformed" | "key_id_mismatch" | "signature_invalid" | "signature_scheme_mismatch";

export type SignatureCheck =
  | { ok: true }
  | { ok: false; code: SignatureCheckCode; detail: string };

/** The 32-byte SHA-256 of the canonical bytes of the envelope: what is signed. */
export function transactionDigest(transaction: TransactionEnvelope): Uint8Array {
  // A split's parts are hashed as their commitments (split-commitments.ts), so a bundle can
  // hide the parts off its branch without changing the id; every other transaction hashes as it is.
  const committed = committedTransaction(transaction);
  if (committed === transaction) return sha256Bytes(canonicalBytes(transaction));
  if (Object.isFrozen(transaction)) {
    const cached = committedDigests.get(transaction);
    if (cached !== undefined) return cached;
  }
  const digest = sha256Bytes(canonicalBytes(committed));
  if (Object.isFrozen(transaction)) committedDigests.set(transaction, digest);
  return digest;
}

/** Digests of decoded (frozen) splits with commitments: computing the commitments costs two scalar multiplications a part. */
const committedDigests = new WeakMap<object, Uint8Array>();

/** The transaction id: lowercase hex of `transactionDigest`. */
export function transactionId(transaction: TransactionEnvelope): string {
  return bytesToHex(transactionDigest(transaction));
}

/**
 * Signs `transaction` as its declared signer. Throws if `privateKey` does not belong to
 * `transaction.signer.keyId`, since such a signature could never verify.
 */
export function signTransaction<T extends TransactionEnvelope>(
  transaction: T,
  privateKey: Uint8Array,
): SignedTransaction<T> {
  assertKeyId(privateKey, transaction.signer.keyId, "signer");
  const signature = signDigest(privateKey, transactionDigest(transaction));
  return { transaction, signatureHex: bytesToHex(signature), cosignatures: [] };
}

/**
 * Adds a cosignature (for example the operator approving a key registration) over the same
 * digest. Returns a new object; throws if the key does not match `keyId` or already cosigned.
 */
export function cosignTransaction<T extends TransactionEnvelope>(
  signed: SignedTransaction<T>,
  orgId: string,
  keyId: string,
  privateKey: Uint8Array,
): SignedTransaction<T> {
  assertKeyId(privateKey, keyId, "cosigner");
  if (signed.cosignatures.some((cosignature) => cosignature.keyId === keyId)) {
    throw new Error(`key ${keyId} has already cosigned this transaction`);
  }
  const signature = signDigest(privateKey, transactionDigest(signed.transaction));
  const cosignature: Cosignature = { orgId, keyId, signatureHex: bytesToHex(signature) };
  return { ...signed, cosignatures: [...signed.cosignatures, cosignature] };
}

/** Checks the signer's signature against `publicKey` (looked up by the caller from keyId). */
export function checkTransactionSignature(
  signed: SignedTransaction,
  publicKey: Uint8Array,
  verifier: SignatureVerifier,
): SignatureCheck {
  const { keyId } = signed.transaction.signer;
  return checkDigestSignature(transactionDigest(signed.transaction), keyId, signed.signatureHex, publicKey, verifier);
}

export function verifyTransactionSignature(
  signed: SignedTransaction,
  publicKey: Uint8Array,
  verifier: SignatureVerifier,
): boolean {
  return checkTransactionSignature(signed, publicKey, verifier).ok;
}

/** Checks one cosignature of `signed` against the cosigner's `publicKey`. */
export function checkCosignature(
  signed: SignedTransaction,
  cosignature: Cosignature,
  publicKey: Uint8Array,
  verifier: SignatureVerifier,
): SignatureCheck {
  const digest = transactionDigest(signed.transaction);
  return checkDigestSignature(digest, cosignature.keyId, cosignature.signatureHex, publicKey, verifier);
}

export function verifyCosignature(
  signed: SignedTransaction,
  cosignature: Cosignature,
  publicKey: Uint8Array,
  verifier: SignatureVerifier,
): boolean {
  return checkCosignature(signed, cosignature, publicKey, verifier).ok;
}

/**
 * The shared check behind transactions and checkpoints: the signature is well-formed hex,
 * the public key is the one `keyId` names, and the signature verifies over `digest`.
 */
export function checkDigestSignature(
  digest: Uint8Array,
  keyId: string,
  signatureHex: string,
  publicKey: Uint8Array,
  verifier: SignatureVerifier,
): SignatureCheck {
  const signature = tryHexToBytes(signatureHex, ED25519_SIGNATURE_BYTES);
  if (signature === null) {
    return fail("signature_malformed", `signature must be ${ED25519_SIGNATURE_BYTES * 2} lowercase hex characters`);
  }
  const publicKeyId = publicKeyIdOrNull(publicKey);
  if (publicKeyId !== keyId) {
    return fail("key_id_mismatch", `keyId ${keyId} does not name the given public key (keyId ${publicKeyId ?? "invalid"})`);
  }
  if (!verifier(publicKey, digest, signature)) {
    return fail("signature_invalid", `signature by ${keyId} does not verify over digest ${bytesToHex(digest)}`);
  }
  return { ok: true };
}

/**
 * Checks one carried signature over `digest` by `key`, whichever its scheme: an Ed25519
 * signature through `verifier`, a passkey's WebAuthn assertion through checkWebAuthnAssertion
 * (pure, the same on every host; its code is in the detail). A signature of the other scheme
 * than the key's is refused before anything is verified.
 */
export function checkKeySignature(
  digest: Uint8Array,
  key: VerifyingKey,
  signature: CarriedSignature,
  verifier: SignatureVerifier,
): SignatureCheck {
  const parameters = key.webauthn ?? null;
  if ((parameters === null) !== (signature.assertion === undefined)) {
    return fail("signature_scheme_mismatch", `key ${key.keyId} is ${parameters === null ? "Ed25519" : "a passkey"}, the signature ${signature.assertion === undefined ? "is not" : "is"} a WebAuthn assertion`);
  }
  if (parameters === null || signature.assertion === undefined) {
    const publicKey = tryHexToBytes(key.publicKeyHex, 32);
    if (publicKey === null) return fail("key_id_mismatch", `key ${key.keyId} is not an Ed25519 key`);
    return checkDigestSignature(digest, signature.keyId, signature.signatureHex, publicKey, verifier);
  }
  if (signature.keyId !== key.keyId || !isAcceptableP256PublicKey(key.publicKeyHex) || passkeyKeyIdFor(key.publicKeyHex) !== key.keyId) {
    return fail("key_id_mismatch", `keyId ${signature.keyId} does not name the passkey ${key.publicKeyHex}`);
  }
  const check = checkWebAuthnAssertion({ digest, publicKeyHex: key.publicKeyHex, parameters, assertion: signature.assertion, signatureHex: signature.signatureHex });
  return check.ok ? { ok: true } : fail("signature_invalid", `${check.code}: ${check.detail}`);
}

function publicKeyIdOrNull(publicKey: Uint8Array): string | null {
  try {
    return keyIdFor(publicKey);
  } catch {
    return null;
  }
}

function assertKeyId(privateKey: Uint8Array, keyId: string, role: string): void {
  const actualKeyId = keyIdFor(publicKeyFromPrivate(privateKey));
  if (actualKeyId !== keyId) {
    throw new Error(`${role} keyId ${keyId} does not match the private key (keyId ${actualKeyId})`);
  }
}

function fail(code: SignatureCheckCode, detail: string): SignatureCheck {
  return { ok: false, code, detail };
}
