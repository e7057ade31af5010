/**
 * Result codes of applyTransaction, in the order the checks run.
 *
 * Every transaction first goes through the envelope and signer checks (SIGNER_CHECKS;
 * key.register has its own variant because its signer key is not on the ledger yet), then
 * through the checks of its type. CHECK_ORDER lists, per type, every code that type can
 * return, in check order; RESULT_CODES is the union of all of them. The first failing
 * check decides the code.
 */
import type { TransactionType } from "./types";

export const SIGNER_CHECKS = [
  "malformed_transaction",
  "created_at_out_of_range",
  "signer_key_unknown",
  "signer_key_wrong_organisation",
  "signer_key_revoked",
  "signature_invalid",
  "nonce_reused",
] as const;

/** Every type but key.register and key.rotate refuses cosignatures after the signer checks. */
const NO_COSIGNATURES = [...SIGNER_CHECKS, "unexpected_cosignature"] as const;

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

export const CHECK_ORDER = {
  "key.register": [
    "malformed_transaction",
    "created_at_out_of_range",
    "public_key_invalid",
    "key_id_mismatch",
    "registration_not_self_signed",
    "signer_key_wrong_organisation",
    "signature_invalid",
    "nonce_reused",
    "key_already_registered",
    "genesis_requires_operator",
    "unexpected_cosignature",
    "operator_cosignature_missing",
    "operator_cosignature_invalid",
    "organisation_role_mismatch",
  ],
  "key.rotate": [
    ...SIGNER_CHECKS,
    "rotation_not_signed_by_old_key",
    "public_key_invalid",
    "key_id_mismatch",
    "key_already_registered",
    "unexpected_cosignature",
    "new_key_cosignature_missing",
    "new_key_cosignature_invalid",
  ],
  "key.revoke": [
    ...NO_COSIGNATURES,
    "key_not_found",
    "key_wrong_organisation",
    "revoke_not_authorised",
    "key_already_revoked",
  ],
  "creditLine.grant": [
    ...NO_COSIGNATURES,
    "signer_not_lender",
    "organisation_not_found",
    "recipient_not_core_enterprise",
    "credit_line_limit_not_positive",
    "credit_line_expiry_not_in_future",
  ],
  "creditLine.adjust": [...NO_COSIGNATURES, ...CREDIT_LINE_LENDER, "credit_line_expired", "credit_line_limit_below_used"],
  "creditLine.freeze": [...NO_COSIGNATURES, ...CREDIT_LINE_LENDER, "credit_line_expired", "credit_line_freeze_unchanged"],
  "creditLine.expire": [...NO_COSIGNATURES, ...CREDIT_LINE_LENDER, "credit_line_already_expired"],
  "claim.issue": [
    ...NO_COSIGNATURES,
    "signer_not_core_enterprise",
    "credit_line_not_found",
    "credit_line_not_owned_by_signer",
    "credit_line_frozen",
    "credit_line_expired",
    "amount_not_positive",
    "credit_line_insufficient",
    "maturity_not_in_future",
    "organisation_not_found",
    "recipient_not_supplier",
  ],
  "claim.accept": [...NO_COSIGNATURES, ...OFFER_ANSWER],
  "claim.reject": [...NO_COSIGNATURES, ...OFFER_ANSWER],
  "claim.withdraw": [
    ...NO_COSIGNATURES,
    "claim_not_found",
    "claim_not_offered",
    "claim_not_held_by_signer",
    "claim_matured",
  ],
  "claim.split": [
    ...NO_COSIGNATURES,
    ...HELD_BY_SIGNER,
    "split_part_not_positive",
    "split_amounts_do_not_sum",
    "split_changes_nothing",
    "organisation_not_found",
    "recipient_not_supplier",
  ],
  "claim.pledge": [...NO_COSIGNATURES, ...HELD_BY_SIGNER, "organisation_not_found", "pledgee_not_lender"],
  "claim.release": [...NO_COSIGNATURES, "claim_not_found", "claim_not_pledged", "signer_not_pledgee", "claim_matured"],
  "claim.markOverdue": [
    ...NO_COSIGNATURES,
    "signer_not_operator",
    "claim_not_found",
    "claim_not_root",
    "claim_not_matured",
    "nothing_overdue",
  ],
  "financingPolicy.set": [
    ...NO_COSIGNATURES,
    "signer_not_lender",
    "organisation_not_found",
    "recipient_not_core_enterprise",
    "policy_max_amount_not_positive",
  ],
  "financingPolicy.revoke": [...NO_COSIGNATURES, "policy_not_found", "signer_not_policy_lender", "policy_not_active"],
  "financing.request": [
    ...NO_COSIGNATURES,
    "claim_not_found",
    ...FINANCEABLE,
    "organisation_not_found",
    "financier_not_lender",
  ],
  "financing.requestUnderPolicy": [
    ...NO_COSIGNATURES,
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
  ],
  "financing.offer": [
    ...NO_COSIGNATURES,
    "financing_not_found",
    "signer_not_financier",
    "financing_not_awaiting_offer",
    "claim_matured",
    "financing_claim_changed",
    "disbursement_date_in_past",
    "financing_days_not_positive",
    "net_proceeds_not_positive",
  ],
  "financing.accept": [
    ...NO_COSIGNATURES,
    "financing_not_found",
    "signer_not_financing_holder",
    "financing_not_offered",
    "claim_matured",
    "financing_claim_changed",
    "financing_offer_expired",
  ],
  "financing.decline": [
    ...NO_COSIGNATURES,
    "financing_not_found",
    "signer_not_financing_party",
    "financing_closed",
  ],
  "financing.disburse": [
    ...NO_COSIGNATURES,
    "financing_not_found",
    "signer_not_financier",
    "financing_not_accepted",
    "claim_matured",
    "financing_claim_changed",
    "financing_offer_expired",
  ],
  "repayment.record": [
    ...NO_COSIGNATURES,
    "claim_not_found",
    "claim_not_root",
    "signer_not_issuer",
    "claim_not_issued",
    "amount_not_positive",
    "repayment_exceeds_outstanding",
  ],
} as const satisfies Record<TransactionType, readonly string[]>;

/** Every failure code applyTransaction can return. */
export type ResultCode = (typeof CHECK_ORDER)[TransactionType][number];

/** All result codes, each once, in the order they first appear walking CHECK_ORDER. */
export const RESULT_CODES: readonly ResultCode[] = [
  ...new Set(Object.values(CHECK_ORDER).flat() as ResultCode[]),
];

/** Codes a transition of type K may return (used to type each transition). */
export type CodeOf<K extends TransactionType> = (typeof CHECK_ORDER)[K][number];
