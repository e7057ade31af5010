/**
 * Result codes of applyTransaction, in the order the checks run.
 *
 * Every transaction first goes through the envelope and signer checks (SIGNER_CHECKS;
 * key.register has its own variant because its signer key is not on the ledger yet), then
 * through the checks of its type. Each list below is every code one type can return, in
 * check order; the type's descriptor (kinds/) names its list, and CHECK_ORDER and
 * RESULT_CODES are derived from the descriptors. The first failing check decides the code.
 *
 * The lists live here rather than in the descriptors because the transitions are typed by
 * them and the descriptors import the transitions: codes first, transitions next,
 * descriptors last, and no import goes back.
 */

export const SIGNER_CHECKS = [
  "malformed_transaction",
  "network_id_mismatch",
  "created_at_out_of_range",
  "signer_key_unknown",
  "signer_key_wrong_organisation",
  "signer_key_revoked",
  "signature_invalid",
  "nonce_reused",
] as const;

/**
 * The signer checks and then the role check (roles.ts): every type whose row in the roles
 * table leaves some role out. key.rotate, which any role signs for its own key, has none.
 */
const ROLE_CHECKED = [...SIGNER_CHECKS, "signer_role_not_allowed", "operator_key_outside_role"] as const;

/**
 * The checks of the approvals (cosignatures) of a kind that takes them (approvals.ts), run
 * after the kind's own checks: they are last in its list.
 */
export const APPROVAL_CHECKS = [
  "approval_wrong_organisation",
  "approver_key_not_active",
  "cosigner_role_not_allowed",
  "approval_by_signer",
  "approval_invalid",
  "approval_missing",
] as const;

/** Every type but key.register, key.rotate and the approved kinds (approvals.ts) refuses cosignatures after the signer checks. */
const NO_COSIGNATURES = [...ROLE_CHECKED, "unexpected_cosignature"] as const;

const CREDIT_LINE_LENDER = ["credit_line_not_found", "signer_not_credit_line_lender"] as const;
const OFFER_ANSWER = ["claim_not_found", "claim_not_offered", "claim_not_offered_to_signer", "claim_matured"] as const;
const HELD_BY_SIGNER = [
  "claim_not_found",
  "claim_not_held_by_signer",
  "claim_is_pledged",
  "claim_not_held",
  "claim_in_financing",
  "claim_matured",
] as const;

/** What every application checks of the claim, once it is found (financing.ts checkFinanceable). */
const FINANCEABLE = [
  "claim_not_held_by_signer",
  "claim_already_financed",
  "claim_in_financing",
  "claim_pledged_to_other_lender",
  "claim_not_held",
  "claim_matured",
] as const;

/** key.register */
export const KEY_REGISTER_CODES = [
  "malformed_transaction",
  "network_id_mismatch",
  "created_at_out_of_range",
  "public_key_invalid",
  "key_id_mismatch",
  "registration_not_self_signed",
  "signer_key_wrong_organisation",
  "signature_invalid",
  "nonce_reused",
  "key_already_registered",
  "operator_role_outside_operator",
  "genesis_requires_operator",
  "first_key_not_admin",
  "key_set_change_by_operator",
  "unexpected_cosignature",
  "operator_cosignature_missing",
  "operator_key_outside_role",
  "operator_cosignature_invalid",
  "organisation_approval_missing",
  "cosigner_role_not_allowed",
  "organisation_approval_invalid",
  "organisation_role_mismatch",
] as const;

/** key.rotate */
export const KEY_ROTATE_CODES = [
  ...SIGNER_CHECKS,
  "key_set_change_by_operator",
  "rotation_not_signed_by_old_key",
  "public_key_invalid",
  "key_id_mismatch",
  "key_already_registered",
  "unexpected_cosignature",
  "new_key_cosignature_missing",
  "new_key_cosignature_invalid",
] as const;

/** key.revoke */
export const KEY_REVOKE_CODES = [
  ...ROLE_CHECKED,
  "key_not_found",
  "key_wrong_organisation",
  "key_set_change_by_operator",
  "revoke_not_authorised",
  "key_already_revoked",
  "last_admin_key",
  "last_operator_role_key",
  ...APPROVAL_CHECKS,
] as const;

/** approvalPolicy.set */
export const APPROVAL_POLICY_SET_CODES = [...ROLE_CHECKED, ...APPROVAL_CHECKS] as const;

/** creditLine.grant */
export const CREDIT_LINE_GRANT_CODES = [
  ...ROLE_CHECKED,
  "credit_line_terms_hidden",
  "signer_not_lender",
  "organisation_not_found",
  "recipient_not_core_enterprise",
  "credit_line_limit_not_positive",
  "credit_line_expiry_not_in_future",
  ...APPROVAL_CHECKS,
] as const;

/** creditLine.adjust */
export const CREDIT_LINE_ADJUST_CODES = [...ROLE_CHECKED, "credit_line_terms_hidden", ...CREDIT_LINE_LENDER, "credit_line_expired", "credit_line_limit_below_used", ...APPROVAL_CHECKS] as const;

/** creditLine.freeze */
export const CREDIT_LINE_FREEZE_CODES = [...NO_COSIGNATURES, ...CREDIT_LINE_LENDER, "credit_line_expired", "credit_line_freeze_unchanged"] as const;

/** creditLine.expire */
export const CREDIT_LINE_EXPIRE_CODES = [...NO_COSIGNATURES, ...CREDIT_LINE_LENDER, "credit_line_already_expired"] as const;

/** claim.issue */
export const CLAIM_ISSUE_CODES = [
  ...ROLE_CHECKED,
  "signer_not_core_enterprise",
  "credit_line_not_found",
  "credit_line_not_owned_by_signer",
  "credit_line_frozen",
  "credit_line_expired",
  "amount_not_positive",
  "trade_reference_malformed",
  "credit_line_insufficient",
  "maturity_not_in_future",
  "organisation_not_found",
  "recipient_not_supplier",
  "invoice_backs_live_issuance",
  ...APPROVAL_CHECKS,
] as const;

/** claim.accept */
export const CLAIM_ACCEPT_CODES = [...NO_COSIGNATURES, ...OFFER_ANSWER] as const;

/** claim.reject */
export const CLAIM_REJECT_CODES = [...NO_COSIGNATURES, ...OFFER_ANSWER] as const;

/** claim.withdraw */
export const CLAIM_WITHDRAW_CODES = [
  ...NO_COSIGNATURES,
  "claim_not_found",
  "claim_not_offered",
  "claim_not_held_by_signer",
  "claim_matured",
] as const;

/** claim.split */
export const CLAIM_SPLIT_CODES = [
  ...NO_COSIGNATURES,
  ...HELD_BY_SIGNER,
  "split_commitment_invalid",
  "split_part_redacted",
  "split_part_not_positive",
  "split_amounts_do_not_sum",
  "split_changes_nothing",
  "organisation_not_found",
  "recipient_not_supplier",
] as const;

/** claim.pledge */
export const CLAIM_PLEDGE_CODES = [...NO_COSIGNATURES, ...HELD_BY_SIGNER, "organisation_not_found", "pledgee_not_lender"] as const;

/** claim.release */
export const CLAIM_RELEASE_CODES = [...NO_COSIGNATURES, "claim_not_found", "claim_not_pledged", "signer_not_pledgee", "claim_matured"] as const;

/** claim.markOverdue */
export const CLAIM_MARK_OVERDUE_CODES = [
  ...NO_COSIGNATURES,
  "signer_not_operator",
  "claim_not_found",
  "claim_not_root",
  "claim_not_matured",
  "nothing_overdue",
] as const;

/** financingPolicy.set */
export const FINANCING_POLICY_SET_CODES = [
  ...ROLE_CHECKED,
  "financing_terms_hidden",
  "signer_not_lender",
  "organisation_not_found",
  "recipient_not_core_enterprise",
  "policy_max_amount_not_positive",
  ...APPROVAL_CHECKS,
] as const;

/** financingPolicy.revoke */
export const FINANCING_POLICY_REVOKE_CODES = [...NO_COSIGNATURES, "policy_not_found", "signer_not_policy_lender", "policy_not_active"] as const;

/** financing.request */
export const FINANCING_REQUEST_CODES = [
  ...NO_COSIGNATURES,
  "claim_not_found",
  ...FINANCEABLE,
  "organisation_not_found",
  "financier_not_lender",
] as const;

/** financing.requestUnderPolicy */
export const FINANCING_REQUEST_UNDER_POLICY_CODES = [
  ...NO_COSIGNATURES,
  "financing_terms_hidden",
  "claim_not_found",
  "policy_not_found",
  ...FINANCEABLE,
  "policy_not_active",
  "policy_not_for_claim",
  "policy_amount_exceeded",
  "policy_depth_exceeded",
  "policy_terms_changed",
  "disbursement_date_not_today",
  "net_proceeds_not_positive",
] as const;

/** financing.offer */
export const FINANCING_OFFER_CODES = [
  ...ROLE_CHECKED,
  "financing_terms_hidden",
  "financing_not_found",
  "signer_not_financier",
  "checkpoint_unknown",
  "financing_not_awaiting_offer",
  "claim_matured",
  "financing_claim_changed",
  "disbursement_date_in_past",
  "financing_days_not_positive",
  "net_proceeds_not_positive",
  ...APPROVAL_CHECKS,
] as const;

/** financing.accept */
export const FINANCING_ACCEPT_CODES = [
  ...NO_COSIGNATURES,
  "financing_not_found",
  "signer_not_financing_holder",
  "financing_not_offered",
  "claim_matured",
  "financing_claim_changed",
  "financing_offer_expired",
] as const;

/** financing.decline */
export const FINANCING_DECLINE_CODES = [
  ...NO_COSIGNATURES,
  "financing_terms_hidden",
  "financing_not_found",
  "signer_not_financing_party",
  "financing_closed",
] as const;

/** financing.disburse */
export const FINANCING_DISBURSE_CODES = [
  ...NO_COSIGNATURES,
  "financing_terms_hidden",
  "financing_not_found",
  "signer_not_financier",
  "checkpoint_unknown",
  "financing_not_accepted",
  "claim_matured",
  "financing_claim_changed",
  "financing_offer_expired",
] as const;

/** repayment.record */
export const REPAYMENT_RECORD_CODES = [
  ...NO_COSIGNATURES,
  "claim_not_found",
  "claim_not_root",
  "signer_not_issuer",
  "claim_not_issued",
  "amount_not_positive",
  "repayment_exceeds_outstanding",
] as const;

/** The codes of one list, as a union: what a transition typed by that list may return. */
export type CodeIn<L extends readonly string[]> = L[number];
