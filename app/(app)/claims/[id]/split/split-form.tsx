"use client";

import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { useTranslations } from "next-intl";
import { parseAmountMinor } from "@/contracts/money";
import { commitSplitParts } from "@/contracts/split-commitments";
import { Alert, Button, Card, inputClass } from "../../../../_components/ui";
import { useFormatters } from "../../../../_lib/use-formatters";
import { useLedgerAction } from "../../../../_lib/use-ledger-action";

interface Part {
  key: number;
  toOrgId: string;
  amountText: string;
}

const MAX_PARTS = 100;

export function SplitForm({
  claim,
  recipients,
  selfOrgId,
}: {
  claim: { id: string; amountMinor: bigint; state: string; holderOrgId: string; maturityDate: string };
  recipients: { id: string; name: string; city: string }[];
  selfOrgId: string;
}) {
  const t = useTranslations("split");
  const tAll = useTranslations();
  const format = useFormatters();
  const formatMinor = format.money;
  const router = useRouter();
  const action = useLedgerAction();
  const [parts, setParts] = useState<Part[]>([{ key: 1, toOrgId: "", amountText: "" }]);
  const [keepRemainder, setKeepRemainder] = useState(true);
  const [previewing, setPreviewing] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const parsed = parts.map((p) => ({ ...p, amount: p.amountText.trim() ? parseAmountMinor(p.amountText) : null }));
  const assignedMinor = parsed.reduce((sum, p) => sum + (p.amount?.ok ? p.amount.amountMinor : 0n), 0n);
  const remainderMinor = claim.amountMinor - assignedMinor;
  // A part's own problems are shown under its fields; what concerns the split as a whole
  // (more than the claim, an unassigned remainder) beside the summary it is about.
  const partErrors = parsed.map((p) => ({
    to: p.toOrgId ? undefined : t("recipientMissing"),
    amount: !p.amount ? t("amountMissing") : !p.amount.ok ? tAll(`amount.${p.amount.code}`) : undefined,
  }));
  const problems = useMemo(() => validate(), [parts, keepRemainder, claim.amountMinor]); // eslint-disable-line react-hooks/exhaustive-deps
  const blocked = problems.length > 0 || partErrors.some((e) => e.to || e.amount);

  function validate(): string[] {
    const list: string[] = [];
    if (remainderMinor < 0n) list.push(t("exceed", { amount: formatMinor(-remainderMinor) }));
    if (!keepRemainder && remainderMinor > 0n) list.push(t("notAssigned", { total: formatMinor(claim.amountMinor), remainder: formatMinor(remainderMinor) }));
    if (parts.length + (keepRemainder && remainderMinor > 0n ? 1 : 0) > MAX_PARTS) list.push(t("tooMany", { max: MAX_PARTS }));
    return list;
  }

  const finalParts = [
    ...parsed.map((p) => ({ toOrgId: p.toOrgId, amountMinor: p.amount?.ok ? p.amount.amountMinor : 0n })),
    ...(keepRemainder && remainderMinor > 0n ? [{ toOrgId: selfOrgId, amountMinor: remainderMinor }] : []),
  ];
  const nameOf = (id: string) => (id === selfOrgId ? t("kept") : (recipients.find((r) => r.id === id)?.name ?? id));

  async function submit() {
    setError(null);
    // Each part with commitments (a fresh salt and blinding from WebCrypto), so that a
    // provenance bundle of one piece can hide the others (contracts/split-commitments.ts).
    const parts = commitSplitParts(finalParts, (length) => crypto.getRandomValues(new Uint8Array(length)));
    const result = await action.run("claim.split", { claimId: claim.id, parts });
    if (!result.ok) return setError(result.message);
    router.push(`/claims?done=split`);
    router.refresh();
  }

  const update = (key: number, patch: Partial<Part>) => setParts((list) => list.map((p) => (p.key === key ? { ...p, ...patch } : p)));

  if (claim.state !== "held" || claim.holderOrgId !== selfOrgId) {
    return <Alert tone="amber">{t("notSplittable", { state: tAll.has(`states.${claim.state}`) ? tAll(`states.${claim.state}`) : claim.state })}</Alert>;
  }

  return (
    <div className="grid items-start gap-6 lg:grid-cols-[1fr_20rem]">
      <Card title={t("parts")}>
        <div className="space-y-3">
          {parts.map((p, i) => (
            <div key={p.key} className="grid items-start gap-3 sm:grid-cols-[1fr_12rem_auto]" data-testid={`part-${i}`}>
              <label className="text-sm">
                <span className="text-slate-700">{t("recipient", { part: i + 1 })}</span>
                <select className={`${inputClass} mt-1`} value={p.toOrgId} onChange={(e) => update(p.key, { toOrgId: e.target.value })} aria-label={t("recipient", { part: i + 1 })}>
                  <option value="">{t("chooseSupplier")}</option>
                  {recipients.map((r) => (
                    <option key={r.id} value={r.id}>
                      {r.name}
                      {r.city ? ` — ${r.city}` : ""}
                    </option>
                  ))}
                </select>
                {partErrors[i]?.to && (p.amountText || previewing) ? (
                  <span className="mt-1 block text-xs text-rose-600" data-testid={`part-${i}-recipient-error`}>
                    {partErrors[i]?.to}
                  </span>
                ) : null}
              </label>
              <label className="text-sm">
                <span className="text-slate-700">{t("amount")}</span>
                <input
                  className={`${inputClass} mt-1 text-right tabular-nums`}
                  inputMode="decimal"
                  placeholder="0.00"
                  value={p.amountText}
                  onChange={(e) => update(p.key, { amountText: e.target.value })}
                  aria-label={t("amountOf", { part: i + 1 })}
                  aria-invalid={Boolean(partErrors[i]?.amount && (p.amountText || previewing))}
                />
                {partErrors[i]?.amount && (p.amountText || previewing) ? (
                  <span className="mt-1 block text-xs text-rose-600" data-testid={`part-${i}-amount-error`}>
                    {partErrors[i]?.amount}
                  </span>
                ) : null}
              </label>
              <Button variant="ghost" className="sm:mt-6" onClick={() => setParts((list) => list.filter((x) => x.key !== p.key))} disabled={parts.length === 1} aria-label={t("removePart", { part: i + 1 })}>
                {t("remove")}
              </Button>
            </div>
          ))}
          <Button variant="secondary" onClick={() => setParts((list) => [...list, { key: Math.max(...list.map((x) => x.key)) + 1, toOrgId: "", amountText: "" }])} disabled={parts.length >= MAX_PARTS - 1}>
            {t("addPart")}
          </Button>
          <label className="flex items-center gap-2 pt-2 text-sm text-slate-700">
            <input type="checkbox" checked={keepRemainder} onChange={(e) => setKeepRemainder(e.target.checked)} />
            {t("keepRemainder")}
          </label>
        </div>
      </Card>
      <div className="space-y-4">
        <Card title={t("summary")}>
          <dl className="space-y-2 text-sm">
            <div className="flex justify-between">
              <dt className="text-slate-500">{t("claim")}</dt>
              <dd className="font-medium tabular-nums">{formatMinor(claim.amountMinor)}</dd>
            </div>
            <div className="flex justify-between">
              <dt className="text-slate-500">{t("passedOn")}</dt>
              <dd className="tabular-nums">{formatMinor(assignedMinor)}</dd>
            </div>
            <div className="flex justify-between border-t border-slate-100 pt-2">
              <dt className="text-slate-500">{t("remainder")}</dt>
              <dd className={`font-semibold tabular-nums ${remainderMinor < 0n ? "text-rose-600" : "text-slate-900"}`} data-testid="remainder">
                {formatMinor(remainderMinor)}
              </dd>
            </div>
          </dl>
        </Card>
        {problems.length > 0 && (parts.some((p) => p.amountText) || previewing) ? (
          <Alert tone="amber">
            <ul className="list-disc space-y-1 pl-4" data-testid="split-problems">
              {problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </Alert>
        ) : null}
        {error ? <Alert>{error}</Alert> : null}
        {!previewing ? (
          <Button className="w-full" onClick={() => setPreviewing(true)} disabled={blocked}>
            {t("preview")}
          </Button>
        ) : (
          <Card title={t("preview")}>
            <ul className="space-y-1 text-sm" data-testid="split-preview">
              {finalParts.map((p, i) => (
                <li key={i} className="flex justify-between gap-2">
                  <span className="text-slate-700">{nameOf(p.toOrgId)}</span>
                  <span className="tabular-nums">{formatMinor(p.amountMinor)}</span>
                </li>
              ))}
            </ul>
            <p className="mt-3 text-xs text-slate-500">{t("signingNote")}</p>
            <div className="mt-4 flex gap-2">
              <Button onClick={() => void submit()} disabled={action.busy || blocked}>
                {action.busy ? t("signing") : t("sign")}
              </Button>
              <Button variant="secondary" onClick={() => setPreviewing(false)}>
                {t("edit")}
              </Button>
            </div>
          </Card>
        )}
      </div>
    </div>
  );
}
