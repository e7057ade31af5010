"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { parseAmountMinor } from "@/contracts/money";
import { Alert, Button, Card, Field, inputClass } from "../../_components/ui";
import { formatDate, formatMinor } from "../../_lib/format";
import { useLedgerAction } from "../../_lib/use-ledger-action";
import { beijingDate } from "@/contracts/ledger/maturity";

const DAY_MS = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The moment a line given an expiry date stops: 00:00 UTC that day (as the contracts compare). */
export const expiryMs = (date: string) => Date.parse(`${date}T00:00:00Z`);

/** A lender's admin grants a core enterprise a new credit line, signed in this browser. */
export function GrantForm({ coreEnterprises }: { coreEnterprises: { id: string; name: string }[] }) {
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
  if (!core) problems.push("Choose the core enterprise.");
  if (!limit) problems.push("Enter the limit.");
  else if (!limit.ok) problems.push(`Limit: ${limit.message}`);
  if (!DATE.test(expiry)) problems.push("Choose the expiry date.");
  else if (expiry < tomorrow) problems.push("The expiry date must be after today.");
  const touched = Boolean(coreId || limitText || expiry);

  async function grant() {
    if (!core || !limit?.ok) return;
    setNotice(null);
    const result = await action.run("creditLine.grant", { coreEnterpriseOrgId: core.id, currency: "CNY", limitMinor: limit.amountMinor, expiresAtMs: expiryMs(expiry) });
    if (!result.ok) return setNotice({ tone: "red", text: result.message });
    setNotice({ tone: "green", text: `Credit line of ${formatMinor(limit.amountMinor)} granted to ${core.name}, until ${formatDate(expiryMs(expiry))}. It can issue claims against it now.` });
    setCoreId("");
    setLimitText("");
    setExpiry("");
    router.refresh();
  }

  if (coreEnterprises.length === 0) return <Alert tone="amber">No core enterprise is registered on the ledger yet, so there is nobody to grant a line to.</Alert>;

  return (
    <Card title="Grant a credit line">
      <form
        className="space-y-4"
        onSubmit={(event) => {
          event.preventDefault();
          void grant();
        }}
      >
        <div className="grid gap-4 sm:grid-cols-3">
          <Field label="Core enterprise" htmlFor="grant-core">
            <select id="grant-core" className={inputClass} value={coreId} onChange={(e) => setCoreId(e.target.value)}>
              <option value="">Choose…</option>
              {coreEnterprises.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Limit (CNY)" htmlFor="grant-limit" hint="e.g. 50,000,000.00" error={limit && !limit.ok ? limit.message : undefined}>
            <input id="grant-limit" className={`${inputClass} text-right tabular-nums`} inputMode="decimal" autoComplete="off" value={limitText} onChange={(e) => setLimitText(e.target.value)} />
          </Field>
          <Field label="Expires on" htmlFor="grant-expiry" hint="At 00:00 UTC that day; claims already issued are not affected">
            <input id="grant-expiry" type="date" min={tomorrow} className={inputClass} value={expiry} onChange={(e) => setExpiry(e.target.value)} />
          </Field>
        </div>
        {touched && problems.length > 0 ? <p className="text-xs text-amber-700">{problems.join(" ")}</p> : null}
        {problems.length === 0 && core && limit?.ok ? (
          <p className="text-sm text-slate-700" data-testid="grant-preview">
            {core.name} may issue claims up to <strong className="tabular-nums">{formatMinor(limit.amountMinor)}</strong> backed by your bank until {formatDate(expiryMs(expiry))}.
          </p>
        ) : null}
        {notice ? (
          <div data-testid="grant-notice">
            <Alert tone={notice.tone}>{notice.text}</Alert>
          </div>
        ) : null}
        <Button type="submit" disabled={problems.length > 0 || action.busy}>
          {action.busy ? "Signing…" : "Sign and grant"}
        </Button>
      </form>
    </Card>
  );
}
