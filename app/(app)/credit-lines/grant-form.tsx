"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTranslations } from "next-intl";
import { parseAmountMinor } from "@/contracts/money";
import { Alert, Button, Card, Field, inputClass } from "../../_components/ui";
import { useFormatters } from "../../_lib/use-formatters";
import { useLedgerAction } from "../../_lib/use-ledger-action";
import { beijingDate } from "@/contracts/ledger/maturity";

const DAY_MS = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The moment a line given an expiry date stops: 00:00 UTC that day (as the contracts compare). */
export const expiryMs = (date: string) => Date.parse(`${date}T00:00:00Z`);

/** A lender's admin grants a core enterprise a new credit line, signed in this browser. */
export function GrantForm({ coreEnterprises }: { coreEnterprises: { id: string; name: string }[] }) {
  const t = useTranslations("creditLines.grant");
  const tAmount = useTranslations("amount");
  const format = useFormatters();
  const router = useRouter();
  const action = useLedgerAction();
  const [coreId, setCoreId] = useState("");
  const [limitText, setLimitText] = useState("");
  const [expiry, setExpiry] = useState("");
  const [tomorrow] = useState(() => beijingDate(Date.now() + DAY_MS));
  const [notice, setNotice] = useState<{ tone: "green" | "red"; text: string } | null>(null);

  const limit = limitText ? parseAmountMinor(limitText) : null;
  const core = coreEnterprises.find((c) => c.id === coreId);
  const problems: string[] = [];
  if (!core) problems.push(t("chooseCore"));
  if (!limit) problems.push(t("enterLimit"));
  else if (!limit.ok) problems.push(t("limitProblem", { problem: tAmount(limit.code) }));
  if (!DATE.test(expiry)) problems.push(t("chooseExpiry"));
  else if (expiry < tomorrow) problems.push(t("expiryAfterToday"));
  const touched = Boolean(coreId || limitText || expiry);

  async function grant() {
    if (!core || !limit?.ok) return;
    setNotice(null);
    // useLedgerAction signs it with a terms salt: other lenders' bundles show the line's terms as a commitment only.
    const result = await action.run("creditLine.grant", { coreEnterpriseOrgId: core.id, currency: "CNY", limitMinor: limit.amountMinor, expiresAtMs: expiryMs(expiry) });
    if (!result.ok) return setNotice({ tone: "red", text: result.message });
    setNotice({ tone: "green", text: t("granted", { amount: format.money(limit.amountMinor), name: core.name, date: format.date(expiry) }) });
    setCoreId("");
    setLimitText("");
    setExpiry("");
    router.refresh();
  }

  if (coreEnterprises.length === 0) return <Alert tone="amber">{t("noCore")}</Alert>;

  return (
    <Card title={t("title")}>
      <form
        className="space-y-4"
        onSubmit={(event) => {
          event.preventDefault();
          void grant();
        }}
      >
        <div className="grid gap-4 sm:grid-cols-3">
          <Field label={t("coreEnterprise")} htmlFor="grant-core">
            <select id="grant-core" className={inputClass} value={coreId} onChange={(e) => setCoreId(e.target.value)}>
              <option value="">{t("choose")}</option>
              {coreEnterprises.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t("limit")} htmlFor="grant-limit" hint={t("limitHint")} error={limit && !limit.ok ? tAmount(limit.code) : undefined}>
            <input id="grant-limit" className={`${inputClass} text-right tabular-nums`} inputMode="decimal" autoComplete="off" value={limitText} onChange={(e) => setLimitText(e.target.value)} />
          </Field>
          <Field label={t("expiresOn")} htmlFor="grant-expiry" hint={t("expiresOnHint")}>
            <input id="grant-expiry" type="date" min={tomorrow} className={inputClass} value={expiry} onChange={(e) => setExpiry(e.target.value)} />
          </Field>
        </div>
        {touched && problems.length > 0 ? <p className="text-xs text-amber-700">{problems.join(" ")}</p> : null}
        {problems.length === 0 && core && limit?.ok ? (
          <p className="text-sm text-slate-700" data-testid="grant-preview">
            {t.rich("preview", { name: core.name, amount: format.money(limit.amountMinor), date: format.date(expiry), strong: (chunks) => <strong className="tabular-nums">{chunks}</strong> })}
          </p>
        ) : null}
        {notice ? (
          <div data-testid="grant-notice">
            <Alert tone={notice.tone}>{notice.text}</Alert>
          </div>
        ) : null}
        <Button type="submit" disabled={problems.length > 0 || action.busy}>
          {action.busy ? t("signing") : t("sign")}
        </Button>
      </form>
    </Card>
  );
}
