/**
 * Financing of one claim by one lender: request (holder) -> offer (lender, priced by
 * contracts/pricing.ts) -> accept (holder) -> disburse (lender). Under an auto-financing
 * policy, requestUnderPolicy (holder) goes straight to accepted, and the disbursement may be
 * confirmed by the platform's settlement agent. Either party may decline
 * before disbursement. While a financing is open the claim is locked (activeFinancingId),
 * and a claim is financed at most once (financedOnce).
 */
import { deriveId } from "../canonical";
import { quoteFinancing } from "../pricing";
import type { CodeIn, FINANCING_ACCEPT_CODES, FINANCING_DECLINE_CODES, FINANCING_DISBURSE_CODES, FINANCING_OFFER_CODES, FINANCING_REQUEST_CODES, FINANCING_REQUEST_UNDER_POLICY_CODES } from "./codes";
import { isMatured, outstandingMinor } from "./claims";
import { beijingDate } from "./maturity";
import { fail, invariant, InvariantViolation, succeed, type Failure, type Outcome, type Success, type TransitionContext } from "./outcome";
import { HIDDEN_DISBURSEMENT_DATE } from "../terms-commitments";
import type { StateView } from "./state";
import type { Claim, Financing, FinancingPolicy, FinancingRequestUnderPolicyBody, LedgerEnvelope, StateChange } from "./types";

type ClaimCheck<C extends string> = { ok: true; claim: Claim } | Failure<C>;

/**
 * Whether a body shows its terms only as their commitment (terms-commitments.ts): true only in
 * a provenance replay of another lender's financing, whose checks that need the terms (pricing,
 * the day of disbursement) it skips; the witnesses' full replay made them. Everywhere else such a
 * body is refused, before anything else of the kind is checked.
 */
function termsHidden(body: { termsCommitmentHex?: string }, context: TransitionContext): Failure<"financing_terms_hidden"> | boolean {
  if (body.termsCommitmentHex === undefined) return false;
  return context.partialReplay === true ? true : fail("financing_terms_hidden");
}

type FinanceableCode =
  | "claim_not_held_by_signer"
  | "claim_already_financed"
  | "claim_in_financing"
  | "claim_pledged_to_other_lender"
  | "claim_not_held"
  | "claim_matured";

/** The checks every application runs on the claim, in order, for a financing by `lenderOrgId`. */
function checkFinanceable(
  view: StateView,
  claim: Claim,
  signerOrgId: string,
  lenderOrgId: string,
  nowMs: number,
): ClaimCheck<FinanceableCode> {
  if (claim.holderOrgId !== signerOrgId) return fail("claim_not_held_by_signer");
  if (claim.financedOnce) return fail("claim_already_financed");
  if (claim.activeFinancingId !== null) return fail("claim_in_financing", claim.activeFinancingId);
  const pledge = view.getActivePledge(claim.id);
  if (claim.state === "pledged" && pledge?.lenderOrgId !== lenderOrgId) return fail("claim_pledged_to_other_lender");
  if (claim.state !== "held" && claim.state !== "pledged") return fail("claim_not_held", `state ${claim.state}`);
  if (isMatured(claim, nowMs)) return fail("claim_matured");
  return { ok: true, claim };
}

function newFinancing(id: string, claim: Claim, lenderOrgId: string, txId: string): Financing {
  return {
    id,
    claimId: claim.id,
    holderOrgId: claim.holderOrgId,
    lenderOrgId,
    status: "requested",
    faceMinor: null,
    rateBps: null,
    feeMinor: null,
    disbursementDate: null,
    interestMinor: null,
    netMinor: null,
    recourse: null,
    paymentReference: null,
    declinedByOrgId: null,
    declineReason: null,
    policyId: null,
    createdTxId: txId,
  };
}

export function applyFinancingRequest(
  view: StateView,
  transaction: LedgerEnvelope<"financing.request">,
  context: TransitionContext,
): Outcome<CodeIn<typeof FINANCING_REQUEST_CODES>> {
  const { body, signer } = transaction;
  const claim = view.getClaim(body.claimId);
  if (claim === undefined) return fail("claim_not_found");
  const financeable = checkFinanceable(view, claim, signer.orgId, body.lenderOrgId, context.nowMs);
  if (!financeable.ok) return financeable;
  const lender = view.getOrg(body.lenderOrgId);
  if (lender === undefined) return fail("organisation_not_found", body.lenderOrgId);
  if (lender.role !== "lender") return fail("financier_not_lender");
  const financing = newFinancing(deriveId("fin", context.txId, 0), claim, lender.id, context.txId);
  return succeed(
    [
      { kind: "financing", value: financing },
      { kind: "claim", value: { ...claim, activeFinancingId: financing.id } },
    ],
    [{ type: "financing.requested", financingId: financing.id, claimId: claim.id }],
  );
}

type PolicyMatchCode = CodeIn<typeof FINANCING_REQUEST_UNDER_POLICY_CODES>;

/** Why a policy does not cover a claim, in the order applyFinancingRequestUnderPolicy checks it. */
export type PolicyIneligibilityCode = Extract<
  PolicyMatchCode,
  "policy_not_active" | "policy_not_for_claim" | "policy_amount_exceeded" | "policy_depth_exceeded"
>;

/**
 * Whether `policy` covers `claim` (undefined when it does): the policy's own side of an
 * application under it, which the server also uses to show a holder its instant offers.
 */
export function policyIneligibility(policy: FinancingPolicy, claim: Claim): Failure<PolicyIneligibilityCode> | undefined {
  if (policy.status !== "active") return fail("policy_not_active", `status ${policy.status}`);
  if (policy.coreEnterpriseOrgId !== claim.issuerOrgId || policy.currency !== claim.currency) return fail("policy_not_for_claim");
  const faceMinor = outstandingMinor(claim);
  if (faceMinor > policy.maxAmountMinor) return fail("policy_amount_exceeded", `${faceMinor} > ${policy.maxAmountMinor}`);
  if (claim.depth > policy.maxDepth) return fail("policy_depth_exceeded", `depth ${claim.depth} > ${policy.maxDepth}`);
  return undefined;
}

/** Whether the policy covers this claim and the holder signed exactly its terms for today. */
function checkPolicyMatch(
  policy: FinancingPolicy,
  claim: Claim,
  body: FinancingRequestUnderPolicyBody,
  nowMs: number,
): Failure<PolicyMatchCode> | undefined {
  const ineligible = policyIneligibility(policy, claim);
  if (ineligible !== undefined) return ineligible;
  // A policy whose terms a provenance bundle hides cannot be compared; the witnesses' full replay did.
  const termsKnown = policy.termsHidden !== true;
  if (termsKnown && (body.rateBps !== policy.rateBps || body.feeMinor !== policy.feeMinor || body.recourse !== policy.recourse)) {
    return fail("policy_terms_changed");
  }
  if (body.disbursementDate !== beijingDate(nowMs)) return fail("disbursement_date_not_today");
  return undefined;
}

/**
 * An application under a lender's policy: the policy is the lender's signed standing offer
 * and the holder's signature accepts it, so the financing is priced and accepted at once,
 * waiting only for the disbursement.
 */
export function applyFinancingRequestUnderPolicy(
  view: StateView,
  transaction: LedgerEnvelope<"financing.requestUnderPolicy">,
  context: TransitionContext,
): Outcome<CodeIn<typeof FINANCING_REQUEST_UNDER_POLICY_CODES>> {
  const { body, signer } = transaction;
  const hidden = termsHidden(body, context);
  if (typeof hidden !== "boolean") return hidden;
  const claim = view.getClaim(body.claimId);
  if (claim === undefined) return fail("claim_not_found");
  const policy = view.getPolicy(body.policyId);
  if (policy === undefined) return fail("policy_not_found");
  const financeable = checkFinanceable(view, claim, signer.orgId, policy.lenderOrgId, context.nowMs);
  if (!financeable.ok) return financeable;
  const mismatch = hidden ? policyIneligibility(policy, claim) : checkPolicyMatch(policy, claim, body, context.nowMs);
  if (mismatch !== undefined) return mismatch;
  if (hidden) return acceptedUnderHiddenTerms(claim, policy, context.txId);
  const faceMinor = outstandingMinor(claim);
  // The holder signed the policy's terms (checked above unless the policy's are hidden, when the
  // witnesses checked them), so the body's price is the policy's.
  const quote = quoteFinancing({
    faceMinor,
    rateBps: body.rateBps,
    feeMinor: body.feeMinor,
    disbursementDate: body.disbursementDate,
    maturityDate: claim.maturityDate,
  });
  // Disbursed today on a claim not yet matured, so there is at least one day to price.
  if (!quote.ok) {
    if (quote.code === "net_proceeds_not_positive") return fail(quote.code);
    throw new InvariantViolation(`policy ${policy.id}: decoded application priced as ${quote.code}`);
  }
  const financing: Financing = {
    ...newFinancing(deriveId("fin", context.txId, 0), claim, policy.lenderOrgId, context.txId),
    status: "accepted",
    faceMinor,
    rateBps: body.rateBps,
    feeMinor: quote.feesMinor,
    disbursementDate: body.disbursementDate,
    interestMinor: quote.interestMinor,
    netMinor: quote.netMinor,
    recourse: body.recourse,
    policyId: policy.id,
  };
  return acceptedUnderPolicy(claim, financing, quote.netMinor);
}

/** An application under a policy whose terms a provenance bundle hides: accepted, its price unknown to the replay. */
function acceptedUnderHiddenTerms(claim: Claim, policy: FinancingPolicy, txId: string): Success {
  const financing: Financing = {
    ...newFinancing(deriveId("fin", txId, 0), claim, policy.lenderOrgId, txId),
    status: "accepted",
    faceMinor: outstandingMinor(claim),
    disbursementDate: HIDDEN_DISBURSEMENT_DATE,
    policyId: policy.id,
  };
  return acceptedUnderPolicy(claim, financing, 0n);
}

function acceptedUnderPolicy(claim: Claim, financing: Financing, netMinor: bigint): Success {
  const policyId = financing.policyId as string;
  return succeed(
    [
      { kind: "financing", value: financing },
      { kind: "claim", value: { ...claim, activeFinancingId: financing.id } },
    ],
    [
      { type: "financing.requested", financingId: financing.id, claimId: claim.id },
      { type: "financing.autoApproved", financingId: financing.id, claimId: claim.id, policyId, netMinor },
    ],
  );
}

function claimOf(view: StateView, financing: Financing): Claim {
  const claim = view.getClaim(financing.claimId);
  invariant(claim !== undefined, `financing ${financing.id}: claim ${financing.claimId} not loaded`);
  return claim;
}

/**
 * Whether the claim is still the one the financing is about: locked to it, with the same
 * holder, not settled or overdue, and (once priced) with the outstanding that was priced.
 * A repayment is the only thing that can change it while it is locked.
 */
function claimUnchanged(claim: Claim, financing: Financing): boolean {
  return (
    claim.activeFinancingId === financing.id &&
    claim.holderOrgId === financing.holderOrgId &&
    (claim.state === "held" || claim.state === "pledged") &&
    (financing.faceMinor === null || outstandingMinor(claim) === financing.faceMinor)
  );
}

type FinancingCheck<C extends string> = { ok: true; financing: Financing } | Failure<C | "financing_not_found">;

function financingSignedBy<C extends string>(
  view: StateView,
  financingId: string,
  signerOrgId: string,
  party: "lenderOrgId" | "holderOrgId",
  code: C,
): FinancingCheck<C> {
  const financing = view.getFinancing(financingId);
  if (financing === undefined) return fail("financing_not_found");
  if (financing[party] !== signerOrgId) return fail(code);
  return { ok: true, financing };
}

export function applyFinancingOffer(
  view: StateView,
  transaction: LedgerEnvelope<"financing.offer">,
  context: TransitionContext,
): Outcome<CodeIn<typeof FINANCING_OFFER_CODES>> {
  const { body, signer } = transaction;
  const hidden = termsHidden(body, context);
  if (typeof hidden !== "boolean") return hidden;
  const found = financingSignedBy(view, body.financingId, signer.orgId, "lenderOrgId", "signer_not_financier");
  if (!found.ok) return found;
  if (!view.hasCheckpoint(body.checkpointHash)) return fail("checkpoint_unknown");
  const financing = found.financing;
  if (financing.status !== "requested" && financing.status !== "offered") return fail("financing_not_awaiting_offer");
  const claim = claimOf(view, financing);
  if (isMatured(claim, context.nowMs)) return fail("claim_matured");
  if (!claimUnchanged(claim, { ...financing, faceMinor: null })) return fail("financing_claim_changed");
  const faceMinor = outstandingMinor(claim);
  if (hidden) {
    // The price is unknown to the replay; a disbursement date after every maturity keeps the
    // offer open for its acceptance and disbursement, whose dates the witnesses checked.
    const offered: Financing = { ...financing, status: "offered", faceMinor, disbursementDate: HIDDEN_DISBURSEMENT_DATE };
    return succeed([{ kind: "financing", value: offered }], [{ type: "financing.offered", financingId: financing.id, netMinor: 0n }]);
  }
  if (body.disbursementDate < beijingDate(context.nowMs)) return fail("disbursement_date_in_past");
  const quote = quoteFinancing({
    faceMinor,
    rateBps: body.rateBps,
    feeMinor: body.feeMinor,
    disbursementDate: body.disbursementDate,
    maturityDate: claim.maturityDate,
  });
  if (!quote.ok) {
    if (quote.code === "financing_days_not_positive" || quote.code === "net_proceeds_not_positive") return fail(quote.code);
    throw new InvariantViolation(`financing ${financing.id}: decoded offer priced as ${quote.code}`);
  }
  const offered: Financing = {
    ...financing,
    status: "offered",
    faceMinor,
    rateBps: body.rateBps,
    feeMinor: quote.feesMinor,
    disbursementDate: body.disbursementDate,
    interestMinor: quote.interestMinor,
    netMinor: quote.netMinor,
    recourse: body.recourse,
  };
  return succeed(
    [{ kind: "financing", value: offered }],
    [{ type: "financing.offered", financingId: financing.id, netMinor: quote.netMinor }],
  );
}

/** The offer's disbursement date has passed (dates compare as text in YYYY-MM-DD). */
function offerExpired(financing: Financing, nowMs: number): boolean {
  return financing.disbursementDate === null || beijingDate(nowMs) > financing.disbursementDate;
}

export function applyFinancingAccept(
  view: StateView,
  transaction: LedgerEnvelope<"financing.accept">,
  context: TransitionContext,
): Outcome<CodeIn<typeof FINANCING_ACCEPT_CODES>> {
  const { body, signer } = transaction;
  const found = financingSignedBy(view, body.financingId, signer.orgId, "holderOrgId", "signer_not_financing_holder");
  if (!found.ok) return found;
  const financing = found.financing;
  if (financing.status !== "offered") return fail("financing_not_offered");
  const claim = claimOf(view, financing);
  if (isMatured(claim, context.nowMs)) return fail("claim_matured");
  if (!claimUnchanged(claim, financing)) return fail("financing_claim_changed");
  if (offerExpired(financing, context.nowMs)) return fail("financing_offer_expired");
  return succeed(
    [{ kind: "financing", value: { ...financing, status: "accepted" } }],
    [{ type: "financing.accepted", financingId: financing.id }],
  );
}

export function applyFinancingDecline(
  view: StateView,
  transaction: LedgerEnvelope<"financing.decline">,
  context: TransitionContext,
): Outcome<CodeIn<typeof FINANCING_DECLINE_CODES>> {
  const { body, signer } = transaction;
  const hidden = termsHidden(body, context);
  if (typeof hidden !== "boolean") return hidden;
  const financing = view.getFinancing(body.financingId);
  if (financing === undefined) return fail("financing_not_found");
  if (signer.orgId !== financing.holderOrgId && signer.orgId !== financing.lenderOrgId) {
    return fail("signer_not_financing_party");
  }
  if (financing.status === "disbursed" || financing.status === "declined") return fail("financing_closed");
  // Declining only removes a lock, so unlike every other step it stays allowed after
  // maturity: an accepted offer that was never disbursed must not stay open for ever.
  const claim = claimOf(view, financing);
  const changes: StateChange[] = [
    {
      kind: "financing",
      value: { ...financing, status: "declined", declinedByOrgId: signer.orgId, declineReason: body.reason },
    },
  ];
  if (claim.activeFinancingId === financing.id) {
    changes.push({ kind: "claim", value: { ...claim, activeFinancingId: null } });
  }
  return succeed(changes, [{ type: "financing.declined", financingId: financing.id, byOrgId: signer.orgId }]);
}

/**
 * The lender confirms its own disbursements, also under a policy: its own settlement agent
 * (server/witness/lender-agent.ts, a key the lender registered, running beside its witness)
 * signs them after its own replay found the application eligible at a cosigned checkpoint.
 * The platform key signs no disbursement (issue 13): a policy is the lender's mandate to
 * approve, not the operator's licence to move the lender's money.
 */
function maySignDisbursement(financing: Financing, signerOrgId: string): boolean {
  return financing.lenderOrgId === signerOrgId;
}

export function applyFinancingDisburse(
  view: StateView,
  transaction: LedgerEnvelope<"financing.disburse">,
  context: TransitionContext,
): Outcome<CodeIn<typeof FINANCING_DISBURSE_CODES>> {
  const { body, signer } = transaction;
  const hidden = termsHidden(body, context);
  if (typeof hidden !== "boolean") return hidden;
  const financing = view.getFinancing(body.financingId);
  if (financing === undefined) return fail("financing_not_found");
  if (!maySignDisbursement(financing, signer.orgId)) return fail("signer_not_financier");
  if (!view.hasCheckpoint(body.checkpointHash)) return fail("checkpoint_unknown");
  if (financing.status !== "accepted") return fail("financing_not_accepted");
  const claim = claimOf(view, financing);
  if (isMatured(claim, context.nowMs)) return fail("claim_matured");
  if (!claimUnchanged(claim, financing)) return fail("financing_claim_changed");
  if (offerExpired(financing, context.nowMs)) return fail("financing_offer_expired");
  const financed: Claim = {
    ...claim,
    state: "financed",
    holderOrgId: financing.lenderOrgId,
    financedOnce: true,
    activeFinancingId: null,
  };
  const changes: StateChange[] = [
    { kind: "claim", value: financed },
    { kind: "financing", value: { ...financing, status: "disbursed", paymentReference: body.paymentReference } },
  ];
  const pledge = view.getActivePledge(claim.id);
  if (pledge !== undefined) {
    // financing.request only admits a claim pledged to the financing lender, and a claim in
    // financing cannot be pledged again, so any active pledge is to this lender.
    invariant(pledge.lenderOrgId === financing.lenderOrgId, `claim ${claim.id}: pledged to another lender`);
    changes.push({ kind: "pledge", value: { ...pledge, status: "released", releasedTxId: context.txId } });
  }
  const netMinor = financing.netMinor ?? 0n;
  return succeed(changes, [{ type: "financing.disbursed", financingId: financing.id, claimId: claim.id, netMinor }]);
}
