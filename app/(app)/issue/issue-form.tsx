"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@/contracts/hex";
import { parseAmountMinor } from "@/contracts/money";
import { Alert, Button, Card, Field, inputClass } from "../../_components/ui";
import { formatDate, formatMinor } from "../../_lib/format";
import { useLedgerAction } from "../../_lib/use-ledger-action";
import { beijingDate } from "@/contracts/ledger/maturity";

const DOCUMENTS = [
  { key: "invoiceSha256", label: "Invoice" },
  { key: "contractSha256", label: "Purchase contract" },
  { key: "deliveryNoteSha256", label: "Delivery note" },
] as const;
type DocKey = (typeof DOCUMENTS)[number]["key"];

/** Hashes a file in the browser; the file itself never has to leave the machine. */
async function hashFile(file: File): Promise<string> {
  return bytesToHex(sha256(new Uint8Array(await file.arrayBuffer())));
}

export function IssueForm({
  lines,
  suppliers,
}: {
  lines: { id: string; lenderName: string; availableMinor: bigint; expiresAtMs: number }[];
  suppliers: { id: string; name: string; city: string }[];
}) {
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
  const problems: string[] = [];
  if (!line) problems.push("Choose a credit line.");
  if (!toOrgId) problems.push("Choose the tier-1 supplier.");
  if (!amount) problems.push("Enter the amount.");
  else if (!amount.ok) problems.push(amount.message);
  else if (line && amount.amountMinor > line.availableMinor) problems.push(`The line has only ${formatMinor(line.availableMinor)} available.`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(maturityDate)) problems.push("Choose the maturity date.");
  else if (maturityDate <= today) problems.push("The maturity date must be in the future.");

  // Without an uploaded file, the document reference typed in is hashed instead, so every
  // issuance still commits to its trade documents.
  const documentHashes = Object.fromEntries(
    DOCUMENTS.map((d) => [d.key, docs[d.key]?.sha256 ?? bytesToHex(sha256(utf8ToBytes(`${d.label}: ${reference || "unspecified"}`)))]),
  ) as Record<DocKey, string>;

  async function submit() {
    if (!amount?.ok) return;
    setError(null);
    const result = await action.run("claim.issue", { creditLineId: lineId, toOrgId, amountMinor: amount.amountMinor, currency: "CNY", maturityDate, documents: documentHashes });
    if (!result.ok) return setError(result.message);
    router.push("/issuances?done=issued");
    router.refresh();
  }

  if (lines.length === 0) return <Alert tone="amber">You have no active credit line. A lender must grant you one before you can issue claims.</Alert>;

  return (
    <div className="grid items-start gap-6 lg:grid-cols-[1fr_22rem]">
      <Card title="Claim">
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label="Credit line" htmlFor="line">
            <select id="line" className={inputClass} value={lineId} onChange={(e) => setLineId(e.target.value)}>
              {lines.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.lenderName} — {formatMinor(l.availableMinor)} available
                </option>
              ))}
            </select>
          </Field>
          <Field label="Tier-1 supplier" htmlFor="to">
            <select id="to" className={inputClass} value={toOrgId} onChange={(e) => setToOrgId(e.target.value)}>
              <option value="">Choose…</option>
              {suppliers.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                  {s.city ? ` — ${s.city}` : ""}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Amount (CNY)" htmlFor="amount" hint="e.g. 1,000,000.00">
            <input id="amount" className={`${inputClass} text-right tabular-nums`} inputMode="decimal" value={amountText} onChange={(e) => setAmountText(e.target.value)} />
          </Field>
          <Field label="Maturity date" htmlFor="maturity">
            <input id="maturity" type="date" className={inputClass} value={maturityDate} onChange={(e) => setMaturityDate(e.target.value)} />
          </Field>
          <Field label="Document reference" htmlFor="reference" hint="Used for documents you do not upload">
            <input id="reference" className={inputClass} value={reference} onChange={(e) => setReference(e.target.value)} maxLength={120} placeholder="e.g. PO-2026-0418" />
          </Field>
        </div>
        <div className="mt-6 grid gap-3 sm:grid-cols-3">
          {DOCUMENTS.map((d) => (
            <label key={d.key} className="block rounded-lg border border-dashed border-slate-300 p-3 text-sm hover:border-brand-500">
              <span className="font-medium text-slate-700">{d.label}</span>
              <span className="mt-1 block truncate text-xs text-slate-500">{docs[d.key] ? `${docs[d.key]?.name} · ${docs[d.key]?.sha256.slice(0, 12)}…` : "Optional file, hashed in your browser"}</span>
              <input
                type="file"
                className="sr-only"
                aria-label={`${d.label} file`}
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
        {(amountText || toOrgId || maturityDate) && problems.length > 0 ? (
          <Alert tone="amber">
            <ul className="list-disc space-y-1 pl-4">
              {problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </Alert>
        ) : null}
        {error ? <Alert>{error}</Alert> : null}
        {!previewing ? (
          <Button className="w-full" disabled={problems.length > 0} onClick={() => setPreviewing(true)}>
            Preview
          </Button>
        ) : (
          <Card title="Preview">
            <dl className="space-y-2 text-sm" data-testid="issue-preview">
              <div className="flex justify-between gap-2">
                <dt className="text-slate-500">To</dt>
                <dd className="text-right">{suppliers.find((s) => s.id === toOrgId)?.name}</dd>
              </div>
              <div className="flex justify-between gap-2">
                <dt className="text-slate-500">Amount</dt>
                <dd className="font-semibold tabular-nums">{amount?.ok ? formatMinor(amount.amountMinor) : ""}</dd>
              </div>
              <div className="flex justify-between gap-2">
                <dt className="text-slate-500">Matures</dt>
                <dd>{maturityDate ? formatDate(`${maturityDate}T00:00:00Z`) : ""}</dd>
              </div>
              <div className="flex justify-between gap-2">
                <dt className="text-slate-500">Backed by</dt>
                <dd className="text-right">{line?.lenderName}</dd>
              </div>
            </dl>
            <div className="mt-4 flex gap-2">
              <Button onClick={() => void submit()} disabled={action.busy}>
                {action.busy ? "Signing…" : "Sign and issue"}
              </Button>
              <Button variant="secondary" onClick={() => setPreviewing(false)}>
                Edit
              </Button>
            </div>
          </Card>
        )}
      </div>
    </div>
  );
}
