"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useTranslations } from "next-intl";
import { formatAmountPlain, parseAmountMinor, parseRatePercent } from "@/contracts/money";
import { Alert, Button, Card, Field, inputClass } from "../../../_components/ui";
import { useFormatters } from "../../../_lib/use-formatters";
import { useLedgerAction } from "../../../_lib/use-ledger-action";

interface CurrentPolicy {
  coreEnterpriseOrgId: string;
  /** Minor units as a decimal string (bigint does not cross the server/client boundary as props). */
  maxAmountMinor: string;
  maxDepth: number;
  rateBps: number;
  feeMinor: string;
  recourse: boolean;
}

const DEFAULTS = { maxAmount: "5,000.00", maxDepth: "5", ratePercent: "4.20", fee: "0.00", recourse: false };

function formFor(policy: CurrentPolicy | undefined) {
  if (policy === undefined) return DEFAULTS;
  return {
    maxAmount: formatAmountPlain(BigInt(policy.maxAmountMinor)),
    maxDepth: String(policy.maxDepth),
    ratePercent: (policy.rateBps / 100).toFixed(2),
    fee: formatAmountPlain(BigInt(policy.feeMinor)),
    recourse: policy.recourse,
  };
}

/** Sets (or replaces) the lender's policy for one core enterprise, signed in this browser. */
export function PolicyForm({ targets, current }: { targets: { id: string; name: string }[]; current: CurrentPolicy[] }) {
  const t = useTranslations("policies");
  const tAmount = useTranslations("amount");
  const format = useFormatters();
  const router = useRouter();
  const action = useLedgerAction();
  const [coreEnterpriseOrgId, setCore] = useState(targets[0]?.id ?? "");
  const existing = current.find((p) => p.coreEnterpriseOrgId === coreEnterpriseOrgId);
  const [form, setForm] = useState(() => formFor(existing));
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const maxAmount = parseAmountMinor(form.maxAmount);
  const fee = form.fee.trim() === "" || /^0+(\.0{1,2})?$/.test(form.fee.trim()) ? ({ ok: true, amountMinor: 0n } as const) : parseAmountMinor(form.fee);
  const rate = parseRatePercent(form.ratePercent);
  const depth = /^\d{1,3}$/.test(form.maxDepth) && Number(form.maxDepth) >= 1 && Number(form.maxDepth) <= 100 ? Number(form.maxDepth) : null;
  const valid = maxAmount.ok && fee.ok && rate.ok && depth !== null;

  function chooseCore(id: string) {
    setCore(id);
    setForm(formFor(current.find((p) => p.coreEnterpriseOrgId === id)));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!maxAmount.ok || !fee.ok || !rate.ok || depth === null) return;
    setError(null);
    setDone(null);
    const result = await action.run("financingPolicy.set", {
      coreEnterpriseOrgId,
      currency: "CNY",
      maxAmountMinor: maxAmount.amountMinor,
      maxDepth: depth,
      rateBps: rate.rateBps,
      feeMinor: fee.amountMinor,
      recourse: form.recourse,
    });
    if (!result.ok) return setError(result.message);
    setDone(t("signed", { amount: format.money(maxAmount.amountMinor), rate: (rate.rateBps / 100).toFixed(2) }));
    router.refresh();
  }

  return (
    <Card title={existing ? t("changePolicy") : t("setPolicy")}>
      <form className="space-y-4" onSubmit={(e) => void submit(e)} noValidate>
        <Field label={t("coreEnterprise")} htmlFor="policy-core" hint={t("coreEnterpriseHint")}>
          <select id="policy-core" className={inputClass} value={coreEnterpriseOrgId} onChange={(e) => chooseCore(e.target.value)}>
            {targets.map((target) => (
              <option key={target.id} value={target.id}>
                {target.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t("largest")} htmlFor="policy-max" error={maxAmount.ok ? undefined : tAmount(maxAmount.code)} hint={t("largestHint")}>
          <input id="policy-max" className={`${inputClass} text-right`} inputMode="decimal" value={form.maxAmount} onChange={(e) => setForm({ ...form, maxAmount: e.target.value })} />
        </Field>
        <div className="grid grid-cols-2 gap-4">
          <Field label={t("depth")} htmlFor="policy-depth" error={depth === null ? t("depthError") : undefined} hint={t("depthHint")}>
            <input id="policy-depth" className={`${inputClass} text-right`} inputMode="numeric" value={form.maxDepth} onChange={(e) => setForm({ ...form, maxDepth: e.target.value })} />
          </Field>
          <Field label={t("rate")} htmlFor="policy-rate" error={rate.ok ? undefined : t("rateInvalid")} hint={t("rateHint")}>
            <input id="policy-rate" className={`${inputClass} text-right`} inputMode="decimal" value={form.ratePercent} onChange={(e) => setForm({ ...form, ratePercent: e.target.value })} />
          </Field>
        </div>
        <Field label={t("fee")} htmlFor="policy-fee" error={fee.ok ? undefined : tAmount(fee.code)}>
          <input id="policy-fee" className={`${inputClass} text-right`} inputMode="decimal" value={form.fee} onChange={(e) => setForm({ ...form, fee: e.target.value })} />
        </Field>
        <label className="flex items-center gap-2 text-sm text-slate-700">
          <input type="checkbox" className="h-4 w-4 rounded border-slate-300" checked={form.recourse} onChange={(e) => setForm({ ...form, recourse: e.target.checked })} />
          {t("recourse")}
        </label>
        <p className="text-xs text-slate-500">
          {t("authorises")}
        </p>
        {done ? (
          <div data-testid="policy-notice">
            <Alert tone="green">{done}</Alert>
          </div>
        ) : null}
        {error ? <Alert>{error}</Alert> : null}
        <Button type="submit" className="w-full" disabled={action.busy || !valid}>
          {action.busy ? t("signing") : existing ? t("signNew") : t("sign")}
        </Button>
      </form>
    </Card>
  );
}

export function RevokePolicyButton({ policyId, name }: { policyId: string; name: string }) {
  const t = useTranslations("policies");
  const router = useRouter();
  const action = useLedgerAction();
  const [error, setError] = useState<string | null>(null);
  async function revoke() {
    setError(null);
    const result = await action.run("financingPolicy.revoke", { policyId });
    if (!result.ok) return setError(result.message);
    router.refresh();
  }
  return (
    <div className="text-right">
      <Button variant="secondary" disabled={action.busy} onClick={() => void revoke()} aria-label={t("revokeFor", { name })}>
        {action.busy ? t("signing") : t("revoke")}
      </Button>
      {error ? <p className="mt-1 text-xs text-red-700">{error}</p> : null}
    </div>
  );
}
