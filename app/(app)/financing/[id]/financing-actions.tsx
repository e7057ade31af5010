"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTranslations } from "next-intl";
import { quoteFinancing } from "@/contracts/pricing";
import { parseAmountMinor, parseRatePercent } from "@/contracts/money";
import type { FinancingDto } from "../../../_trpc/types";
import { Alert, Badge, Button, Card, Field, inputClass } from "../../../_components/ui";
import { useFormatters } from "../../../_lib/use-formatters";
import { useLedgerAction } from "../../../_lib/use-ledger-action";
import { beijingDate } from "@/contracts/ledger/maturity";

/**
 * `offerBlocked`: why the lender's browser refuses to offer (its trust checks, trust-checks.tsx),
 * or null when it may; while it checks, "checking". Declining stays possible either way.
 * `checkpointHash`: the checkpoint the lender's checks ran against, which a signed offer or
 * disbursement names (the contract refuses one the ledger never published); until the checks
 * have one, the lender cannot sign either.
 */
export function FinancingActions({ financing, role, canSign, offerBlocked = null, checkpointHash = null }: { financing: FinancingDto; role: "lender" | "holder"; canSign: boolean; offerBlocked?: string | null; checkpointHash?: string | null }) {
  const t = useTranslations();
  const router = useRouter();
  const action = useLedgerAction();
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  async function run(result: Promise<{ ok: true } | { ok: false; message: string }>, message: string) {
    setError(null);
    const outcome = await result;
    if (!outcome.ok) return setError(outcome.message);
    setDone(message);
    router.refresh();
  }

  const id = financing.id;
  const decisionBlocked = offerBlocked ?? (checkpointHash === null ? t("trust.desk.checking") : null);
  return (
    <Card title={<span className="flex items-center gap-2">
          {t("financing.statusTitle")} <Badge tone="blue">{t.has(`financingStatus.${financing.status}`) ? t(`financingStatus.${financing.status}`) : financing.status}</Badge>
          {financing.policyId !== null ? <Badge tone="green">{t("financing.autoFinanced")}</Badge> : null}
        </span>}>
      <div className="space-y-4" data-testid="financing-panel">
        <Terms financing={financing} />
        {done ? <div data-testid="financing-notice"><Alert tone="green">{done}</Alert></div> : null}
        {error ? <Alert>{error}</Alert> : null}
        {canSign && role === "lender" && financing.status === "requested" ? (
          <OfferForm financing={financing} busy={action.busy} blocked={decisionBlocked} onOffer={(body) => checkpointHash !== null && void run(action.run("financing.offer", { financingId: id, ...body, checkpointHash }), t("financing.offerSigned"))} onDecline={(reason) => void run(action.run("financing.decline", { financingId: id, reason }), t("financing.declinedDone"))} />
        ) : null}
        {canSign && role === "holder" && financing.status === "offered" ? (
          <div className="flex gap-2">
            <Button disabled={action.busy} onClick={() => void run(action.run("financing.accept", { financingId: id }), t("financing.offerAccepted"))}>
              {t("financing.acceptOffer")}
            </Button>
            <Button variant="secondary" disabled={action.busy} onClick={() => void run(action.run("financing.decline", { financingId: id, reason: t("financing.holderDeclineReason") }), t("financing.offerDeclined"))}>
              {t("financing.decline")}
            </Button>
          </div>
        ) : null}
        {canSign && role === "lender" && financing.status === "accepted" ? <DisburseForm busy={action.busy} blocked={decisionBlocked} onDisburse={(paymentReference) => checkpointHash !== null && void run(action.run("financing.disburse", { financingId: id, paymentReference, checkpointHash }), t("financing.disbursed"))} /> : null}
        {financing.status === "requested" && role === "holder" ? <p className="text-sm text-slate-600">{t("financing.waitingOffer", { lender: financing.lenderName })}</p> : null}
        {financing.status === "accepted" && role === "holder" ? <p className="text-sm text-slate-600">{t("financing.waitingPayout", { lender: financing.lenderName })}</p> : null}
      </div>
    </Card>
  );
}

function Terms({ financing }: { financing: FinancingDto }) {
  const t = useTranslations("financing.terms");
  const tAll = useTranslations();
  const format = useFormatters();
  const formatMinor = format.money;
  // Once priced, the face is what the offer discounted; a repayment since then lowers what is still outstanding.
  const face = financing.faceMinor ?? financing.outstandingMinor;
  const items: [string, string][] = [[t("amount"), formatMinor(face)], [t("capitals"), format.capitals(face)]];
  if (financing.faceMinor !== null && financing.outstandingMinor !== financing.faceMinor) items.push([t("outstanding"), formatMinor(financing.outstandingMinor)]);
  if (financing.rateBps !== null) items.push([t("rate"), `${(financing.rateBps / 100).toFixed(2)}%`]);
  if (financing.interestMinor !== null) items.push([t("interest"), formatMinor(financing.interestMinor)]);
  if (financing.feeMinor !== null) items.push([t("fees"), formatMinor(financing.feeMinor)]);
  if (financing.netMinor !== null) items.push([t("net"), formatMinor(financing.netMinor)]);
  if (financing.recourse !== null) items.push([t("recourse"), financing.recourse ? t("withRecourse") : t("withoutRecourse")]);
  if (financing.paymentReference) items.push([t("reference"), financing.paymentReference]);
  if (financing.status === "disbursed") {
    const overdue = financing.claimState === "overdue";
    const state = tAll.has(`states.${financing.claimState}`) ? tAll(`states.${financing.claimState}`) : financing.claimState;
    items.push([t("claim"), overdue ? (financing.recourse ? t("overdueRecourse", { holder: financing.holderName }) : t("overdueNoRecourse")) : state]);
  }
  if (financing.declineReason) items.push([t("declineReason"), financing.declineReason]);
  return (
    <dl className="grid gap-4 text-sm sm:grid-cols-4">
      {items.map(([label, value]) => (
        <div key={label}>
          <dt className="text-xs uppercase tracking-wide text-slate-500">{label}</dt>
          <dd className="mt-1 font-medium tabular-nums text-slate-900">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function OfferForm({ financing, busy, blocked, onOffer, onDecline }: { financing: FinancingDto; busy: boolean; blocked: string | null; onOffer: (body: { rateBps: number; feeMinor: bigint; disbursementDate: string; recourse: boolean }) => void; onDecline: (reason: string) => void }) {
  const t = useTranslations("financing.offer");
  const tAll = useTranslations();
  const format = useFormatters();
  const formatMinor = format.money;
  const [today] = useState(() => beijingDate(Date.now()));
  const [ratePercent, setRatePercent] = useState("4.50");
  const [feeText, setFeeText] = useState("");
  const [recourse, setRecourse] = useState(false);
  const [reason, setReason] = useState("");
  const rate = parseRatePercent(ratePercent);
  const rateBps = rate.ok ? rate.rateBps : Number.NaN;
  const fee = feeText.trim() ? parseAmountMinor(feeText) : ({ ok: true, amountMinor: 0n } as const);
  const quote = fee.ok && Number.isFinite(rateBps) ? quoteFinancing({ faceMinor: financing.outstandingMinor, rateBps, feeMinor: fee.amountMinor, disbursementDate: today, maturityDate: financing.maturityDate }) : null;
  return (
    <div className="space-y-4 border-t border-slate-100 pt-4">
      <div className="grid gap-4 sm:grid-cols-3">
        <Field label={t("rate")} htmlFor="offer-rate" error={rate.ok ? undefined : t("rateInvalid")}>
          <input id="offer-rate" className={`${inputClass} text-right`} inputMode="decimal" value={ratePercent} onChange={(e) => setRatePercent(e.target.value)} />
        </Field>
        <Field label={t("fee")} htmlFor="offer-fee" error={fee.ok ? undefined : tAll(`amount.${fee.code}`)}>
          <input id="offer-fee" className={`${inputClass} text-right`} inputMode="decimal" placeholder="0.00" value={feeText} onChange={(e) => setFeeText(e.target.value)} />
        </Field>
        <label className="flex items-center gap-2 pt-6 text-sm text-slate-700">
          <input type="checkbox" checked={recourse} onChange={(e) => setRecourse(e.target.checked)} /> {t("recourse")}
        </label>
      </div>
      {quote?.ok ? (
        <p className="text-sm text-slate-700" data-testid="offer-quote">
          {t("quote", { days: quote.days, interest: formatMinor(quote.interestMinor), fees: formatMinor(quote.feesMinor) })} <strong>{formatMinor(quote.netMinor)}</strong>
        </p>
      ) : quote ? (
        <Alert tone="amber">{t("cannotPrice", { reason: `: ${t(`pricing.${quote.code}`)}` })}</Alert>
      ) : null}
      {blocked !== null ? <div data-testid="offer-blocked"><Alert tone="amber">{blocked}</Alert></div> : null}
      <div className="flex flex-wrap items-end gap-2">
        <Button disabled={busy || !quote?.ok || blocked !== null} onClick={() => fee.ok && onOffer({ rateBps, feeMinor: fee.amountMinor, disbursementDate: today, recourse })}>
          {t("sign")}
        </Button>
        <label className="ml-auto text-sm">
          <span className="sr-only">{t("declineReason")}</span>
          <input className={`${inputClass} w-64`} placeholder={t("declineReason")} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} />
        </label>
        <Button variant="secondary" disabled={busy || !reason.trim()} onClick={() => onDecline(reason.trim())}>
          {tAll("financing.decline")}
        </Button>
      </div>
    </div>
  );
}

function DisburseForm({ busy, blocked, onDisburse }: { busy: boolean; blocked: string | null; onDisburse: (reference: string) => void }) {
  const t = useTranslations("financing.disburse");
  const [reference, setReference] = useState("");
  return (
    <div className="flex flex-wrap items-end gap-2 border-t border-slate-100 pt-4">
      {blocked !== null ? <div className="w-full" data-testid="disburse-blocked"><Alert tone="amber">{blocked}</Alert></div> : null}
      <Field label={t("reference")} htmlFor="payment-ref" hint={t("hint")}>
        <input id="payment-ref" className={`${inputClass} w-72`} value={reference} onChange={(e) => setReference(e.target.value)} maxLength={140} />
      </Field>
      <Button disabled={busy || !reference.trim() || blocked !== null} onClick={() => onDisburse(reference.trim())}>
        {t("confirm")}
      </Button>
    </div>
  );
}
