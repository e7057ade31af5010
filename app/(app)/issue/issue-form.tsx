"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTranslations } from "next-intl";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@/contracts/hex";
import { parseAmountMinor } from "@/contracts/money";
import { Alert, Button, Card, Field, inputClass } from "../../_components/ui";
import { useFormatters } from "../../_lib/use-formatters";
import { useLedgerAction } from "../../_lib/use-ledger-action";
import { beijingDate } from "@/contracts/ledger/maturity";
import { isTradeReference, TRADE_REFERENCE_MAX_CHARACTERS } from "@/contracts/ledger/fields";
import type { IssueRecipientsDto } from "../../_trpc/types";

/**
 * The trade documents an issuance commits to. `hashLabel` is the name hashed with a typed
 * reference when no file is given: it is part of the committed bytes, so it stays English
 * whatever the interface's language; what people read comes from the catalogue.
 */
const DOCUMENTS = [
  { key: "invoiceSha256", hashLabel: "Invoice" },
  { key: "contractSha256", hashLabel: "Purchase contract" },
  { key: "deliveryNoteSha256", hashLabel: "Delivery note" },
] as const;
type DocKey = (typeof DOCUMENTS)[number]["key"];

/** Hashes a file in the browser; the file itself never has to leave the machine. */
async function hashFile(file: File): Promise<string> {
  return bytesToHex(sha256(new Uint8Array(await file.arrayBuffer())));
}

export function IssueForm({
  lines,
  recipients,
}: {
  lines: { id: string; lenderName: string; availableMinor: bigint; expiresAtMs: number }[];
  /** Its tier-1 suppliers, and approved suppliers not yet in its chains (server/read/issue-recipients.ts). */
  recipients: IssueRecipientsDto;
}) {
  const t = useTranslations("issue");
  const format = useFormatters();
  const router = useRouter();
  const action = useLedgerAction();
  const [lineId, setLineId] = useState(lines[0]?.id ?? "");
  const [toOrgId, setToOrgId] = useState("");
  const [amountText, setAmountText] = useState("");
  const [maturityDate, setMaturityDate] = useState("");
  const [docs, setDocs] = useState<Record<DocKey, { name: string; sha256: string } | null>>({ invoiceSha256: null, contractSha256: null, deliveryNoteSha256: null });
  const [reference, setReference] = useState("");
  const [previewing, setPreviewing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [today] = useState(() => beijingDate(Date.now()));

  const amount = amountText ? parseAmountMinor(amountText) : null;
  const line = lines.find((l) => l.id === lineId);
  const tAmount = useTranslations("amount");
  // Each problem belongs to a field and is shown under it once that field has been filled in.
  const fieldErrors: { line?: string; to?: string; amount?: string; maturity?: string; reference?: string } = {};
  const referenceText = reference.trim();
  if (!line) fieldErrors.line = t("chooseLine");
  if (!toOrgId) fieldErrors.to = t("chooseSupplier");
  if (!amount) fieldErrors.amount = t("enterAmount");
  else if (!amount.ok) fieldErrors.amount = tAmount(amount.code);
  else if (line && amount.amountMinor > line.availableMinor) fieldErrors.amount = t("lineTooSmall", { amount: format.money(line.availableMinor) });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(maturityDate)) fieldErrors.maturity = t("chooseMaturity");
  else if (maturityDate <= today) fieldErrors.maturity = t("maturityInFuture");
  // The contract's own rule (claim.issue refuses anything else with trade_reference_malformed).
  if (referenceText && !isTradeReference(referenceText)) fieldErrors.reference = t("referenceInvalid", { max: TRADE_REFERENCE_MAX_CHARACTERS });
  const problems = Object.values(fieldErrors);

  // Without an uploaded file, the document reference typed in is hashed instead, so every
  // issuance still commits to its trade documents.
  const documentHashes = Object.fromEntries(
    DOCUMENTS.map((d) => [d.key, docs[d.key]?.sha256 ?? bytesToHex(sha256(utf8ToBytes(`${d.hashLabel}: ${referenceText || "unspecified"}`)))]),
  ) as Record<DocKey, string>;

  async function submit() {
    if (!amount?.ok) return;
    setError(null);
    const result = await action.run("claim.issue", { creditLineId: lineId, toOrgId, amountMinor: amount.amountMinor, currency: "CNY", maturityDate, documents: referenceText ? { ...documentHashes, reference: referenceText } : documentHashes });
    if (!result.ok && result.held) return router.push(`/approvals?held=${encodeURIComponent(result.held.approvalId)}`);
    if (!result.ok) return setError(result.message);
    router.push("/issuances?done=issued");
    router.refresh();
  }

  if (lines.length === 0) return <Alert tone="amber">{t("noLine")}</Alert>;

  return (
    <div className="grid items-start gap-6 lg:grid-cols-[1fr_22rem]">
      <Card title={t("claim")}>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label={t("creditLine")} htmlFor="line">
            <select id="line" className={inputClass} value={lineId} onChange={(e) => setLineId(e.target.value)}>
              {lines.map((l) => (
                <option key={l.id} value={l.id}>
                  {t("lineOption", { lender: l.lenderName, amount: format.money(l.availableMinor) })}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t("supplier")} htmlFor="to" error={amountText || maturityDate ? fieldErrors.to : undefined}>
            <select id="to" className={inputClass} value={toOrgId} onChange={(e) => setToOrgId(e.target.value)}>
              <option value="">{t("choose")}</option>
              {recipients.tier1.length > 0 ? (
                <optgroup label={t("tier1Suppliers")}>
                  {recipients.tier1.map((s) => (
                    <option key={s.id} value={s.id}>
                      {s.name}
                      {s.city ? ` — ${s.city}` : ""}
                    </option>
                  ))}
                </optgroup>
              ) : null}
              {recipients.others.length > 0 ? (
                <optgroup label={t("newSuppliers")}>
                  {recipients.others.map((s) => (
                    <option key={s.id} value={s.id}>
                      {s.name}
                      {s.city ? ` — ${s.city}` : ""}
                    </option>
                  ))}
                </optgroup>
              ) : null}
            </select>
          </Field>
          <Field label={t("amount")} htmlFor="amount" hint={amount?.ok ? `${t("capitals")}: ${format.capitals(amount.amountMinor)}` : t("amountHint")} error={amountText ? fieldErrors.amount : undefined}>
            <input id="amount" className={`${inputClass} text-right tabular-nums`} inputMode="decimal" value={amountText} onChange={(e) => setAmountText(e.target.value)} />
          </Field>
          <Field label={t("maturity")} htmlFor="maturity" error={maturityDate ? fieldErrors.maturity : undefined}>
            <input id="maturity" type="date" className={inputClass} value={maturityDate} onChange={(e) => setMaturityDate(e.target.value)} />
          </Field>
          <Field label={t("reference")} htmlFor="reference" hint={t("referenceHint")} error={fieldErrors.reference}>
            <input id="reference" className={inputClass} value={reference} onChange={(e) => setReference(e.target.value)} maxLength={TRADE_REFERENCE_MAX_CHARACTERS + 10} placeholder={t("referencePlaceholder")} />
          </Field>
        </div>
        <div className="mt-6 grid gap-3 sm:grid-cols-3">
          {DOCUMENTS.map((d) => (
            <label key={d.key} className="block rounded-lg border border-dashed border-slate-300 p-3 text-sm hover:border-brand-500">
              <span className="font-medium text-slate-700">{t(`documents.${d.key}`)}</span>
              <span className="mt-1 block truncate text-xs text-slate-500">{docs[d.key] ? `${docs[d.key]?.name} · ${docs[d.key]?.sha256.slice(0, 12)}…` : t("optionalFile")}</span>
              <input
                type="file"
                className="sr-only"
                aria-label={t("file", { document: t(`documents.${d.key}`) })}
                onChange={async (e) => {
                  const file = e.target.files?.[0];
                  if (file) {
                    const hash = await hashFile(file);
                    setDocs((current) => ({ ...current, [d.key]: { name: file.name, sha256: hash } }));
                  }
                }}
              />
            </label>
          ))}
        </div>
      </Card>
      <div className="space-y-4">
        {error ? <Alert>{error}</Alert> : null}
        {!previewing ? (
          <Button className="w-full" disabled={problems.length > 0} onClick={() => setPreviewing(true)}>
            {t("preview")}
          </Button>
        ) : (
          <Card title={t("preview")}>
            <dl className="space-y-2 text-sm" data-testid="issue-preview">
              <div className="flex justify-between gap-2">
                <dt className="text-slate-500">{t("to")}</dt>
                <dd className="text-right">{[...recipients.tier1, ...recipients.others].find((s) => s.id === toOrgId)?.name}</dd>
              </div>
              <div className="flex justify-between gap-2">
                <dt className="text-slate-500">{t("amountLabel")}</dt>
                <dd className="font-semibold tabular-nums">{amount?.ok ? format.money(amount.amountMinor) : ""}</dd>
              </div>
              <div className="flex justify-between gap-2">
                <dt className="text-slate-500">{t("capitals")}</dt>
                <dd className="text-right" data-testid="issue-capitals">{amount?.ok ? format.capitals(amount.amountMinor) : ""}</dd>
              </div>
              <div className="flex justify-between gap-2">
                <dt className="text-slate-500">{t("matures")}</dt>
                <dd>{maturityDate ? format.date(maturityDate) : ""}</dd>
              </div>
              {referenceText ? (
                <div className="flex justify-between gap-2">
                  <dt className="text-slate-500">{t("reference")}</dt>
                  <dd className="break-all text-right" data-testid="issue-reference">
                    {referenceText}
                  </dd>
                </div>
              ) : null}
              <div className="flex justify-between gap-2">
                <dt className="text-slate-500">{t("backedBy")}</dt>
                <dd className="text-right">{line?.lenderName}</dd>
              </div>
            </dl>
            <div className="mt-4 flex gap-2">
              <Button onClick={() => void submit()} disabled={action.busy}>
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
