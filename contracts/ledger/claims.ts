/**
 * Transitions of claims: issue, answer an offer (accept, reject, withdraw), split (which
 * also transfers), pledge and release, and the overdue mark.
 */
import { operatorKeysFor } from "./roles";
import { deriveId } from "../canonical";
import type { CodeIn, CLAIM_ACCEPT_CODES, CLAIM_ISSUE_CODES, CLAIM_MARK_OVERDUE_CODES, CLAIM_PLEDGE_CODES, CLAIM_REJECT_CODES, CLAIM_RELEASE_CODES, CLAIM_SPLIT_CODES, CLAIM_WITHDRAW_CODES } from "./codes";
import { isCreditLineExpired } from "./credit-lines";
import { maturityAtMs } from "./maturity";
import { isTradeReference } from "./fields";
import { fail, invariant, succeed, type Failure, type Outcome, type TransitionContext } from "./outcome";
import type { StateView } from "./state";
import { blindingsCancel, commitmentProblem, commitmentsSumTo, isCommittedPart, isRedactedPart, type CommittedSplitPart, type PlainSplitPart, type RedactedSplitPart } from "../split-commitments";
import { isLiveState, type Claim, type LedgerEnvelope, type LedgerEvent, type SplitPart, type StateChange } from "./types";

export function outstandingMinor(claim: Pick<Claim, "amountMinor" | "settledMinor">): bigint {
  return claim.amountMinor - claim.settledMinor;
}

/** True from Beijing midnight (00:00 UTC+8) of the maturity date on. */
export function isMatured(claim: Pick<Claim, "maturityDate">, nowMs: number): boolean {
  return nowMs >= maturityAtMs(claim.maturityDate);
}

/**
 * The claim with its pending offer dropped: it stays with the sender. A piece handed to
 * another organisation had gained a level of depth, which it gives back.
 */
export function withoutOffer(claim: Claim): Claim {
  const depth = claim.parentId === null ? claim.depth : claim.depth - 1;
  return { ...claim, offeredToOrgId: null, depth };
}

/** Gives `amountMinor` back to the claim's credit line (cancelled issuance or repayment). */
export function restoreCreditLine(view: StateView, claim: Claim, amountMinor: bigint): [StateChange, LedgerEvent] {
  const line = view.getCreditLine(claim.creditLineId);
  invariant(line !== undefined, `credit line ${claim.creditLineId} of claim ${claim.id} not loaded`);
  return [
    { kind: "creditLine", value: { ...line, usedMinor: line.usedMinor - amountMinor } },
    { type: "creditLine.restored", creditLineId: line.id, amountMinor },
  ];
}

export function applyClaimIssue(
  view: StateView,
  transaction: LedgerEnvelope<"claim.issue">,
  context: TransitionContext,
): Outcome<CodeIn<typeof CLAIM_ISSUE_CODES>> {
  const { body, signer } = transaction;
  if (context.signerOrg?.role !== "core_enterprise") return fail("signer_not_core_enterprise");
  const line = view.getCreditLine(body.creditLineId);
  if (line === undefined) return fail("credit_line_not_found");
  if (line.coreEnterpriseOrgId !== signer.orgId) return fail("credit_line_not_owned_by_signer");
  if (line.status === "frozen") return fail("credit_line_frozen");
  if (isCreditLineExpired(line, context.nowMs)) return fail("credit_line_expired");
  if (body.amountMinor <= 0n) return fail("amount_not_positive");
  if (body.documents.reference !== undefined && !isTradeReference(body.documents.reference)) return fail("trade_reference_malformed");
  const availableMinor = line.limitMinor - line.usedMinor;
  if (availableMinor < body.amountMinor) return fail("credit_line_insufficient", `available ${availableMinor}`);
  if (context.nowMs >= maturityAtMs(body.maturityDate)) return fail("maturity_not_in_future");
  const receiver = view.getOrg(body.toOrgId);
  if (receiver === undefined) return fail("organisation_not_found", body.toOrgId);
  if (receiver.role !== "supplier") return fail("recipient_not_supplier", body.toOrgId);
  const backed = view.getLiveIssuanceByInvoice(body.documents.invoiceSha256);
  if (backed !== undefined) return fail("invoice_backs_live_issuance", backed.id);
  const id = deriveId("c", context.txId, 0);
  const claim: Claim = {
    id,
    rootId: id,
    parentId: null,
    issuerOrgId: signer.orgId,
    creditLineId: line.id,
    holderOrgId: signer.orgId,
    offeredToOrgId: receiver.id,
    amountMinor: body.amountMinor,
    settledMinor: 0n,
    currency: body.currency,
    maturityDate: body.maturityDate,
    depth: 1,
    state: "offered",
    documents: body.documents,
    createdTxId: context.txId,
    financedOnce: false,
    activeFinancingId: null,
    rootRepaidMinor: 0n,
  };
  const changes: StateChange[] = [
    { kind: "claim", value: claim },
    { kind: "creditLine", value: { ...line, usedMinor: line.usedMinor + body.amountMinor } },
  ];
  const event: LedgerEvent = {
    type: "claim.offered",
    claimId: id,
    fromOrgId: signer.orgId,
    toOrgId: receiver.id,
    amountMinor: body.amountMinor,
  };
  return succeed(changes, [event]);
}

type OfferCheck = { ok: true; claim: Claim } | Failure<CodeIn<typeof CLAIM_ACCEPT_CODES>>;

/** The offer the signer is answering (accept or reject). */
function offerToSigner(view: StateView, claimId: string, signerOrgId: string, nowMs: number): OfferCheck {
  const claim = view.getClaim(claimId);
  if (claim === undefined) return fail("claim_not_found");
  if (claim.state !== "offered") return fail("claim_not_offered", `state ${claim.state}`);
  if (claim.offeredToOrgId !== signerOrgId) return fail("claim_not_offered_to_signer");
  if (isMatured(claim, nowMs)) return fail("claim_matured");
  return { ok: true, claim };
}

/**
 * An offer that does not happen. A root issuance is cancelled for good and gives its
 * amount back to the credit line; a piece returns to its sender, held.
 */
function cancelOffer(view: StateView, claim: Claim, state: "rejected" | "withdrawn"): StateChange[] {
  if (claim.parentId !== null) return [{ kind: "claim", value: { ...withoutOffer(claim), state: "held" } }];
  const [lineChange] = restoreCreditLine(view, claim, claim.amountMinor);
  return [{ kind: "claim", value: { ...withoutOffer(claim), state } }, lineChange];
}

export function applyClaimAccept(
  view: StateView,
  transaction: LedgerEnvelope<"claim.accept">,
  context: TransitionContext,
): Outcome<CodeIn<typeof CLAIM_ACCEPT_CODES>> {
  const found = offerToSigner(view, transaction.body.claimId, transaction.signer.orgId, context.nowMs);
  if (!found.ok) return found;
  const claim = found.claim;
  const accepted: Claim = { ...claim, state: "held", holderOrgId: transaction.signer.orgId, offeredToOrgId: null };
  return succeed(
    [{ kind: "claim", value: accepted }],
    [{ type: "claim.accepted", claimId: claim.id, holderOrgId: accepted.holderOrgId }],
  );
}

export function applyClaimReject(
  view: StateView,
  transaction: LedgerEnvelope<"claim.reject">,
  context: TransitionContext,
): Outcome<CodeIn<typeof CLAIM_REJECT_CODES>> {
  const found = offerToSigner(view, transaction.body.claimId, transaction.signer.orgId, context.nowMs);
  if (!found.ok) return found;
  const changes = cancelOffer(view, found.claim, "rejected");
  return succeed(changes, [{ type: "claim.rejected", claimId: found.claim.id, byOrgId: transaction.signer.orgId }]);
}

export function applyClaimWithdraw(
  view: StateView,
  transaction: LedgerEnvelope<"claim.withdraw">,
  context: TransitionContext,
): Outcome<CodeIn<typeof CLAIM_WITHDRAW_CODES>> {
  const claim = view.getClaim(transaction.body.claimId);
  if (claim === undefined) return fail("claim_not_found");
  if (claim.state !== "offered") return fail("claim_not_offered", `state ${claim.state}`);
  if (claim.holderOrgId !== transaction.signer.orgId) return fail("claim_not_held_by_signer");
  if (isMatured(claim, context.nowMs)) return fail("claim_matured");
  const changes = cancelOffer(view, claim, "withdrawn");
  return succeed(changes, [{ type: "claim.withdrawn", claimId: claim.id, byOrgId: transaction.signer.orgId }]);
}

type HeldCheck = { ok: true; claim: Claim } | Failure<CodeIn<typeof CLAIM_SPLIT_CODES> & CodeIn<typeof CLAIM_PLEDGE_CODES>>;

/** A claim the signer holds outright: not offered, pledged, in financing or matured. */
function heldBySigner(view: StateView, claimId: string, signerOrgId: string, nowMs: number): HeldCheck {
  const claim = view.getClaim(claimId);
  if (claim === undefined) return fail("claim_not_found");
  if (claim.holderOrgId !== signerOrgId) return fail("claim_not_held_by_signer");
  if (claim.state === "pledged") return fail("claim_is_pledged");
  if (claim.state !== "held") return fail("claim_not_held", `state ${claim.state}`);
  if (claim.activeFinancingId !== null) return fail("claim_in_financing", claim.activeFinancingId);
  if (isMatured(claim, nowMs)) return fail("claim_matured");
  return { ok: true, claim };
}

function childOf(parent: Claim, index: number, toOrgId: string, amountMinor: bigint, txId: string): Claim {
  const handedOver = toOrgId !== parent.holderOrgId;
  return {
    ...parent,
    id: deriveId("c", txId, index),
    parentId: parent.id,
    offeredToOrgId: handedOver ? toOrgId : null,
    amountMinor,
    settledMinor: 0n,
    depth: handedOver ? parent.depth + 1 : parent.depth,
    state: handedOver ? "offered" : "held",
    documents: null,
    createdTxId: txId,
    financedOnce: false,
    activeFinancingId: null,
    rootRepaidMinor: 0n,
  };
}

export function applyClaimSplit(
  view: StateView,
  transaction: LedgerEnvelope<"claim.split">,
  context: TransitionContext,
): Outcome<CodeIn<typeof CLAIM_SPLIT_CODES>> {
  const { body, signer } = transaction;
  const found = heldBySigner(view, body.claimId, signer.orgId, context.nowMs);
  if (!found.ok) return found;
  const parent = found.claim;
  const parts = checkSplitParts(body.parts, outstandingMinor(parent), context.partialReplay === true);
  if (!parts.ok) return parts;
  const { disclosed, hidden } = parts;
  if (disclosed.length === 1 && hidden === null && disclosed[0]?.part.toOrgId === signer.orgId) return fail("split_changes_nothing");
  for (const { part } of disclosed) {
    const receiver = view.getOrg(part.toOrgId);
    if (receiver === undefined) return fail("organisation_not_found", part.toOrgId);
    if (receiver.role !== "supplier") return fail("recipient_not_supplier", part.toOrgId);
  }
  const children = disclosed.map(({ part, index }) => childOf(parent, index, part.toOrgId, part.amountMinor, context.txId));
  // In a provenance replay the parts off the branch stay with the splitter as one opaque piece
  // for their total, so that conservation still holds in the replayed state.
  if (hidden !== null) children.push(childOf(parent, hidden.index, signer.orgId, hidden.totalMinor, context.txId));
  const changes: StateChange[] = [
    { kind: "claim", value: { ...parent, state: "split" } },
    ...children.map((child) => ({ kind: "claim", value: child }) as const),
  ];
  const events: LedgerEvent[] = [{ type: "claim.split", claimId: parent.id, childIds: children.map((child) => child.id) }];
  for (const child of children) {
    if (child.offeredToOrgId === null) continue;
    events.push({
      type: "claim.offered",
      claimId: child.id,
      fromOrgId: signer.orgId,
      toOrgId: child.offeredToOrgId,
      amountMinor: child.amountMinor,
    });
  }
  return succeed(changes, events);
}

type SplitPartsCheck =
  | { ok: true; disclosed: { part: PlainSplitPart; index: number }[]; hidden: { index: number; totalMinor: bigint } | null }
  | Failure<CodeIn<typeof CLAIM_SPLIT_CODES>>;

/**
 * The parts' own checks, in order: commitments well-formed (and, all parts in the clear, their
 * blindings cancel), commitments alone only in a provenance replay, every part in the clear
 * positive, conservation: in the clear by the amounts, with hidden parts by the commitments
 * (their total must leave at least one minor unit per hidden part).
 */
function checkSplitParts(parts: readonly SplitPart[], outstanding: bigint, partialReplay: boolean): SplitPartsCheck {
  const problem = commitmentProblem(parts);
  if (problem !== null) return fail("split_commitment_invalid", problem);
  const redacted = parts.flatMap((part, index) => (isRedactedPart(part) ? [index] : []));
  const disclosed = parts.flatMap((part, index) => (isRedactedPart(part) ? [] : [{ part, index }]));
  const committed = disclosed.filter(({ part }) => isCommittedPart(part)).map(({ part }) => part as CommittedSplitPart);
  if (redacted.length === 0 && committed.length > 0 && !blindingsCancel(committed)) return fail("split_commitment_invalid", "the blindings do not cancel");
  if (redacted.length > 0 && !partialReplay) return fail("split_part_redacted", `part ${redacted[0]}`);
  const bad = disclosed.find(({ part }) => part.amountMinor <= 0n);
  if (bad !== undefined) return fail("split_part_not_positive", `part ${bad.index}`);
  const shownMinor = disclosed.reduce((sum, { part }) => sum + part.amountMinor, 0n);
  if (redacted.length === 0) {
    if (shownMinor !== outstanding) return fail("split_amounts_do_not_sum", `parts sum to ${shownMinor}, claim has ${outstanding}`);
    return { ok: true, disclosed, hidden: null };
  }
  const withCommitments = parts as readonly (CommittedSplitPart | RedactedSplitPart)[];
  if (!commitmentsSumTo(withCommitments, outstanding)) return fail("split_amounts_do_not_sum", `the parts' commitments do not add up to the claim's ${outstanding}`);
  const totalMinor = outstanding - shownMinor;
  if (totalMinor < BigInt(redacted.length)) return fail("split_amounts_do_not_sum", `the hidden parts would hold ${totalMinor} between ${redacted.length}`);
  return { ok: true, disclosed, hidden: { index: redacted[0] as number, totalMinor } };
}

export function applyClaimPledge(
  view: StateView,
  transaction: LedgerEnvelope<"claim.pledge">,
  context: TransitionContext,
): Outcome<CodeIn<typeof CLAIM_PLEDGE_CODES>> {
  const { body, signer } = transaction;
  const found = heldBySigner(view, body.claimId, signer.orgId, context.nowMs);
  if (!found.ok) return found;
  const lender = view.getOrg(body.lenderOrgId);
  if (lender === undefined) return fail("organisation_not_found", body.lenderOrgId);
  if (lender.role !== "lender") return fail("pledgee_not_lender");
  const pledgeId = deriveId("pl", context.txId, 0);
  const changes: StateChange[] = [
    { kind: "claim", value: { ...found.claim, state: "pledged" } },
    {
      kind: "pledge",
      value: {
        id: pledgeId,
        claimId: found.claim.id,
        pledgorOrgId: signer.orgId,
        lenderOrgId: lender.id,
        status: "active",
        createdTxId: context.txId,
        releasedTxId: null,
      },
    },
  ];
  return succeed(changes, [{ type: "claim.pledged", claimId: found.claim.id, pledgeId, lenderOrgId: lender.id }]);
}

export function applyClaimRelease(
  view: StateView,
  transaction: LedgerEnvelope<"claim.release">,
  context: TransitionContext,
): Outcome<CodeIn<typeof CLAIM_RELEASE_CODES>> {
  const claim = view.getClaim(transaction.body.claimId);
  if (claim === undefined) return fail("claim_not_found");
  const pledge = view.getActivePledge(claim.id);
  if (claim.state !== "pledged" || pledge === undefined) return fail("claim_not_pledged", `state ${claim.state}`);
  if (pledge.lenderOrgId !== transaction.signer.orgId) return fail("signer_not_pledgee");
  if (isMatured(claim, context.nowMs)) return fail("claim_matured");
  const changes: StateChange[] = [
    { kind: "claim", value: { ...claim, state: "held" } },
    { kind: "pledge", value: { ...pledge, status: "released", releasedTxId: context.txId } },
  ];
  return succeed(changes, [{ type: "pledge.released", claimId: claim.id, pledgeId: pledge.id }]);
}

export function applyClaimMarkOverdue(
  view: StateView,
  transaction: LedgerEnvelope<"claim.markOverdue">,
  context: TransitionContext,
): Outcome<CodeIn<typeof CLAIM_MARK_OVERDUE_CODES>> {
  if (context.signerOrg?.role !== "operator") return fail("signer_not_operator");
  const signer = transaction.signer;
  if (!operatorKeysFor("overdue", view.getActiveKeysOf(signer.orgId)).some((key) => key.keyId === signer.keyId)) {
    return fail("operator_key_outside_role", `${signer.keyId} does not hold the operator's overdue role`);
  }
  const root = view.getClaim(transaction.body.rootClaimId);
  if (root === undefined) return fail("claim_not_found");
  if (root.id !== root.rootId) return fail("claim_not_root");
  if (!isMatured(root, context.nowMs)) return fail("claim_not_matured");
  const due = view
    .getClaimsByRoot(root.id)
    .filter((claim) => isLiveState(claim.state) && claim.state !== "overdue" && outstandingMinor(claim) > 0n);
  if (due.length === 0) return fail("nothing_overdue");
  // An offer still pending at maturity lapses: the sender keeps the piece, now overdue.
  const overdue = due.map((claim): Claim => ({ ...(claim.state === "offered" ? withoutOffer(claim) : claim), state: "overdue" }));
  return succeed(
    overdue.map((claim) => ({ kind: "claim", value: claim }) as const),
    overdue.map((claim) => ({ type: "claim.overdue", claimId: claim.id, holderOrgId: claim.holderOrgId }) as const),
  );
}
