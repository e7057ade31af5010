/**
 * A refusal: the one shape in which the ledger says no, from the service (submitBatch) to
 * the browser. It carries the result code (the contracts' codes plus the service's own:
 * transaction_id_conflict) and the text a person reads, looked up by that code in one
 * table. The table is a Record over the code union, so a code without a text, or a text
 * for a code that does not exist, does not compile.
 *
 * Isomorphic and pure like the rest of contracts/: the server attaches the text to the
 * answer, and the browser looks it up by code with the same table.
 */
import type { ResultCode } from "./kinds";

export type RefusalCode = ResultCode | "transaction_id_conflict";

export interface Refusal {
  status: "refused";
  /** Null when the transaction could not be decoded, so it has no id. */
  txId: string | null;
  code: RefusalCode;
  /** What to tell a person: what happened and what to do next. */
  text: string;
  /** Machine detail from the check that failed (amounts, states), for logs and support. */
  detail?: string;
}

/** What to tell a person when the ledger refuses a transaction, by result code. */
export const REFUSAL_TEXTS: Readonly<Record<RefusalCode, string>> = {
  malformed_transaction: "The transaction was malformed. Reload the page and try again.",
  network_id_mismatch: "The transaction was signed for another network (deployment) of the platform. Reload the page and sign it again here.",
  created_at_out_of_range: "The transaction was signed more than a day away from the ledger's clock. Check your computer's clock and sign again; a key request signed more than a day ago must be signed again by its organisation on the Signing keys page.",
  public_key_invalid: "The public key is not a valid Ed25519 key. Create the key again on the Signing keys page.",
  key_id_mismatch: "The key id does not match the public key. Create the key again on the Signing keys page.",
  registration_not_self_signed: "A key registration must be signed by the key it registers, for its own organisation.",
  signer_key_wrong_organisation: "This signing key belongs to another organisation.",
  signature_invalid: "The signature did not verify. Unlock your key again and retry.",
  nonce_reused: "This transaction was already used. Try the action again.",
  signer_role_not_allowed: "Your signing key's role does not allow this action: credit decisions and changes to keys need an admin's key. Ask a colleague whose key has the right role, or an admin to register a key with that role for you.",
  first_key_not_admin: "An organisation's first key must be an admin key, so that the organisation can confirm its further keys itself.",
  cosigner_role_not_allowed: "The cosigning key's role cannot approve this: a new key needs an admin's key, an approval an approver's or an admin's key. Ask a colleague with that role to confirm it.",
  approval_wrong_organisation: "An approval must come from a key of your own organisation; another organisation's key cannot approve for you.",
  approver_key_not_active: "The approving key is not an active key of your organisation (it was revoked, or never registered). Ask another approver to approve.",
  approval_by_signer: "The person who prepared this transaction cannot also approve it. Another approver of your organisation must approve it.",
  approval_invalid: "The approver's signature did not verify. Ask the approver to unlock the key and approve again.",
  approval_missing: "Your organisation's approval policy requires a second person for this: an approver's approval above the set amount, or another admin for changes to keys and the policy. Send it for approval.",
  key_already_registered: "This key is already registered on the ledger.",
  genesis_requires_operator: "The first key on the ledger must be the platform operator's.",
  unexpected_cosignature: "This transaction must not carry cosignatures. Sign it again without them.",
  operator_cosignature_missing: "A key registration needs the platform operator's cosignature. Wait for the operator's approval.",
  operator_cosignature_invalid: "The platform operator's cosignature did not verify. Ask the operator to approve the request again.",
  key_set_change_by_operator: "The platform operator cannot add, rotate or revoke another organisation's keys: only the organisation's own admin keys can. An admin of the organisation must confirm this change with an active key.",
  organisation_approval_missing: "A new key for an organisation that already has keys must be confirmed by one of its active admin keys. Ask an admin of your organisation to confirm the request on the Signing keys page.",
  organisation_approval_invalid: "The confirmation by your organisation's admin key did not verify. Ask the admin to unlock the key and confirm again.",
  organisation_role_mismatch: "The registration names another role than the organisation has on the platform. Reload the page and try again.",
  signer_key_unknown: "Your signing key is not registered on the ledger yet. Open Signing keys and wait for the operator's approval.",
  signer_key_revoked: "Your signing key was revoked. Create a new one on the Signing keys page.",
  rotation_not_signed_by_old_key: "A key rotation must be signed by the key it replaces.",
  new_key_cosignature_missing: "A key rotation must also be signed by the new key.",
  new_key_cosignature_invalid: "The new key's signature on the rotation did not verify. Unlock both keys and retry.",
  key_not_found: "This key is not on the ledger. Refresh the Signing keys page.",
  key_wrong_organisation: "This key belongs to another organisation.",
  revoke_not_authorised: "Only the organisation itself may revoke its keys, with one of its active keys.",
  key_already_revoked: "This key was already revoked.",
  operator_key_outside_role: "This platform operator key has another duty: checkpoints, onboarding approvals and overdue marks each have their own operator key. The operator must use the key that holds this role.",
  operator_role_outside_operator: "Checkpoint, onboarding and overdue keys belong to the platform operator only. Register a maker, approver or admin key instead.",
  last_admin_key: "This is your organisation's last active admin key: without it nobody could confirm or revoke keys again. Register another admin key first, or rotate this one.",
  last_operator_role_key: "This is the operator's last active key for its role. Register its successor first, or rotate the key.",
  signer_not_lender: "Only lenders grant credit lines.",
  organisation_not_found: "The recipient has no signing key on the ledger yet. Ask them to register one first.",
  recipient_not_core_enterprise: "Credit lines go to core enterprises only. Pick a core enterprise from the list.",
  credit_line_limit_not_positive: "The limit must be at least ¥0.01.",
  credit_line_expiry_not_in_future: "The expiry date must be in the future. Pick a later date.",
  credit_line_not_found: "This credit line is not on the ledger. Refresh the page and pick it again.",
  signer_not_credit_line_lender: "This credit line was granted by another lender; only that lender can change it.",
  credit_line_expired: "This credit line has expired. Ask the lender for a new one.",
  credit_line_limit_below_used: "The new limit is below what the core enterprise has already used on this line. Enter at least the used amount, or freeze the line to stop new issuance.",
  credit_line_freeze_unchanged: "The line is already in that state (someone may have changed it meanwhile). Refresh to see its current status.",
  credit_line_already_expired: "This credit line has already expired. Grant a new line if the core enterprise needs credit again.",
  signer_not_core_enterprise: "Only core enterprises issue claims and record repayments.",
  credit_line_not_owned_by_signer: "This credit line was granted to another core enterprise. Pick one of your own credit lines.",
  credit_line_frozen: "The lender has frozen this credit line. Contact the lender.",
  amount_not_positive: "The amount must be at least ¥0.01.",
  trade_reference_malformed:
    "The trade-document reference may hold 1 to 80 letters, digits, single spaces and the marks of document numbers (- _ / . # : , and brackets), starting and ending with a letter or digit.",
  credit_line_insufficient: "The credit line does not have enough available credit for this amount.",
  maturity_not_in_future: "The maturity date must be in the future.",
  recipient_not_supplier: "Claims can only be passed to approved suppliers on the ledger. Pick a recipient from the directory.",
  invoice_backs_live_issuance: "This invoice already backs an issuance that is not yet repaid or cancelled. Check the invoice file; one invoice can back a new issuance only once the earlier one is repaid in full, withdrawn or rejected.",
  claim_not_found: "This claim does not exist on the ledger. Refresh the page and pick it again.",
  claim_not_offered: "This offer is no longer open: it was already accepted, rejected or withdrawn.",
  claim_not_offered_to_signer: "This offer was made to another organisation.",
  claim_matured: "The claim has reached maturity: it can no longer be split, transferred, pledged or financed.",
  claim_not_held_by_signer: "Your organisation does not hold this claim (any more). Refresh to see who holds it.",
  claim_is_pledged: "The claim is pledged to a lender; ask the lender to release it first.",
  claim_not_held: "This claim is no longer held: it was split, pledged, financed or settled in the meantime. Refresh to see its current state.",
  claim_in_financing: "A financing request for this claim is open; finish or decline it first.",
  split_commitment_invalid: "The split's commitments are malformed. Reload the page and split again.",
  split_part_redacted: "Every part of a split must be given in full. Reload the page and split again.",
  credit_line_terms_hidden: "A credit line's limit and expiry must be given in full. Reload the page and sign again.",
  financing_terms_hidden: "A financing's terms (rate, fee, dates, reference or reason) must be given in full. Reload the page and sign again.",
  split_part_not_positive: "Every part must be at least ¥0.01.",
  split_amounts_do_not_sum: "The parts must add up exactly to the claim's amount. Adjust the parts so the remainder is ¥0.00.",
  split_changes_nothing: "Give at least one part to another organisation, or split into two or more parts.",
  pledgee_not_lender: "Claims can only be pledged to a lender. Pick a lender from the list.",
  claim_not_pledged: "This claim is not pledged (any more): it was released or financed meanwhile. Refresh to see its current state.",
  signer_not_pledgee: "Only the lender the claim is pledged to can release it.",
  signer_not_operator: "Only the platform operator can do this.",
  claim_not_root: "Repayments are recorded on the whole issuance, not on one of its pieces. Open the issuance and record it there.",
  claim_not_matured: "This claim has not reached its maturity date yet, so it cannot be marked overdue.",
  nothing_overdue: "Nothing of this issuance is overdue: every piece is settled or not yet at maturity.",
  policy_max_amount_not_positive: "Set the largest piece to at least ¥0.01.",
  policy_not_found: "This lender has no such auto-financing policy. Reload the page for its current offers.",
  signer_not_policy_lender: "Only the lender that set this policy can revoke it.",
  policy_not_active: "The lender changed or withdrew this policy a moment ago. Reload the page for its current terms.",
  claim_already_financed: "This claim has already been financed once; it cannot be financed again.",
  claim_pledged_to_other_lender: "The claim is pledged to another lender; ask that lender to release it first.",
  financier_not_lender: "Financing can only be requested from a lender on the ledger. Pick a lender from the list.",
  policy_not_for_claim: "This policy covers another core enterprise's claims.",
  policy_amount_exceeded: "This piece is larger than the lender finances automatically. Split off a smaller piece or apply for a manual decision.",
  policy_depth_exceeded: "This piece is further down the chain than the lender finances automatically. Apply for a manual decision instead.",
  policy_terms_changed: "The lender's terms changed since the page was loaded. Reload the page for the current quote.",
  disbursement_date_not_today: "The quote was for another day. Reload the page for today's quote.",
  net_proceeds_not_positive: "The fee would leave nothing to pay out at this amount. Lower the fee.",
  financing_not_found: "This financing is not on the ledger. Refresh the page and pick it again.",
  signer_not_financier: "Only the lender that financed this claim can confirm its disbursement.",
  checkpoint_unknown: "The decision names a checkpoint the ledger never published. Reload the page so the check runs against a current checkpoint, then decide again.",
  financing_not_awaiting_offer: "This application is no longer waiting for an offer: it was already answered.",
  financing_claim_changed: "The claim behind this financing changed meanwhile (split, transferred or pledged). Refresh to see its current state.",
  disbursement_date_in_past: "The disbursement date has passed. Pick today or a later date.",
  financing_days_not_positive: "The disbursement date must be before the claim's maturity date.",
  signer_not_financing_holder: "Only the holder that applied for this financing can answer its offer or withdraw it.",
  financing_not_offered: "There is no open offer on this financing to accept. Refresh to see its current state.",
  financing_offer_expired: "The offer expired: its disbursement date has passed. Ask the lender for a new offer.",
  signer_not_financing_party: "Only the holder or the lender of this financing can do this.",
  financing_closed: "This financing is already closed: it was declined, withdrawn or disbursed.",
  financing_not_accepted: "The holder has not accepted the offer yet, so it cannot be disbursed.",
  signer_not_issuer: "Only the core enterprise that issued this claim can do this.",
  claim_not_issued: "The tier-1 supplier has not accepted this issuance (it is still offered, or was rejected or withdrawn), so nothing is owed on it yet.",
  repayment_exceeds_outstanding: "The repayment is more than what is still owed on this issuance. Enter at most the outstanding amount.",
  transaction_id_conflict: "This transaction is already on the ledger with different signatures.",
};

export function refusalText(code: RefusalCode): string {
  return REFUSAL_TEXTS[code];
}

export function refusal(txId: string | null, code: RefusalCode, detail?: string): Refusal {
  return detail ? { status: "refused", txId, code, text: REFUSAL_TEXTS[code], detail } : { status: "refused", txId, code, text: REFUSAL_TEXTS[code] };
}
