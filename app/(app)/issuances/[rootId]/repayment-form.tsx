"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTranslations } from "next-intl";
import { formatAmountPlain, parseAmountMinor } from "@/contracts/money";
import { Alert, Button, Field, inputClass } from "../../../_components/ui";
import { useFormatters } from "../../../_lib/use-formatters";
import { useLedgerAction } from "../../../_lib/use-ledger-action";

/** Records a repayment of the whole issuance: every current holder gets its pro-rata share. */
export function RepaymentForm({ rootClaimId, outstandingMinor }: { rootClaimId: string; outstandingMinor: bigint }) {
  const t = useTranslations("repayment");
  const tAmount = useTranslations("amount");
  const format = useFormatters();
  const router = useRouter();
  const action = useLedgerAction();
  const [amountText, setAmountText] = useState(formatAmountPlain(outstandingMinor));
  const [reference, setReference] = useState("");
  const [message, setMessage] = useState<{ tone: "red" | "green"; text: string } | null>(null);
  const amount = parseAmountMinor(amountText);
  // Each problem is shown under the field it is about.
  const amountProblem = !amount.ok ? tAmount(amount.code) : amount.amountMinor > outstandingMinor ? t("atMost", { amount: format.money(outstandingMinor) }) : null;
  const referenceProblem = reference.trim() ? null : t("enterReference");
  const problem = amountProblem ?? referenceProblem;
  async function repay() {
    if (!amount.ok) return;
    const result = await action.run("repayment.record", { rootClaimId, amountMinor: amount.amountMinor, paymentReference: reference.trim() });
    setMessage(result.ok ? { tone: "green", text: t("recorded", { amount: format.money(amount.amountMinor) }) } : { tone: "red", text: result.message });
    if (result.ok) router.refresh();
  }
  if (outstandingMinor === 0n) return <Alert tone="green">{t("fullyRepaid")}</Alert>;
  return (
    <div className="space-y-3">
      {message ? <div data-testid="repayment-notice"><Alert tone={message.tone}>{message.text}</Alert></div> : null}
      <div className="flex flex-wrap items-end gap-3">
        <Field label={t("amount")} htmlFor="repay-amount" hint={t("amountHint", { amount: format.money(outstandingMinor) })} error={amountProblem ?? undefined}>
          <input id="repay-amount" className={`${inputClass} w-48 text-right tabular-nums`} value={amountText} onChange={(e) => setAmountText(e.target.value)} inputMode="decimal" />
        </Field>
        <Field label={t("reference")} htmlFor="repay-ref" hint={referenceProblem ?? undefined}>
          <input id="repay-ref" className={`${inputClass} w-64`} value={reference} onChange={(e) => setReference(e.target.value)} maxLength={140} />
        </Field>
        <Button disabled={Boolean(problem) || action.busy} onClick={() => void repay()}>
          {action.busy ? t("signing") : t("sign")}
        </Button>
      </div>
    </div>
  );
}
