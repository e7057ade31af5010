/**
 * Transitions of organisations and their signing keys: register, rotate, revoke.
 *
 * The signer checks of key.register (self-signature by the new key, registrationSignerProblem)
 * run in apply.ts before applyKeyRegister; the transitions hold the checks that need the state.
 */
import { hexToBytes } from "../hex";
import { isAcceptablePublicKey, keyIdFor, type SignatureVerifier } from "../signing";
import { checkCosignature, checkDigestSignature, type Cosignature } from "../transaction";
import type { CodeIn, KEY_REGISTER_CODES, KEY_REVOKE_CODES, KEY_ROTATE_CODES } from "./codes";
import { fail, succeed, type Outcome, type TransitionContext } from "./outcome";
import type { StateView } from "./state";
import type { LedgerEnvelope, LedgerEvent, Organisation, SignedLedgerTransaction, SigningKey, StateChange } from "./types";

/** Why a public key (hex) cannot name `keyId`, if it cannot. */
export function publicKeyProblem(
  publicKeyHex: string,
  keyId: string,
): "public_key_invalid" | "key_id_mismatch" | undefined {
  const publicKey = hexToBytes(publicKeyHex, 32);
  if (!isAcceptablePublicKey(publicKey)) return "public_key_invalid";
  return keyIdFor(publicKey) === keyId ? undefined : "key_id_mismatch";
}

/** Why the signer of a key.register is not acceptable, as far as the transaction alone tells. */
export type RegistrationSignerCode =
  | "public_key_invalid"
  | "key_id_mismatch"
  | "registration_not_self_signed"
  | "signer_key_wrong_organisation"
  | "signature_invalid";

/**
 * The signer checks of a key.register that need no ledger state, in check order: the body's
 * public key is valid and named by its key id, the signer is that key of the body's
 * organisation, and the signature over the digest (`txId`, its hex) verifies with it.
 * apply.ts runs them before the nonce check; the server runs them on a key request, so the
 * operator only ever sees requests that prove possession of the key.
 */
export function registrationSignerProblem(
  signed: SignedLedgerTransaction<"key.register">,
  txId: string,
  verifier: SignatureVerifier,
): RegistrationSignerCode | undefined {
  const { signer, body } = signed.transaction;
  const keyProblem = publicKeyProblem(body.publicKeyHex, body.keyId);
  if (keyProblem !== undefined) return keyProblem;
  if (signer.keyId !== body.keyId) return "registration_not_self_signed";
  if (signer.orgId !== body.orgId) return "signer_key_wrong_organisation";
  const publicKey = hexToBytes(body.publicKeyHex, 32);
  const check = checkDigestSignature(hexToBytes(txId, 32), signer.keyId, signed.signatureHex, publicKey, verifier);
  return check.ok ? undefined : "signature_invalid";
}

function verifiesCosignature(context: TransitionContext, cosignature: Cosignature, publicKeyHex: string): boolean {
  const publicKey = hexToBytes(publicKeyHex, 32);
  return checkCosignature(context.signed, cosignature, publicKey, context.verifier).ok;
}

/** The operator approval of a non-genesis registration: exactly one valid cosignature. */
function checkOperatorCosignature(view: StateView, context: TransitionContext): CodeIn<typeof KEY_REGISTER_CODES> | undefined {
  const cosignatures = context.signed.cosignatures;
  if (cosignatures.length > 1) return "unexpected_cosignature";
  const cosignature = cosignatures[0];
  if (cosignature === undefined) return "operator_cosignature_missing";
  const key = view.getKey(cosignature.keyId);
  const org = view.getOrg(cosignature.orgId);
  const isOperatorKey =
    key !== undefined && key.status === "active" && key.orgId === cosignature.orgId && org?.role === "operator";
  if (!isOperatorKey) return "operator_cosignature_missing";
  return verifiesCosignature(context, cosignature, key.publicKeyHex) ? undefined : "operator_cosignature_invalid";
}

export function applyKeyRegister(
  view: StateView,
  transaction: LedgerEnvelope<"key.register">,
  context: TransitionContext,
): Outcome<CodeIn<typeof KEY_REGISTER_CODES>> {
  const body = transaction.body;
  if (view.getKey(body.keyId) !== undefined) return fail("key_already_registered");
  if (!view.hasKeys()) {
    if (body.role !== "operator") return fail("genesis_requires_operator");
    if (context.signed.cosignatures.length > 0) return fail("unexpected_cosignature", "genesis takes no cosignature");
  } else {
    const problem = checkOperatorCosignature(view, context);
    if (problem !== undefined) return fail(problem);
  }
  const existing = view.getOrg(body.orgId);
  if (existing !== undefined && existing.role !== body.role) {
    return fail("organisation_role_mismatch", `${body.orgId} is a ${existing.role}`);
  }
  const org: Organisation = { id: body.orgId, name: body.orgName, role: body.role };
  const key: SigningKey = {
    keyId: body.keyId,
    orgId: body.orgId,
    publicKeyHex: body.publicKeyHex,
    status: "active",
    registeredAtMs: context.nowMs,
    revokedAtMs: null,
  };
  const events: LedgerEvent[] = existing === undefined ? [{ type: "organisation.registered", orgId: org.id, role: org.role }] : [];
  events.push({ type: "key.registered", orgId: key.orgId, keyId: key.keyId });
  return succeed([{ kind: "org", value: org }, { kind: "key", value: key }], events);
}

export function applyKeyRotate(
  view: StateView,
  transaction: LedgerEnvelope<"key.rotate">,
  context: TransitionContext,
): Outcome<CodeIn<typeof KEY_ROTATE_CODES>> {
  const { body, signer } = transaction;
  if (signer.keyId !== body.oldKeyId || signer.orgId !== body.orgId) return fail("rotation_not_signed_by_old_key");
  const keyProblem = publicKeyProblem(body.newPublicKeyHex, body.newKeyId);
  if (keyProblem !== undefined) return fail(keyProblem);
  if (view.getKey(body.newKeyId) !== undefined) return fail("key_already_registered");
  const cosignatures = context.signed.cosignatures;
  if (cosignatures.length > 1) return fail("unexpected_cosignature");
  const cosignature = cosignatures[0];
  if (cosignature === undefined || cosignature.keyId !== body.newKeyId || cosignature.orgId !== body.orgId) {
    return fail("new_key_cosignature_missing");
  }
  if (!verifiesCosignature(context, cosignature, body.newPublicKeyHex)) return fail("new_key_cosignature_invalid");
  const oldKey = view.getKey(body.oldKeyId) as SigningKey; // the signer checks found it active
  const changes: StateChange[] = [
    { kind: "key", value: { ...oldKey, status: "revoked", revokedAtMs: context.nowMs } },
    {
      kind: "key",
      value: {
        keyId: body.newKeyId,
        orgId: body.orgId,
        publicKeyHex: body.newPublicKeyHex,
        status: "active",
        registeredAtMs: context.nowMs,
        revokedAtMs: null,
      },
    },
  ];
  return succeed(changes, [{ type: "key.rotated", orgId: body.orgId, oldKeyId: body.oldKeyId, newKeyId: body.newKeyId }]);
}

export function applyKeyRevoke(
  view: StateView,
  transaction: LedgerEnvelope<"key.revoke">,
  context: TransitionContext,
): Outcome<CodeIn<typeof KEY_REVOKE_CODES>> {
  const { body, signer } = transaction;
  const key = view.getKey(body.keyId);
  if (key === undefined) return fail("key_not_found");
  if (key.orgId !== body.orgId) return fail("key_wrong_organisation");
  if (signer.orgId !== body.orgId && context.signerOrg?.role !== "operator") return fail("revoke_not_authorised");
  if (key.status === "revoked") return fail("key_already_revoked");
  const revoked: SigningKey = { ...key, status: "revoked", revokedAtMs: context.nowMs };
  return succeed([{ kind: "key", value: revoked }], [{ type: "key.revoked", orgId: key.orgId, keyId: key.keyId }]);
}
