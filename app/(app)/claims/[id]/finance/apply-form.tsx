"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTranslations } from "next-intl";
import { quoteFinancing } from "@/contracts/pricing";
import { Alert, Button, Card, Field, inputClass } from "../../../../_components/ui";
import { useFormatters } from "../../../../_lib/use-formatters";
import { useLedgerAction } from "../../../../_lib/use-ledger-action";
import { beijingDate } from "@/contracts/ledger/maturity";

/** An indicative rate for the quote; the lender's signed offer sets the real one. */
const INDICATIVE_RATE_PERCENT = "4.50";

export function ApplyForm({
  claim,
  lenders,
  selfOrgId,
}: {
  claim: { id: string; outstandingMinor: bigint; maturityDate: string; state: string; holderOrgId: string; financedOnce: boolean; inFinancing: boolean };
  lenders: { id: string; name: string }[];
  selfOrgId: string;
}) {
  const t = useTranslations("finance");
  const tAll = useTranslations();
  const format = useFormatters();
  const formatMinor = format.money;
  const router = useRouter();
  const action = useLedgerAction();
  const [lenderOrgId, setLenderOrgId] = useState(lenders[0]?.id ?? "");
  const [ratePercent, setRatePercent] = useState(INDICATIVE_RATE_PERCENT);
  const [today] = useState(() => beijingDate(Date.now()));
  const [error, setError] = useState<string | null>(null);
  const rateBps = Math.round(Number(ratePercent) * 100);
  const quote = Number.isFinite(rateBps) && rateBps >= 0 ? quoteFinancing({ faceMinor: claim.outstandingMinor, rateBps, feeMinor: 0n, disbursementDate: today, maturityDate: claim.maturityDate }) : null;

  if (claim.holderOrgId !== selfOrgId || claim.state !== "held") return <Alert tone="amber">{t("notHeld", { state: tAll.has(`states.${claim.state}`) ? tAll(`states.${claim.state}`) : claim.state })}</Alert>;
  if (claim.financedOnce) return <Alert tone="amber">{t("financedOnce")}</Alert>;
  if (claim.inFinancing) return <Alert tone="amber">{t("inFinancing")}</Alert>;
  if (lenders.length === 0) return <Alert tone="amber">{t("noLender")}</Alert>;

  async function apply() {
    setError(null);
    const result = await action.run("financing.request", { claimId: claim.id, lenderOrgId });
    if (!result.ok) return setError(result.message);
    router.push("/financing?done=applied");
    router.refresh();
  }

  return (
    <div className="grid items-start gap-6 lg:grid-cols-[1fr_22rem]">
      <Card title={t("lender")}>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label={t("lender")} htmlFor="lender" hint={t("lenderHint")}>
            <select id="lender" className={inputClass} value={lenderOrgId} onChange={(e) => setLenderOrgId(e.target.value)}>
              {lenders.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.name}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t("rate")} htmlFor="rate" hint={t("rateHint")}>
            <input id="rate" className={`${inputClass} text-right`} inputMode="decimal" value={ratePercent} onChange={(e) => setRatePercent(e.target.value)} />
          </Field>
        </div>
      </Card>
      <div className="space-y-4">
        <Card title={t("quote")}>
          {quote && quote.ok ? (
            <dl className="space-y-2 text-sm" data-testid="quote">
              <Row label={t("face")} value={formatMinor(claim.outstandingMinor)} />
              <Row label={t("capitals")} value={format.capitals(claim.outstandingMinor)} />
              <Row label={t("days")} value={String(quote.days)} />
              <Row label={t("interest")} value={`− ${formatMinor(quote.interestMinor)}`} />
              <Row label={t("fees")} value={`− ${formatMinor(quote.feesMinor)}`} />
              <div className="flex justify-between border-t border-slate-100 pt-2 font-semibold">
                <dt>{t("receive")}</dt>
                <dd className="tabular-nums" data-testid="quote-net">
                  {formatMinor(quote.netMinor)}
                </dd>
              </div>
            </dl>
          ) : (
            <Alert tone="amber">{t("notPriceable", { reason: quote ? quote.code.replaceAll("_", " ") : t("enterRate") })}</Alert>
          )}
        </Card>
        {error ? <Alert>{error}</Alert> : null}
        <Button className="w-full" onClick={() => void apply()} disabled={action.busy || !quote?.ok}>
          {action.busy ? t("signing") : t("apply")}
        </Button>
      </div>
    </div>
  );
}

function Row({ label, value }: { label: string; value: string }) {
  return (
    <div className="flex justify-between gap-2">
      <dt className="text-slate-500">{label}</dt>
      <dd className="tabular-nums">{value}</dd>
    </div>
  );
}
