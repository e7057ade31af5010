/**
 * Passkeys in the browser: creating one (@simplewebauthn/browser with the server's options:
 * ES256 only, user verification required), signing in with one, and signing a ledger
 * transaction with it (navigator.credentials.get with the transaction id as the challenge).
 *
 * The private key never exists in the page: it stays in the authenticator (the platform's
 * passkey store or a security key), which signs only after the person verifies (fingerprint,
 * face, PIN). What the browser keeps is public: the record below, in localStorage, naming the
 * credential, its public key and the key id the ledger knows it by.
 */
import { startAuthentication, startRegistration, type PublicKeyCredentialCreationOptionsJSON, type PublicKeyCredentialRequestOptionsJSON, type RegistrationResponseJSON } from "@simplewebauthn/browser";
import { z } from "zod";
import { toWire } from "@/contracts/client";
import { bytesToHex } from "@/contracts/hex";
import { keyIdSchema, orgIdSchema, p256PublicKeyHexSchema, webauthnKeyParametersSchema, type WireSignedTransaction } from "@/contracts/ledger/schema";
import type { SignedLedgerTransaction, TransactionBodies, TransactionType } from "@/contracts/ledger/types";
import { transactionDigest } from "@/contracts/transaction";
import { assertionSignatureHex, COSE_ALGORITHM_ES256, p256PublicKeyHexFromSpki, passkeyKeyIdFor } from "@/contracts/webauthn";
import { randomNonce, type KeyStorage, type OrganisationProfile } from "./keystore";

/** How long the browser waits for the person at the authenticator. */
const CEREMONY_TIMEOUT_MS = 120_000;

export const passkeyRecordSchema = z
  .object({
    version: z.literal(1),
    orgId: orgIdSchema,
    keyId: keyIdSchema,
    publicKeyHex: p256PublicKeyHexSchema,
    /** The credential id, base64url: which passkey the browser asks the authenticator for. */
    credentialId: z.string().regex(/^[A-Za-z0-9_-]{16,1400}$/),
    parameters: webauthnKeyParametersSchema,
    label: z.string().max(200),
    createdAtMs: z.int().min(0),
  })
  .strict()
  .refine((record) => passkeyKeyIdFor(record.publicKeyHex) === record.keyId, { message: "keyId does not name publicKeyHex", path: ["keyId"] });

export type PasskeyRecord = z.infer<typeof passkeyRecordSchema>;

export type PasskeyErrorCode = "passkeys_unavailable" | "passkey_cancelled" | "passkey_not_es256";

export class PasskeyError extends Error {
  constructor(
    readonly code: PasskeyErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "PasskeyError";
  }
}

function credentials(): CredentialsContainer {
  if (typeof window === "undefined" || !window.isSecureContext || !window.PublicKeyCredential || !navigator.credentials) {
    throw new PasskeyError("passkeys_unavailable", "This browser cannot use passkeys here. Open Double-chain over https in a current browser.");
  }
  return navigator.credentials;
}

function base64UrlToBytes(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(text.length / 4) * 4, "=");
  return Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
}

/** A ceremony the person cancelled (or let time out) is an answer, not a crash. */
function cancelled(error: unknown): never {
  if (error instanceof DOMException && (error.name === "NotAllowedError" || error.name === "AbortError")) {
    throw new PasskeyError("passkey_cancelled", "The passkey was not used (cancelled or timed out); nothing was sent.");
  }
  throw error;
}

export interface CreatePasskeyOptions {
  orgId: string;
  label: string;
  nowMs: number;
  /** The server's registration options (auth.passkeyRegistrationOptions): its single-use challenge, ES256 only, user verification required. */
  optionsJSON: PublicKeyCredentialCreationOptionsJSON;
}

/**
 * Creates a passkey on this site (@simplewebauthn/browser). The answer goes back to the
 * server, which keeps the passkey for signing in; its public key becomes the ledger signing
 * key of the returned record.
 */
export async function createPasskey({ orgId, label, nowMs, optionsJSON }: CreatePasskeyOptions): Promise<{ record: PasskeyRecord; response: RegistrationResponseJSON }> {
  if (typeof window === "undefined" || !window.isSecureContext || !window.PublicKeyCredential) {
    throw new PasskeyError("passkeys_unavailable", "This browser cannot use passkeys here. Open Double-chain over https in a current browser.");
  }
  let response: RegistrationResponseJSON;
  try {
    response = await startRegistration({ optionsJSON });
  } catch (error) {
    if (error instanceof Error && (error.name === "NotAllowedError" || error.name === "AbortError" || (error as { code?: string }).code === "ERROR_CEREMONY_ABORTED")) {
      throw new PasskeyError("passkey_cancelled", "The passkey was not used (cancelled or timed out); nothing was sent.");
    }
    throw error;
  }
  const spki = response.response.publicKey;
  if (response.response.publicKeyAlgorithm !== COSE_ALGORITHM_ES256 || spki === undefined) {
    throw new PasskeyError("passkey_not_es256", "This authenticator did not make a P-256 (ES256) passkey, the only kind the ledger accepts.");
  }
  const publicKeyHex = p256PublicKeyHexFromSpki(base64UrlToBytes(spki));
  const record = passkeyRecordSchema.parse({
    version: 1,
    orgId,
    keyId: passkeyKeyIdFor(publicKeyHex),
    publicKeyHex,
    credentialId: response.id,
    parameters: { algorithm: "ES256", rpId: optionsJSON.rp.id ?? window.location.hostname, origins: [window.location.origin] },
    label: label.trim().slice(0, 200),
    createdAtMs: nowMs,
  });
  return { record, response };
}

/** Signs in with one of this site's passkeys: the answer to the server's challenge, for next-auth's "passkey" provider. */
export async function passkeySignInAnswer(optionsJSON: PublicKeyCredentialRequestOptionsJSON): Promise<string> {
  if (typeof window === "undefined" || !window.isSecureContext || !window.PublicKeyCredential) {
    throw new PasskeyError("passkeys_unavailable", "This browser cannot use passkeys here. Open Double-chain over https in a current browser.");
  }
  try {
    return JSON.stringify(await startAuthentication({ optionsJSON }));
  } catch (error) {
    if (error instanceof Error && (error.name === "NotAllowedError" || error.name === "AbortError" || (error as { code?: string }).code === "ERROR_CEREMONY_ABORTED")) {
      throw new PasskeyError("passkey_cancelled", "The passkey was not used (cancelled or timed out); nothing was sent.");
    }
    throw error;
  }
}

/** The passkey's assertion over a 32-byte transaction digest: the person verifies at the authenticator. */
async function assertOver(record: PasskeyRecord, digest: Uint8Array): Promise<{ signatureHex: string; assertion: { authenticatorDataHex: string; clientDataJSONHex: string } }> {
  const container = credentials();
  let credential: Credential | null;
  try {
    credential = await container.get({
      publicKey: {
        challenge: new Uint8Array(digest),
        rpId: record.parameters.rpId,
        allowCredentials: [{ type: "public-key", id: base64UrlToBytes(record.credentialId) }],
        userVerification: "required",
        timeout: CEREMONY_TIMEOUT_MS,
      },
    });
  } catch (error) {
    cancelled(error);
  }
  const response = (credential as PublicKeyCredential | null)?.response as AuthenticatorAssertionResponse | undefined;
  if (!response) throw new PasskeyError("passkey_cancelled", "The passkey gave no answer; nothing was sent.");
  return {
    signatureHex: assertionSignatureHex(new Uint8Array(response.signature)),
    assertion: { authenticatorDataHex: bytesToHex(new Uint8Array(response.authenticatorData)), clientDataJSONHex: bytesToHex(new Uint8Array(response.clientDataJSON)) },
  };
}

export interface PasskeyEnvelopeOptions {
  networkId: string;
  nonce: string;
  createdAtMs: number;
}

/** A ledger transaction signed by the passkey: its assertion over the transaction id. */
export async function signWithPasskey<K extends TransactionType>(record: PasskeyRecord, type: K, body: TransactionBodies[K], options: PasskeyEnvelopeOptions): Promise<SignedLedgerTransaction<K>> {
  const transaction = { type, networkId: options.networkId, body, signer: { orgId: record.orgId, keyId: record.keyId }, nonce: options.nonce, createdAtMs: options.createdAtMs };
  const signature = await assertOver(record, transactionDigest(transaction as SignedLedgerTransaction<K>["transaction"]));
  return { transaction, ...signature, cosignatures: [] } as SignedLedgerTransaction<K>;
}

/** The passkey's approval of a transaction another person signed: its assertion over the transaction id, as a cosignature. */
export async function cosignWithPasskey(record: PasskeyRecord, digest: Uint8Array): Promise<{ orgId: string; keyId: string; signatureHex: string; assertion: { authenticatorDataHex: string; clientDataJSONHex: string } }> {
  return { orgId: record.orgId, keyId: record.keyId, ...(await assertOver(record, digest)) };
}

/** key.register of the passkey, signed by the passkey itself (its proof of possession). */
export async function signPasskeyRegistration(record: PasskeyRecord, org: OrganisationProfile, nowMs: number, networkId: string): Promise<WireSignedTransaction> {
  const body = { orgId: org.orgId, orgName: org.orgName, role: org.role, publicKeyHex: record.publicKeyHex, keyId: record.keyId, keyRole: org.keyRole, holderUserId: org.holderUserId, webauthn: record.parameters };
  return toWire(await signWithPasskey(record, "key.register", body, { networkId, nonce: randomNonce(), createdAtMs: nowMs }));
}

// ---------------------------------------------------------------------------------------
// Storage: one passkey record per user (email) per browser; it holds nothing secret.

export function passkeyStorageKeyFor(email: string): string {
  return `double-chain:passkey:v1:${email.trim().toLowerCase()}`;
}

export function loadPasskey(storage: KeyStorage, email: string): PasskeyRecord | null {
  const text = storage.getItem(passkeyStorageKeyFor(email));
  if (text === null) return null;
  try {
    const parsed = passkeyRecordSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function savePasskey(storage: KeyStorage, email: string, record: PasskeyRecord): void {
  storage.setItem(passkeyStorageKeyFor(email), JSON.stringify(record));
}

export function removePasskey(storage: KeyStorage, email: string): void {
  storage.removeItem(passkeyStorageKeyFor(email));
}
