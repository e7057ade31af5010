/**
 * Transitions of organisations and their signing keys: register, rotate, revoke.
 *
 * The signer checks of key.register (self-signature by the new key, registrationSignerProblem)
 * run in apply.ts before applyKeyRegister; the transitions hold the checks that need the state.
 *
 * An organisation governs its own key set: the operator approves only the first key of an
 * organisation (its onboarding, which the organisation's admin confirms by signing it with
 * the new key), and every later key and revocation needs the organisation's own active
 * admin keys (ORGANISATION_KEY_QUORUM of them); the operator signing one is refused as
 * key_set_change_by_operator. Every key names its role (roles.ts) and the person who
 * holds it; an organisation's first key is an admin key.
 */
import { hexToBytes, tryHexToBytes } from "../hex";
import { isAcceptablePublicKey, keyIdFor, type SignatureVerifier } from "../signing";
import { checkKeySignature, type Cosignature, type VerifyingKey } from "../transaction";
import { isAcceptableP256PublicKey, passkeyKeyIdFor, type WebAuthnKeyParameters } from "../webauthn";
import type { CodeIn, KEY_REGISTER_CODES, KEY_REVOKE_CODES, KEY_ROTATE_CODES } from "./codes";
import { keyChangeAdminsOf } from "./approvals";
import { isOperatorRole, operatorKeysFor } from "./roles";
import { fail, succeed, type Outcome, type TransitionContext } from "./outcome";
import type { StateView } from "./state";
import type { LedgerEnvelope, LedgerEvent, Organisation, SignedLedgerTransaction, SigningKey, StateChange } from "./types";

/**
 * Why a public key (hex) cannot name `keyId`, if it cannot: an Ed25519 key, or a passkey's
 * compressed P-256 key when `webauthn` carries its parameters.
 */
export function publicKeyProblem(
  publicKeyHex: string,
  keyId: string,
  webauthn: WebAuthnKeyParameters | null = null,
): "public_key_invalid" | "key_id_mismatch" | undefined {
  if (webauthn !== null) {
    if (!isAcceptableP256PublicKey(publicKeyHex)) return "public_key_invalid";
    return passkeyKeyIdFor(publicKeyHex) === keyId ? undefined : "key_id_mismatch";
  }
  const publicKey = tryHexToBytes(publicKeyHex, 32);
  if (publicKey === null || !isAcceptablePublicKey(publicKey)) return "public_key_invalid";
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
  const webauthn = body.webauthn ?? null;
  const keyProblem = publicKeyProblem(body.publicKeyHex, body.keyId, webauthn);
  if (keyProblem !== undefined) return keyProblem;
  if (signer.keyId !== body.keyId) return "registration_not_self_signed";
  if (signer.orgId !== body.orgId) return "signer_key_wrong_organisation";
  const key: VerifyingKey = { keyId: body.keyId, publicKeyHex: body.publicKeyHex, webauthn };
  const check = checkKeySignature(hexToBytes(txId, 32), key, { keyId: signer.keyId, signatureHex: signed.signatureHex, assertion: signed.assertion }, verifier);
  return check.ok ? undefined : "signature_invalid";
}

/** A cosignature by `key` (an Ed25519 key or a passkey) verifies over the transaction's id. */
function verifiesCosignature(context: TransitionContext, cosignature: Cosignature, key: VerifyingKey): boolean {
  return checkKeySignature(hexToBytes(context.txId, 32), key, cosignature, context.verifier).ok;
}

/**
 * How many distinct active admin keys of an organisation must approve a further key when
 * its approval policy asks for nothing more. A revocation is signed by an admin key
 * (roles.ts); a rotation by the key it replaces, which keeps its role and holder.
 */
export const ORGANISATION_KEY_QUORUM = 1;

/** True when `orgId` is the platform operator's organisation. */
function isOperatorOrg(view: StateView, orgId: string): boolean {
  return view.getOrg(orgId)?.role === "operator";
}

/**
 * The onboarding of a new organisation: its first key, self-signed by the organisation's
 * admin (the signer checks in apply.ts: proof of possession, the admin's one-time
 * confirmation) and approved by exactly one valid cosignature of an active operator key
 * that holds the onboarding role (roles.ts operatorKeysFor: its onboarding key, or its
 * admin key while it has none).
 */
function checkOnboardingCosignature(view: StateView, context: TransitionContext): { code: CodeIn<typeof KEY_REGISTER_CODES>; detail?: string } | undefined {
  const cosignatures = context.signed.cosignatures;
  if (cosignatures.length > 1) return { code: "unexpected_cosignature" };
  const cosignature = cosignatures[0];
  if (cosignature === undefined) return { code: "operator_cosignature_missing" };
  const key = view.getKey(cosignature.keyId);
  const isOperatorKey = key !== undefined && key.status === "active" && key.orgId === cosignature.orgId && isOperatorOrg(view, cosignature.orgId);
  if (!isOperatorKey) return { code: "operator_cosignature_missing" };
  const onboardingKeys = operatorKeysFor("onboarding", view.getActiveKeysOf(key.orgId));
  if (!onboardingKeys.some((holder) => holder.keyId === key.keyId)) {
    return { code: "operator_key_outside_role", detail: `${key.role} key ${key.keyId} cannot cosign an onboarding` };
  }
  return verifiesCosignature(context, cosignature, key) ? undefined : { code: "operator_cosignature_invalid" };
}

/**
 * A further key of an organisation already on the ledger: its cosignatures must all come
 * from the organisation's own active admin keys, held by as many different admins as its
 * approval policy asks (keyChangeAdmins, at least ORGANISATION_KEY_QUORUM), each verifying. The operator cannot approve it: an operator cosignature is refused with
 * its own code, so an operator that tries to slip its own key into another organisation's
 * key set is named as such.
 */
function checkOrganisationApproval(
  view: StateView,
  context: TransitionContext,
  orgId: string,
): { code: CodeIn<typeof KEY_REGISTER_CODES>; detail: string } | undefined {
  const cosignatures = context.signed.cosignatures;
  for (const cosignature of cosignatures) {
    if (cosignature.orgId === orgId) continue;
    if (isOperatorOrg(view, cosignature.orgId)) return { code: "key_set_change_by_operator", detail: `operator key ${cosignature.keyId} cosigned a key of ${orgId}` };
    return { code: "unexpected_cosignature", detail: `${cosignature.orgId} is not ${orgId}` };
  }
  const approvers = new Set<string>();
  for (const cosignature of cosignatures) {
    const key = view.getKey(cosignature.keyId);
    if (key === undefined || key.orgId !== orgId || key.status !== "active") {
      return { code: "organisation_approval_missing", detail: `${cosignature.keyId} is not an active key of ${orgId}` };
    }
    if (key.role !== "admin") return { code: "cosigner_role_not_allowed", detail: `${key.role} key ${key.keyId} cannot approve a key of ${orgId}` };
    if (!verifiesCosignature(context, cosignature, key)) return { code: "organisation_approval_invalid", detail: `cosignature by ${key.keyId}` };
    approvers.add(key.holderUserId);
  }
  // Admins are counted as persons: two keys of one admin are one approval.
  const needed = Math.max(ORGANISATION_KEY_QUORUM, keyChangeAdminsOf(view.getApprovalPolicy(orgId)));
  if (approvers.size < needed) {
    return { code: "organisation_approval_missing", detail: `${approvers.size} of ${needed} admins of ${orgId} approved` };
  }
  return undefined;
}

/**
 * The operator signing a change to another organisation's key set: refused whatever else
 * the transaction says, since only the organisation's own keys govern it.
 */
function isOperatorChangingOtherKeys(transaction: LedgerEnvelope<"key.rotate" | "key.revoke">, context: TransitionContext): boolean {
  return context.signerOrg?.role === "operator" && transaction.signer.orgId !== transaction.body.orgId;
}

/**
 * Registers a key. The genesis (the first key on the ledger) is the operator's own and takes
 * no cosignature; the first key of any other organisation is its onboarding, approved by the
 * operator; every further key of an organisation is approved by the organisation's own keys.
 */
export function applyKeyRegister(
  view: StateView,
  transaction: LedgerEnvelope<"key.register">,
  context: TransitionContext,
): Outcome<CodeIn<typeof KEY_REGISTER_CODES>> {
  const body = transaction.body;
  if (view.getKey(body.keyId) !== undefined) return fail("key_already_registered");
  if (isOperatorRole(body.keyRole) && body.role !== "operator") {
    return fail("operator_role_outside_operator", `a ${body.role} cannot hold a ${body.keyRole} key`);
  }
  const existing = view.getOrg(body.orgId);
  if (!view.hasKeys()) {
    if (body.role !== "operator") return fail("genesis_requires_operator");
    if (body.keyRole !== "admin") return fail("first_key_not_admin", `the genesis key is a ${body.keyRole} key`);
    if (context.signed.cosignatures.length > 0) return fail("unexpected_cosignature", "genesis takes no cosignature");
  } else if (existing === undefined) {
    if (body.keyRole !== "admin") return fail("first_key_not_admin", `${body.orgId}'s first key is a ${body.keyRole} key`);
    const problem = checkOnboardingCosignature(view, context);
    if (problem !== undefined) return fail(problem.code, problem.detail);
  } else {
    const problem = checkOrganisationApproval(view, context, body.orgId);
    if (problem !== undefined) return fail(problem.code, problem.detail);
  }
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
    role: body.keyRole,
    holderUserId: body.holderUserId,
    webauthn: body.webauthn ?? null,
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
  if (isOperatorChangingOtherKeys(transaction, context)) return fail("key_set_change_by_operator", `operator rotated a key of ${body.orgId}`);
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
  const newKey: VerifyingKey = { keyId: body.newKeyId, publicKeyHex: body.newPublicKeyHex, webauthn: null };
  if (!verifiesCosignature(context, cosignature, newKey)) return fail("new_key_cosignature_invalid");
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
        // The new key replaces the old one for the same person and the same powers.
        role: oldKey.role,
        holderUserId: oldKey.holderUserId,
        webauthn: null,
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
  if (isOperatorChangingOtherKeys(transaction, context)) return fail("key_set_change_by_operator", `operator revoked a key of ${body.orgId}`);
  // The signer checks found the signer's key active and an admin key (roles.ts).
  if (signer.orgId !== body.orgId) return fail("revoke_not_authorised");
  if (key.status === "revoked") return fail("key_already_revoked");
  const lastKeyProblem = lastKeyOfRole(view, key);
  if (lastKeyProblem !== undefined) return lastKeyProblem;
  const revoked: SigningKey = { ...key, status: "revoked", revokedAtMs: context.nowMs };
  return succeed([{ kind: "key", value: revoked }], [{ type: "key.revoked", orgId: key.orgId, keyId: key.keyId }]);
}

/**
 * The guards on the last keys of a role: revoking the operator's last active key of an
 * operator role would leave that duty to nobody (its admin keys would take it back, which
 * undoes the separation silently), and revoking an organisation's last active admin key
 * would leave nobody able to change its key set again. A rotation keeps the role, so it
 * never trips them.
 */
function lastKeyOfRole(view: StateView, key: SigningKey): Outcome<"last_operator_role_key" | "last_admin_key"> | undefined {
  if (key.role !== "admin" && !isOperatorRole(key.role)) return undefined;
  const others = view.getActiveKeysOf(key.orgId).filter((other) => other.role === key.role && other.keyId !== key.keyId);
  if (others.length > 0) return undefined;
  if (key.role === "admin") return fail("last_admin_key", `${key.keyId} is the last active admin key of ${key.orgId}`);
  return fail("last_operator_role_key", `${key.keyId} is the operator's last active ${key.role} key`);
}
