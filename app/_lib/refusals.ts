/**
 * What to tell a person when the ledger refuses a transaction: what happened and what to do
 * next. Codes come from contracts/ledger/codes.ts; an unknown code falls back to its name.
 */
const MESSAGES: Record<string, string> = {
  claim_not_found: "This claim does not exist on the ledger. Refresh the page and pick it again.",
  claim_not_held: "This claim is no longer held: it was split, pledged, financed or settled in the meantime. Refresh to see its current state.",
  claim_not_held_by_signer: "Your organisation does not hold this claim (any more). Refresh to see who holds it.",
  claim_not_offered: "This offer is no longer open: it was already accepted, rejected or withdrawn.",
  claim_not_offered_to_signer: "This offer was made to another organisation.",
  claim_is_pledged: "The claim is pledged to a lender; ask the lender to release it first.",
  claim_in_financing: "A financing request for this claim is open; finish or decline it first.",
  claim_already_financed: "This claim has already been financed once; it cannot be financed again.",
  claim_matured: "The claim has reached maturity: it can no longer be split, transferred, pledged or financed.",
  split_amounts_do_not_sum: "The parts must add up exactly to the claim's amount. Adjust the parts so the remainder is ¥0.00.",
  split_part_not_positive: "Every part must be at least ¥0.01.",
  split_changes_nothing: "Give at least one part to another organisation, or split into two or more parts.",
  recipient_not_supplier: "Claims can only be passed to approved suppliers on the ledger. Pick a recipient from the directory.",
  organisation_not_found: "The recipient has no signing key on the ledger yet. Ask them to register one first.",
  credit_line_insufficient: "The credit line does not have enough available credit for this amount.",
  credit_line_frozen: "The lender has frozen this credit line. Contact the lender.",
  credit_line_expired: "This credit line has expired. Ask the lender for a new one.",
  credit_line_not_found: "Pick one of your credit lines.",
  maturity_not_in_future: "The maturity date must be in the future.",
  signer_key_unknown: "Your signing key is not registered on the ledger yet. Open Signing keys and wait for the operator's approval.",
  signer_key_revoked: "Your signing key was revoked. Create a new one on the Signing keys page.",
  signer_key_wrong_organisation: "This signing key belongs to another organisation.",
  signature_invalid: "The signature did not verify. Unlock your key again and retry.",
  nonce_reused: "This transaction was already used. Try the action again.",
  created_at_out_of_range: "Your computer's clock is off by more than a day. Fix the clock and retry.",
  transaction_id_conflict: "This transaction is already on the ledger with different signatures.",
  malformed_transaction: "The transaction was malformed. Reload the page and try again.",
  policy_not_found: "This lender has no such auto-financing policy. Reload the page for its current offers.",
  policy_not_active: "The lender changed or withdrew this policy a moment ago. Reload the page for its current terms.",
  policy_terms_changed: "The lender's terms changed since the page was loaded. Reload the page for the current quote.",
  policy_amount_exceeded: "This piece is larger than the lender finances automatically. Split off a smaller piece or apply for a manual decision.",
  policy_depth_exceeded: "This piece is further down the chain than the lender finances automatically. Apply for a manual decision instead.",
  policy_not_for_claim: "This policy covers another core enterprise's claims.",
  disbursement_date_not_today: "The quote was for another day. Reload the page for today's quote.",
  policy_max_amount_not_positive: "Set the largest piece to at least ¥0.01.",
  signer_not_policy_lender: "Only the lender that set this policy can revoke it.",
  net_proceeds_not_positive: "The fee would leave nothing to pay out at this amount. Lower the fee.",
};

export function refusalMessage(code: string, detail?: string): string {
  return MESSAGES[code] ?? `The ledger refused the transaction (${code.replaceAll("_", " ")})${detail ? `: ${detail}` : ""}.`;
}
