/**
 * applyTransaction: the ledger's one entry point. Pure: everything it reads comes from the
 * view (prefetched by the caller) and ctx; it returns the upserts and events of the
 * transition, or the code of the first check that failed (codes.ts lists them in order).
 *
 * Order: envelope well-formed -> signed for this ledger's network (ctx.networkId) ->
 * createdAtMs within 24 h of ctx.nowMs -> signer key known,
 * of the signer's organisation, active -> signature -> nonce unused by that key -> the
 * key's role may sign the type (roles.ts) -> no
 * stray cosignatures -> the checks of the transaction type. After a successful transition
 * the invariants of everything it touched are asserted (invariants.ts).
 */
import { hexToBytes } from "../hex";
import { checkKeySignature, transactionId, type SignatureCheck, type SignedTransaction } from "../transaction";
import { assertTransitionInvariants } from "./invariants";
import { checkApprovals, isApprovedType, type ApprovedType } from "./approvals";
import { registrationSignerProblem } from "./keys";
import { isOperatorRole, roleMaySign } from "./roles";
import { kindOf, type ResultCode } from "./kinds";
import {
  fail,
  InvariantViolation,
  type ApplyContext,
  type Failure,
  type Outcome,
  type TransitionContext,
} from "./outcome";
import { decodeSignedTransaction, encodeSignedTransaction, isDecodedTransaction } from "./schema";
import type { StateView } from "./state";
import type { LedgerEnvelope, Organisation, SignedLedgerTransaction, SigningKey, StateChange } from "./types";

export { SIGNER_CHECKS } from "./codes";
export { CHECK_ORDER, RESULT_CODES, type ResultCode } from "./kinds";
export { InvariantViolation, type ApplyContext, type Failure, type Success } from "./outcome";
export { applyClaimAccept, applyClaimIssue, applyClaimMarkOverdue, applyClaimPledge, applyClaimRelease, applyClaimReject, applyClaimSplit, applyClaimWithdraw } from "./claims";
export { applyCreditLineAdjust, applyCreditLineExpire, applyCreditLineFreeze, applyCreditLineGrant } from "./credit-lines";
export {
  applyFinancingAccept,
  applyFinancingDecline,
  applyFinancingDisburse,
  applyFinancingOffer,
  applyFinancingRequest,
  applyFinancingRequestUnderPolicy,
} from "./financing";
export { applyKeyRegister, applyKeyRevoke, applyKeyRotate } from "./keys";
export { applyFinancingPolicyRevoke, applyFinancingPolicySet } from "./policies";
export { applyRepaymentRecord } from "./repayment";

/** How far createdAtMs may be from ctx.nowMs, either way. */
export const CREATED_AT_TOLERANCE_MS = 24 * 60 * 60 * 1000;

export type ApplyResult = Outcome<ResultCode>;

type SignerCheck = { ok: true; signerOrg: Organisation | undefined } | Failure<ResultCode>;

/**
 * The signer's signature over the transaction's digest. applyTransaction has checked that
 * ctx.txId is the id of this very transaction before any signer check runs, and the id is the
 * digest in hex, so the digest is decoded from it rather than canonicalised and hashed again.
 */
function checkSignerSignature(signed: SignedLedgerTransaction, key: SigningKey, ctx: ApplyContext): SignatureCheck {
  const { keyId } = signed.transaction.signer;
  const carried = { keyId, signatureHex: signed.signatureHex, assertion: signed.assertion };
  return checkKeySignature(hexToBytes(ctx.txId, 32), key, carried, ctx.verifier);
}

/** Signer checks of every type but key.register: a registered, active key of the signer's organisation. */
function checkRegisteredSigner(view: StateView, signed: SignedLedgerTransaction, ctx: ApplyContext): SignerCheck {
  const { signer, nonce } = signed.transaction;
  const key = view.getKey(signer.keyId);
  if (key === undefined) return fail("signer_key_unknown");
  if (key.orgId !== signer.orgId) return fail("signer_key_wrong_organisation");
  if (key.status !== "active") return fail("signer_key_revoked");
  const signature = checkSignerSignature(signed, key, ctx);
  // A passkey's refusal names the assertion check that failed (assertion_origin_not_allowed, ...).
  if (!signature.ok) return key.webauthn === null ? fail("signature_invalid") : fail("signature_invalid", signature.detail);
  if (view.hasNonce(signer.orgId, signer.keyId, nonce)) return fail("nonce_reused");
  if (!roleMaySign(signed.transaction.type, key.role)) {
    // An operator key has one duty (roles.ts OPERATOR_ROLE_DUTIES); used for anything else it is named as such.
    if (isOperatorRole(key.role)) return fail("operator_key_outside_role", `${key.role} key ${key.keyId} cannot sign ${signed.transaction.type}`);
    return fail("signer_role_not_allowed", `${key.role} key ${key.keyId} cannot sign ${signed.transaction.type}`);
  }
  const signerOrg = view.getOrg(signer.orgId);
  if (signerOrg === undefined) throw new InvariantViolation(`key ${key.keyId}: organisation ${key.orgId} not loaded`);
  return { ok: true, signerOrg };
}

/**
 * key.register is signed by the key it registers, which the ledger does not know yet, so
 * the public key comes from the body and must be the one the signer's keyId names.
 */
function checkRegistrationSigner(
  view: StateView,
  signed: SignedLedgerTransaction<"key.register">,
  ctx: ApplyContext,
): SignerCheck {
  const { signer, nonce } = signed.transaction;
  const problem = registrationSignerProblem(signed, ctx.txId, ctx.verifier);
  if (problem !== undefined) return fail(problem);
  if (view.hasNonce(signer.orgId, signer.keyId, nonce)) return fail("nonce_reused");
  return { ok: true, signerOrg: view.getOrg(signer.orgId) };
}

/** A kind signed by the key it registers (its descriptor's signing.signer; only key.register can say so). */
function isRegistration(signed: SignedLedgerTransaction): signed is SignedLedgerTransaction<"key.register"> {
  return kindOf(signed.transaction.type).signing.signer === "key-it-registers";
}

function checkEnvelope(view: StateView, signed: SignedLedgerTransaction, ctx: ApplyContext): SignerCheck {
  const transaction = signed.transaction;
  if (transaction.networkId !== ctx.networkId) {
    return fail("network_id_mismatch", `signed for network ${transaction.networkId}, this ledger is ${ctx.networkId}`);
  }
  if (Math.abs(transaction.createdAtMs - ctx.nowMs) > CREATED_AT_TOLERANCE_MS) {
    return fail("created_at_out_of_range", `createdAtMs ${transaction.createdAtMs}, now ${ctx.nowMs}`);
  }
  const signerCheck = isRegistration(signed)
    ? checkRegistrationSigner(view, signed, ctx)
    : checkRegisteredSigner(view, signed, ctx);
  if (!signerCheck.ok) return signerCheck;
  if (kindOf(transaction.type).signing.cosigners === "none" && signed.cosignatures.length > 0) {
    return fail("unexpected_cosignature");
  }
  return signerCheck;
}

/** The kind's transition, then, for a kind that takes approvals, its approvals (approvals.ts) against the state before it. */
function runTransition(view: StateView, transaction: LedgerEnvelope, context: TransitionContext): ApplyResult {
  const outcome = kindOf(transaction.type).transition(view, transaction, context);
  if (!outcome.ok || kindOf(transaction.type).signing.cosigners !== "approvals") return outcome;
  if (!isApprovedType(transaction.type)) throw new InvariantViolation(`${transaction.type} takes approvals but has no approval rule`);
  return checkApprovals(view, transaction as LedgerEnvelope<ApprovedType>, context) ?? outcome;
}

/**
 * Applies one signed transaction to the state seen through `view`, without changing it.
 * On success, `changes` are the upserts to write (the last one records the nonce) and
 * `events` describe what happened. Throws InvariantViolation only for broken invariants
 * (including a ctx.txId that is not the transaction's id).
 */
export function applyTransaction(view: StateView, signed: SignedTransaction, ctx: ApplyContext): ApplyResult {
  // Re-decoding the wire form makes the in-memory value pass exactly the checks the wire
  // does, so nothing reaches a transition that a client could not have submitted. A value
  // that decodeSignedTransaction returned has passed them and is frozen since, so it is used as is.
  let canonical: SignedLedgerTransaction;
  if (isDecodedTransaction(signed)) {
    canonical = signed;
  } else {
    const decoded = decodeSignedTransaction(encodeSignedTransaction(signed));
    if (!decoded.ok) {
      const detail = decoded.issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ");
      return fail("malformed_transaction", detail);
    }
    canonical = decoded.value;
  }
  const txId = transactionId(canonical.transaction);
  if (txId !== ctx.txId) throw new InvariantViolation(`ctx.txId ${ctx.txId} is not the transaction id ${txId}`);
  const envelope = checkEnvelope(view, canonical, ctx);
  if (!envelope.ok) return envelope;
  const context: TransitionContext = { ...ctx, signed: canonical, signerOrg: envelope.signerOrg };
  const outcome = runTransition(view, canonical.transaction, context);
  if (!outcome.ok) return outcome;
  const { signer, nonce } = canonical.transaction;
  const changes: StateChange[] = [
    ...outcome.changes,
    { kind: "nonce", value: { orgId: signer.orgId, keyId: signer.keyId, nonce } },
  ];
  assertTransitionInvariants(view, changes, txId);
  return { ok: true, changes, events: outcome.events };
}
