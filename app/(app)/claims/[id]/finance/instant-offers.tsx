"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { deriveId } from "@/contracts/canonical";
import type { PolicyOfferDto } from "../../../../_trpc/types";
import { Alert, Badge, Button, Card } from "../../../../_components/ui";
import { formatMinor } from "../../../../_lib/format";
import { useLedgerAction } from "../../../../_lib/use-ledger-action";

const WHY_NOT: Partial<Record<NonNullable<PolicyOfferDto["reason"]>, (offer: PolicyOfferDto) => string>> = {
  policy_amount_exceeded: (o) => `This lender finances pieces up to ${formatMinor(o.maxAmountMinor)} automatically; split off a smaller piece, or apply below for a manual decision.`,
  policy_depth_exceeded: (o) => `This lender finances automatically down to tier ${o.maxDepth}; apply below for a manual decision.`,
  net_proceeds_not_positive: () => "The lender's fee would leave you nothing at this amount; apply below instead.",
};

/** The reason an offer does not apply, in words; a reason without its own text gets the general one. */
function whyNot(offer: PolicyOfferDto): string {
  const text = offer.reason === null ? undefined : WHY_NOT[offer.reason];
  return text === undefined ? "This lender's policy does not cover this claim; apply below for a manual decision." : text(offer);
}

/** Milliseconds on the page's monotonic clock (kept out of the component: it is read in a handler). */
function elapsedSince(startMs: number | null): number {
  const now = performance.now();
  return startMs === null ? now : Math.round(now - startMs);
}

/**
 * Lenders' standing offers for this claim: priced for today exactly as the ledger will price
 * them. Signing one is the whole application; the money is paid out right away.
 */
export function InstantOffers({ claimId, offers }: { claimId: string; offers: PolicyOfferDto[] }) {
  const router = useRouter();
  const action = useLedgerAction();
  const [error, setError] = useState<string | null>(null);
  const [busyPolicy, setBusyPolicy] = useState<string | null>(null);
  if (offers.length === 0) return null;

  async function take(offer: PolicyOfferDto) {
    setError(null);
    setBusyPolicy(offer.policyId);
    const startedMs = elapsedSince(null);
    const result = await action.run("financing.requestUnderPolicy", {
      claimId,
      policyId: offer.policyId,
      rateBps: offer.rateBps,
      feeMinor: offer.feeMinor,
      recourse: offer.recourse,
      disbursementDate: offer.disbursementDate,
    });
    setBusyPolicy(null);
    if (!result.ok) {
      setError(`${result.message} Reload the page for the lender's current terms.`);
      return;
    }
    const elapsedMs = elapsedSince(startedMs);
    router.push(`/financing/${deriveId("fin", result.txId, 0)}?auto=${elapsedMs}`);
    router.refresh();
  }

  return (
    <Card title="Instant financing" className="mb-6">
      <ul className="divide-y divide-slate-100" aria-label="Instant offers">
        {offers.map((offer) => (
          <li key={offer.policyId} className="flex flex-wrap items-center justify-between gap-4 py-3" data-testid={`instant-offer-${offer.lenderOrgId}`}>
            <div className="min-w-0">
              <p className="flex flex-wrap items-center gap-2 font-medium text-slate-900">
                {offer.lenderName}
                <Badge tone={offer.eligible ? "green" : "slate"}>{offer.eligible ? "paid now" : "not eligible"}</Badge>
              </p>
              {offer.eligible && offer.netMinor !== null && offer.interestMinor !== null && offer.feesMinor !== null ? (
                <p className="text-sm text-slate-600">
                  {(offer.rateBps / 100).toFixed(2)}% a year for {offer.days} days: interest {formatMinor(offer.interestMinor)}
                  {offer.feesMinor > 0n ? `, fees ${formatMinor(offer.feesMinor)}` : ""}, {offer.recourse ? "with" : "without"} recourse. You receive{" "}
                  <strong className="tabular-nums text-slate-900" data-testid="instant-net">
                    {formatMinor(offer.netMinor)}
                  </strong>{" "}
                  today.
                </p>
              ) : (
                <p className="text-sm text-slate-600">{offer.reason ? whyNot(offer) : null}</p>
              )}
            </div>
            {offer.eligible ? (
              <Button disabled={action.busy} onClick={() => void take(offer)}>
                {busyPolicy === offer.policyId ? "Signing…" : "Sign and get paid"}
              </Button>
            ) : null}
          </li>
        ))}
      </ul>
      {error ? (
        <div className="mt-3">
          <Alert>{error}</Alert>
        </div>
      ) : null}
    </Card>
  );
}
