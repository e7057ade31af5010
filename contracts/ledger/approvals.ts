/**
 * Maker-checker (复核) on the ledger: an organisation's approval policy, set by its admins
 * with approvalPolicy.set, and the check of the approvals a transaction carries as its
 * envelope's cosignatures (docs/ledger.md "Approvals").
 *
 * Two rules, one per kind that takes approvals (APPROVAL_RULES):
 *  - "amount": an issuance, a credit decision or a financing offer of more than the policy's
 *    `approvalAboveMinor` needs one approval by an approver or admin key of the signer's own
 *    organisation, held by another person than the signer's key;
 *  - "admins": a revocation or a change of the policy itself needs `keyChangeAdmins`
 *    different admins: the signer (an admin, roles.ts) and admins of other persons cosigning.
 * (A further key's admins are counted by key.register itself, keys.ts, with the same policy.)
 *
 * Every cosignature is checked whether or not the policy asks for it, in this order:
 * approval_wrong_organisation, approver_key_not_active, cosigner_role_not_allowed,
 * approval_by_signer, approval_invalid; then approval_missing when too few remain. The check
 * runs after the kind's own transition succeeded (so the amount of an offer is the claim it
 * prices), against the state before it, so a policy is never judged by itself.
 */
import { hexToBytes } from "../hex";
import type { APPROVAL_CHECKS, CodeIn, APPROVAL_POLICY_SET_CODES } from "./codes";
import { checkCosignature } from "../transaction";
import { fail, succeed, type Failure, type Outcome, type TransitionContext } from "./outcome";
import { roleMayApprove } from "./roles";
import type { StateView } from "./state";
import type { ApprovalPolicy, KeyRole, LedgerEnvelope, SigningKey, TransactionType } from "./types";

export type ApprovalCode = (typeof APPROVAL_CHECKS)[number];

type AmountOf<T extends TransactionType> = (view: StateView, transaction: LedgerEnvelope<T>) => bigint;
type ApprovalRule<T extends TransactionType> = { needs: "approver-above-amount"; amountOf: AmountOf<T> } | { needs: "admins" };

/** The outstanding of the claim a financing prices (the transition found both). */
function financedAmount(view: StateView, financingId: string): bigint {
  const financing = view.getFinancing(financingId);
  const claim = financing === undefined ? undefined : view.getClaim(financing.claimId);
  return claim === undefined ? 0n : claim.amountMinor - claim.settledMinor;
}

/** The kinds that take approvals, and what they need. The descriptors of exactly these say `cosigners: "approvals"`. */
export const APPROVAL_RULES: { [T in ApprovedType]: ApprovalRule<T> } = {
  "claim.issue": { needs: "approver-above-amount", amountOf: (_view, transaction) => transaction.body.amountMinor },
  // Hidden terms (a provenance bundle's line of another lender): the replay cannot tell whether
  // the limit needed an approver; the witnesses' full replay checked it.
  "creditLine.grant": { needs: "approver-above-amount", amountOf: (_view, transaction) => (transaction.body.termsCommitmentHex === undefined ? transaction.body.limitMinor : 0n) },
  "creditLine.adjust": { needs: "approver-above-amount", amountOf: (_view, transaction) => (transaction.body.termsCommitmentHex === undefined ? transaction.body.limitMinor : 0n) },
  // A policy's hidden ceiling likewise (the witnesses' full replay checked its approvals).
  "financingPolicy.set": { needs: "approver-above-amount", amountOf: (_view, transaction) => (transaction.body.termsCommitmentHex === undefined ? transaction.body.maxAmountMinor : 0n) },
  "financing.offer": { needs: "approver-above-amount", amountOf: (view, transaction) => financedAmount(view, transaction.body.financingId) },
  "key.revoke": { needs: "admins" },
  "approvalPolicy.set": { needs: "admins" },
};
export type ApprovedType = "claim.issue" | "creditLine.grant" | "creditLine.adjust" | "financingPolicy.set" | "financing.offer" | "key.revoke" | "approvalPolicy.set";

export function isApprovedType(type: TransactionType): type is ApprovedType {
  return Object.hasOwn(APPROVAL_RULES, type);
}

/** How many different admins (people) a change to the organisation's key set or policy needs. */
export function keyChangeAdminsOf(policy: ApprovalPolicy | undefined): number {
  return policy?.keyChangeAdmins ?? 1;
}

/**
 * The persons who approved, each once: every cosignature must be by an active key of the
 * signer's organisation whose role may approve (`roleOk`), held by another person than the
 * signer's key, and verify.
 */
export function approvingHolders(
  view: StateView,
  context: TransitionContext,
  signerKey: Pick<SigningKey, "orgId" | "holderUserId">,
  roleOk: (role: KeyRole) => boolean,
): { holders: Set<string> } | Failure<ApprovalCode> {
  const holders = new Set<string>();
  for (const cosignature of context.signed.cosignatures) {
    if (cosignature.orgId !== signerKey.orgId) return fail("approval_wrong_organisation", `${cosignature.orgId} cannot approve for ${signerKey.orgId}`);
    const key = view.getKey(cosignature.keyId);
    if (key === undefined || key.orgId !== signerKey.orgId || key.status !== "active") {
      return fail("approver_key_not_active", `${cosignature.keyId} is not an active key of ${signerKey.orgId}`);
    }
    if (!roleOk(key.role)) return fail("cosigner_role_not_allowed", `${key.role} key ${key.keyId} cannot approve this`);
    if (key.holderUserId === signerKey.holderUserId) return fail("approval_by_signer", `${key.holderUserId} prepared it and cannot approve it`);
    const publicKey = hexToBytes(key.publicKeyHex, 32);
    if (!checkCosignature(context.signed, cosignature, publicKey, context.verifier).ok) return fail("approval_invalid", `cosignature by ${key.keyId}`);
    holders.add(key.holderUserId);
  }
  return { holders };
}

/** The approvals of a transaction of a kind in APPROVAL_RULES, once its transition succeeded. */
export function checkApprovals(view: StateView, transaction: LedgerEnvelope<ApprovedType>, context: TransitionContext): Failure<ApprovalCode> | undefined {
  const signerKey = view.getKey(transaction.signer.keyId);
  if (signerKey === undefined) return fail("approver_key_not_active", "the signer's key is not loaded");
  const rule = APPROVAL_RULES[transaction.type] as ApprovalRule<ApprovedType>;
  const policy = view.getApprovalPolicy(transaction.signer.orgId);
  const roleOk = rule.needs === "admins" ? (role: KeyRole) => role === "admin" : roleMayApprove;
  const approved = approvingHolders(view, context, signerKey, roleOk);
  if (!("holders" in approved)) return approved;
  if (rule.needs === "admins") {
    const needed = keyChangeAdminsOf(policy);
    // The signer is one admin (roles.ts); the others cosign.
    if (1 + approved.holders.size < needed) return fail("approval_missing", `${1 + approved.holders.size} of ${needed} admins`);
    return undefined;
  }
  const threshold = policy?.approvalAboveMinor ?? null;
  if (threshold === null) return undefined;
  const amountMinor = rule.amountOf(view, transaction);
  if (amountMinor > threshold && approved.holders.size === 0) return fail("approval_missing", `${amountMinor} is above ${threshold}: an approver must cosign`);
  return undefined;
}

/** approvalPolicy.set: the organisation's new rules replace its old ones (the admins were counted by checkApprovals). */
export function applyApprovalPolicySet(
  _view: StateView,
  transaction: LedgerEnvelope<"approvalPolicy.set">,
  context: TransitionContext,
): Outcome<CodeIn<typeof APPROVAL_POLICY_SET_CODES>> {
  const { body, signer } = transaction;
  const policy: ApprovalPolicy = { orgId: signer.orgId, approvalAboveMinor: body.approvalAboveMinor, keyChangeAdmins: body.keyChangeAdmins, createdTxId: context.txId };
  return succeed([{ kind: "approvalPolicy", value: policy }], [{ type: "approvalPolicy.set", orgId: signer.orgId, approvalAboveMinor: body.approvalAboveMinor, keyChangeAdmins: body.keyChangeAdmins }]);
}
