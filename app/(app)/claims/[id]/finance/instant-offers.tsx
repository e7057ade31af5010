"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTranslations } from "next-intl";
import { deriveId } from "@/contracts/canonical";
import type { PolicyOfferDto } from "../../../../_trpc/types";
import { Alert, Badge, Button, Card } from "../../../../_components/ui";
import { useFormatters } from "../../../../_lib/use-formatters";
import { useLedgerAction } from "../../../../_lib/use-ledger-action";

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
  const t = useTranslations("finance");
  const format = useFormatters();
  const formatMinor = format.money;
  /** The reason an offer does not apply, in words; a reason without its own text gets the general one. */
  const whyNot = (offer: PolicyOfferDto): string | null => {
    switch (offer.reason) {
      case null:
        return null;
      case "policy_amount_exceeded":
        return t("amountAbove", { amount: formatMinor(offer.maxAmountMinor) });
      case "policy_depth_exceeded":
        return t("depthAbove", { tier: offer.maxDepth });
      case "net_proceeds_not_positive":
        return t("notPriceableOffer");
      default:
        return t("policyNotCovering");
    }
  };
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
      setError(t("reload", { message: result.message }));
      return;
    }
    const elapsedMs = elapsedSince(startedMs);
    router.push(`/financing/${deriveId("fin", result.txId, 0)}?auto=${elapsedMs}`);
    router.refresh();
  }

  return (
    <Card title={t("instant")} className="mb-6">
      <ul className="divide-y divide-slate-100" aria-label={t("instantOffers")}>
        {offers.map((offer) => (
          <li key={offer.policyId} className="flex flex-wrap items-center justify-between gap-4 py-3" data-testid={`instant-offer-${offer.lenderOrgId}`}>
            <div className="min-w-0">
              <p className="flex flex-wrap items-center gap-2 font-medium text-slate-900">
                {offer.lenderName}
                <Badge tone={offer.eligible ? "green" : "slate"}>{offer.eligible ? t("paidNow") : t("notEligible")}</Badge>
              </p>
              {offer.eligible && offer.netMinor !== null && offer.interestMinor !== null && offer.feesMinor !== null ? (
                <p className="text-sm text-slate-600">
                  {t("offerTerms", {
                    rate: (offer.rateBps / 100).toFixed(2),
                    days: offer.days ?? 0,
                    interest: formatMinor(offer.interestMinor),
                    fees: offer.feesMinor > 0n ? t("offerFees", { fees: formatMinor(offer.feesMinor) }) : "",
                    recourse: String(offer.recourse),
                  })}{" "}
                  <strong className="tabular-nums text-slate-900" data-testid="instant-net">
                    {formatMinor(offer.netMinor)}
                  </strong>
                  {t("today")}
                </p>
              ) : (
                <p className="text-sm text-slate-600">{whyNot(offer)}</p>
              )}
            </div>
            {offer.eligible ? (
              <Button disabled={action.busy} onClick={() => void take(offer)}>
                {busyPolicy === offer.policyId ? t("signing") : t("getPaid")}
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
