/**
 * Repayment of an issuance by its core enterprise, before or after maturity. The amount is
 * spread over the live pieces pro rata (allocation.ts); a piece paid in full is settled
 * (its offer lapses and its pledge is released), and the credit line gets the amount back.
 */
import { deriveId } from "../canonical";
import { allocateProRata } from "./allocation";
import { outstandingMinor, restoreCreditLine, withoutOffer } from "./claims";
import type { CodeIn, REPAYMENT_RECORD_CODES } from "./codes";
import { fail, succeed, type Outcome, type TransitionContext } from "./outcome";
import type { StateView } from "./state";
import { isLiveState, type Claim, type LedgerEnvelope, type LedgerEvent, type Repayment, type StateChange } from "./types";

function settle(view: StateView, claim: Claim, amountMinor: bigint, txId: string): { claim: Claim; changes: StateChange[] } {
  const settledMinor = claim.settledMinor + amountMinor;
  if (settledMinor < claim.amountMinor) return { claim: { ...claim, settledMinor }, changes: [] };
  const base = claim.state === "offered" ? withoutOffer(claim) : claim;
  const pledge = view.getActivePledge(claim.id);
  const changes: StateChange[] =
    pledge === undefined ? [] : [{ kind: "pledge", value: { ...pledge, status: "released", releasedTxId: txId } }];
  return { claim: { ...base, settledMinor, state: "settled" }, changes };
}

export function applyRepaymentRecord(
  view: StateView,
  transaction: LedgerEnvelope<"repayment.record">,
  context: TransitionContext,
): Outcome<CodeIn<typeof REPAYMENT_RECORD_CODES>> {
  const { body, signer } = transaction;
  const root = view.getClaim(body.rootClaimId);
  if (root === undefined) return fail("claim_not_found");
  if (root.id !== root.rootId) return fail("claim_not_root");
  if (root.issuerOrgId !== signer.orgId) return fail("signer_not_issuer");
  if (root.state === "offered" || root.state === "rejected" || root.state === "withdrawn") {
    return fail("claim_not_issued", `state ${root.state}`);
  }
  if (body.amountMinor <= 0n) return fail("amount_not_positive");
  const rootOutstandingMinor = root.amountMinor - root.rootRepaidMinor;
  if (body.amountMinor > rootOutstandingMinor) {
    return fail("repayment_exceeds_outstanding", `outstanding ${rootOutstandingMinor}`);
  }
  const leaves = view
    .getClaimsByRoot(root.id)
    .filter((claim) => isLiveState(claim.state) && outstandingMinor(claim) > 0n);
  const shares = allocateProRata(
    body.amountMinor,
    leaves.map((leaf) => ({ claimId: leaf.id, outstandingMinor: outstandingMinor(leaf) })),
  );
  // The root may itself be a leaf, so every update goes through one map per claim id.
  const updated = new Map<string, Claim>([[root.id, { ...root, rootRepaidMinor: root.rootRepaidMinor + body.amountMinor }]]);
  const otherChanges: StateChange[] = [];
  const events: LedgerEvent[] = [];
  const repayment: Repayment = {
    id: deriveId("rp", context.txId, 0),
    rootClaimId: root.id,
    amountMinor: body.amountMinor,
    paymentReference: body.paymentReference,
    allocations: [],
    createdTxId: context.txId,
  };
  for (const share of shares) {
    if (share.amountMinor === 0n) continue;
    const leaf = updated.get(share.claimId) ?? (leaves.find((claim) => claim.id === share.claimId) as Claim);
    const result = settle(view, leaf, share.amountMinor, context.txId);
    updated.set(leaf.id, result.claim);
    otherChanges.push(...result.changes);
    repayment.allocations.push({ claimId: leaf.id, holderOrgId: leaf.holderOrgId, amountMinor: share.amountMinor });
    if (result.claim.state === "settled") {
      events.push({ type: "claim.settled", claimId: leaf.id, holderOrgId: leaf.holderOrgId });
    }
  }
  const [lineChange, lineEvent] = restoreCreditLine(view, root, body.amountMinor);
  const changes: StateChange[] = [
    ...[...updated.values()].map((claim) => ({ kind: "claim", value: claim }) as const),
    ...otherChanges,
    lineChange,
    { kind: "repayment", value: repayment },
  ];
  events.unshift({ type: "repayment.recorded", repaymentId: repayment.id, rootClaimId: root.id, amountMinor: body.amountMinor });
  events.push(lineEvent);
  return succeed(changes, events);
}
