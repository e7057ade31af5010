/**
 * Financing of one claim by one lender: request (holder) -> offer (lender, priced by
 * contracts/pricing.ts) -> accept (holder) -> disburse (lender). Either party may decline
 * before disbursement. While a financing is open the claim is locked (activeFinancingId),
 * and a claim is financed at most once (financedOnce).
 */
import { deriveId } from "../canonical";
import { quoteFinancing } from "../pricing";
import type { CodeOf } from "./codes";
import { isMatured, outstandingMinor } from "./claims";
import { utcDateOf } from "./maturity";
import { fail, invariant, InvariantViolation, succeed, type Failure, type Outcome, type TransitionContext } from "./outcome";
import type { StateView } from "./state";
import type { Claim, Financing, LedgerEnvelope, StateChange } from "./types";

export function applyFinancingRequest(
  view: StateView,
  transaction: LedgerEnvelope<"financing.request">,
  context: TransitionContext,
): Outcome<CodeOf<"financing.request">> {
  const { body, signer } = transaction;
  const claim = view.getClaim(body.claimId);
  if (claim === undefined) return fail("claim_not_found");
  if (claim.holderOrgId !== signer.orgId) return fail("claim_not_held_by_signer");
  if (claim.financedOnce) return fail("claim_already_financed");
  if (claim.activeFinancingId !== null) return fail("claim_in_financing", claim.activeFinancingId);
  const pledge = view.getActivePledge(claim.id);
  if (claim.state === "pledged" && pledge?.lenderOrgId !== body.lenderOrgId) return fail("claim_pledged_to_other_lender");
  if (claim.state !== "held" && claim.state !== "pledged") return fail("claim_not_held", `state ${claim.state}`);
  if (isMatured(claim, context.nowMs)) return fail("claim_matured");
  const lender = view.getOrg(body.lenderOrgId);
  if (lender === undefined) return fail("organisation_not_found", body.lenderOrgId);
  if (lender.role !== "lender") return fail("financier_not_lender");
  const financing: Financing = {
    id: deriveId("fin", context.txId, 0),
    claimId: claim.id,
    holderOrgId: signer.orgId,
    lenderOrgId: lender.id,
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
    createdTxId: context.txId,
  };
  return succeed(
    [
      { kind: "financing", value: financing },
      { kind: "claim", value: { ...claim, activeFinancingId: financing.id } },
    ],
    [{ type: "financing.requested", financingId: financing.id, claimId: claim.id }],
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
): Outcome<CodeOf<"financing.offer">> {
  const { body, signer } = transaction;
  const found = financingSignedBy(view, body.financingId, signer.orgId, "lenderOrgId", "signer_not_financier");
  if (!found.ok) return found;
  const financing = found.financing;
  if (financing.status !== "requested" && financing.status !== "offered") return fail("financing_not_awaiting_offer");
  const claim = claimOf(view, financing);
  if (isMatured(claim, context.nowMs)) return fail("claim_matured");
  if (!claimUnchanged(claim, { ...financing, faceMinor: null })) return fail("financing_claim_changed");
  if (body.disbursementDate < utcDateOf(context.nowMs)) return fail("disbursement_date_in_past");
  const faceMinor = outstandingMinor(claim);
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
  return financing.disbursementDate === null || utcDateOf(nowMs) > financing.disbursementDate;
}

export function applyFinancingAccept(
  view: StateView,
  transaction: LedgerEnvelope<"financing.accept">,
  context: TransitionContext,
): Outcome<CodeOf<"financing.accept">> {
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
): Outcome<CodeOf<"financing.decline">> {
  const { body, signer } = transaction;
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

export function applyFinancingDisburse(
  view: StateView,
  transaction: LedgerEnvelope<"financing.disburse">,
  context: TransitionContext,
): Outcome<CodeOf<"financing.disburse">> {
  const { body, signer } = transaction;
  const found = financingSignedBy(view, body.financingId, signer.orgId, "lenderOrgId", "signer_not_financier");
  if (!found.ok) return found;
  const financing = found.financing;
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
