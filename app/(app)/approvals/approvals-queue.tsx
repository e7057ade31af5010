"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { decodeSignedTransaction } from "@/contracts/ledger/schema";
import { transactionDigest, transactionId } from "@/contracts/transaction";
import { Alert, Badge, Button, Card, EmptyState, inputClass } from "../../_components/ui";
import { Skeleton } from "../../_components/status-page";
import { useErrorMessage } from "../../_lib/errors";
import { refusalText } from "../../_lib/refusal-text";
import { SignerError, useSigner } from "../../_lib/signing-context";
import { useFormatters } from "../../_lib/use-formatters";
import { useTRPC } from "../../_trpc/client";
import type { RouterOutputs } from "../../_trpc/types";

type Approval = RouterOutputs["approvals"]["list"]["waiting"][number];

const STATUS_TONE = { pending: "amber", approved: "green", rejected: "red", withdrawn: "slate", expired: "slate", superseded: "slate" } as const;

/**
 * The approvals queue: what waits for the signed-in approver, what the person prepared, and
 * what was decided lately, each showing exactly the fields its maker signed.
 */
export function ApprovalsQueue({ heldId }: { heldId: string | null }) {
  const t = useTranslations("approvals");
  const errorMessage = useErrorMessage();
  const trpc = useTRPC();
  const list = useQuery(trpc.approvals.list.queryOptions());
  if (list.isPending) return <Card><Skeleton label={t("title")} rows={3} /></Card>;
  if (list.error) return <Alert>{errorMessage(list.error)}</Alert>;
  const { waiting, mine, decided } = list.data;
  return (
    <div className="space-y-6">
      {heldId && mine.some((item) => item.id === heldId && item.status === "pending") ? <Alert tone="amber">{t("heldNotice")}</Alert> : null}
      <section aria-labelledby="waiting-title" className="space-y-3">
        <h2 id="waiting-title" className="text-base font-semibold text-slate-900">{t("waitingTitle")}</h2>
        {waiting.length === 0 ? <EmptyState title={t("waitingEmpty")} /> : waiting.map((item) => <ApprovalCard key={item.id} item={item} />)}
      </section>
      <section aria-labelledby="mine-title" className="space-y-3">
        <h2 id="mine-title" className="text-base font-semibold text-slate-900">{t("mineTitle")}</h2>
        {mine.length === 0 ? <EmptyState title={t("mineEmpty")} /> : mine.map((item) => <ApprovalCard key={item.id} item={item} />)}
      </section>
      {decided.some((item) => !item.mine) ? (
        <section aria-labelledby="decided-title" className="space-y-3">
          <h2 id="decided-title" className="text-base font-semibold text-slate-900">{t("decidedTitle")}</h2>
          {decided.filter((item) => !item.mine).map((item) => <ApprovalCard key={item.id} item={item} />)}
        </section>
      ) : null}
    </div>
  );
}

function typeKey(type: string): string {
  return type.replace(".", "_");
}

/** The signed body's fields in the reader's words: amounts with capitals (大写), organisations by name, dates in the locale. */
function BodyFields({ item }: { item: Approval }) {
  const t = useTranslations("approvals");
  const f = useFormatters();
  const body = item.signed.transaction.body as Record<string, unknown>;
  const rows: { label: string; value: string; testId?: string }[] = [];
  const label = (field: string) => (t.has(`fields.${field}`) ? t(`fields.${field}` as "fields.amountMinor") : field);
  for (const [field, raw] of Object.entries(body)) {
    // A terms salt (contracts/terms-commitments.ts) is random bytes for bundles' privacy, nothing an approver weighs.
    if (raw === null || raw === undefined || field === "termsSaltHex") continue;
    if (field === "documents" && typeof raw === "object") {
      const reference = (raw as { reference?: string }).reference;
      if (reference) rows.push({ label: label("reference"), value: reference });
      continue;
    }
    if (field.endsWith("Minor") && (typeof raw === "string" || typeof raw === "number")) {
      const minor = BigInt(raw);
      rows.push({ label: label(field), value: f.money(minor), testId: `approval-${field}` });
      if (field === "amountMinor" || field === "limitMinor" || field === "approvalAboveMinor" || field === "maxAmountMinor") rows.push({ label: t("fields.capitals"), value: f.capitals(minor), testId: `approval-${field}-capitals` });
    } else if (field.endsWith("OrgId") && typeof raw === "string") rows.push({ label: label(field), value: item.summary[field] ?? raw });
    // A credit line by its lender's name; its id is in the signed body below.
    else if (field === "creditLineId" && typeof raw === "string") rows.push({ label: label(field), value: item.summary[field] ? t("creditLineOf", { lender: item.summary[field] }) : raw });
    else if (field.endsWith("Date") && typeof raw === "string") rows.push({ label: label(field), value: f.date(raw) });
    else if (field.endsWith("AtMs") && typeof raw === "number") rows.push({ label: label(field), value: f.dateTime(raw) });
    else if (field === "rateBps" && typeof raw === "number") rows.push({ label: label(field), value: `${(raw / 100).toFixed(2)}%` });
    else if (typeof raw === "boolean") rows.push({ label: label(field), value: raw ? t("yes") : t("no") });
    else if (typeof raw === "string" || typeof raw === "number") rows.push({ label: label(field), value: String(raw) });
  }
  return (
    <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-2">
      {rows.map((row) => (
        <div key={`${row.label}:${row.value}`} className="flex justify-between gap-3 border-b border-slate-100 pb-1">
          <dt className="text-slate-500">{row.label}</dt>
          <dd className="break-all text-right font-medium tabular-nums text-slate-900" data-testid={row.testId}>{row.value}</dd>
        </div>
      ))}
    </dl>
  );
}

function ApprovalCard({ item }: { item: Approval }) {
  const t = useTranslations("approvals");
  const f = useFormatters();
  const type = typeKey(item.type);
  return (
    <Card>
      <article className="space-y-3" data-testid="approval-item" aria-label={t(`types.${type}` as "types.claim_issue")}>
        <header className="flex flex-wrap items-center justify-between gap-2">
          <h3 className="font-semibold text-slate-900">{t.has(`types.${type}`) ? t(`types.${type}` as "types.claim_issue") : item.type}</h3>
          <Badge tone={STATUS_TONE[item.status]}>{t(`status.${item.status}`)}</Badge>
        </header>
        <p className="text-xs text-slate-500">
          {t("preparedBy", { name: item.preparedBy.name })} · {t("preparedAt", { time: f.dateTime(item.signedAtMs) })}
          {item.status === "pending" ? ` · ${t("expiresAt", { time: f.dateTime(item.expiresAtMs) })}` : null}
          {item.status === "pending" && item.cosignedBy.length > 0 ? ` · ${t("cosigned", { count: item.cosignedBy.length })}` : null}
        </p>
        <BodyFields item={item} />
        <details className="text-xs">
          <summary className="cursor-pointer text-brand-700">{t("showBody")}</summary>
          <p className="mt-2 break-all font-mono">{t("txId")}: {item.txId}</p>
          {item.leafIndex !== null ? <p className="mt-1 font-mono">{t("entry", { leaf: item.leafIndex })}</p> : null}
          <pre className="mt-2 max-h-64 overflow-auto rounded bg-slate-50 p-2 font-mono">{JSON.stringify(item.signed, null, 2)}</pre>
        </details>
        <Outcome item={item} />
        {item.status === "pending" ? <Actions item={item} /> : null}
      </article>
    </Card>
  );
}

/** What became of a decided item, and why. */
function Outcome({ item }: { item: Approval }) {
  const t = useTranslations("approvals");
  const tAll = useTranslations();
  const f = useFormatters();
  if (item.status === "pending") return null;
  const by = item.decidedBy && item.decidedAtMs !== null ? t("decidedBy", { name: item.decidedBy.name, time: f.dateTime(item.decidedAtMs) }) : null;
  return (
    <div className="space-y-1 text-sm text-slate-600">
      {by ? <p>{t(`status.${item.status}`)}: {by}</p> : null}
      {item.status === "approved" ? <p>{t("approved")}</p> : null}
      {item.reason ? <p>{t("reasonLabel")}: {item.reason}</p> : null}
      {item.status === "expired" || item.status === "superseded" ? <p>{t(`statusHelp.${item.status}`)}</p> : null}
      {item.refusalCode ? <p>{t("refusalLabel")}: {refusalText(tAll, item.refusalCode)}</p> : null}
    </div>
  );
}

/** Approve (the approver's key cosigns the transaction id after a confirmation), reject with a reason, or withdraw one's own. */
function Actions({ item }: { item: Approval }) {
  const t = useTranslations("approvals");
  const tAll = useTranslations();
  const errorMessage = useErrorMessage();
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const signer = useSigner();
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: trpc.approvals.pathKey() });
    await queryClient.invalidateQueries({ queryKey: trpc.ledger.pathKey() });
    router.refresh();
  };
  const approve = useMutation(trpc.approvals.approve.mutationOptions());
  const reject = useMutation(trpc.approvals.reject.mutationOptions());
  const withdraw = useMutation(trpc.approvals.withdraw.mutationOptions());
  const [step, setStep] = useState<"idle" | "confirm" | "reject" | "withdraw">("idle");
  const [reason, setReason] = useState("");
  const [reasonError, setReasonError] = useState<string | null>(null);
  const [message, setMessage] = useState<{ tone: "green" | "red" | "amber"; text: string } | null>(null);
  const busy = approve.isPending || reject.isPending || withdraw.isPending;

  async function runApprove() {
    setMessage(null);
    try {
      // The key signs what this page decoded and showed, checked against the id it names.
      const decoded = decodeSignedTransaction(item.signed);
      if (!decoded.ok || transactionId(decoded.value.transaction) !== item.txId) throw new Error(t("notTheSame"));
      const cosignature = await signer.cosign(transactionDigest(decoded.value.transaction), { reason: t("confirmTitle") });
      const result = await approve.mutateAsync({ id: item.id, cosignature });
      const ledger = result.ledger;
      if (ledger === null || ledger.status === "accepted") setMessage({ tone: "green", text: t("approved") });
      else if (ledger.code === "approval_missing" && result.approval.status === "pending") setMessage({ tone: "amber", text: t("moreNeeded", { reason: refusalText(tAll, ledger.code, ledger.text) }) });
      else setMessage({ tone: "red", text: t("refused", { reason: refusalText(tAll, ledger.code, ledger.text) }) });
      setStep("idle");
      await refresh();
    } catch (failure) {
      if (!(failure instanceof SignerError && failure.code === "cancelled")) setMessage({ tone: "red", text: errorMessage(failure) });
    }
  }

  async function runReject() {
    if (reason.trim().length === 0) return setReasonError(t("reasonRequired"));
    setReasonError(null);
    setMessage(null);
    try {
      await reject.mutateAsync({ id: item.id, reason: reason.trim() });
      setMessage({ tone: "green", text: t("rejected") });
      await refresh();
    } catch (failure) {
      setMessage({ tone: "red", text: errorMessage(failure) });
    }
  }

  async function runWithdraw() {
    setMessage(null);
    try {
      await withdraw.mutateAsync({ id: item.id });
      setStep("idle");
      setMessage({ tone: "green", text: t("withdrawn") });
      await refresh();
    } catch (failure) {
      setMessage({ tone: "red", text: errorMessage(failure) });
    }
  }

  const feedback = message ? <Alert tone={message.tone}>{message.text}</Alert> : null;
  if (item.mine) {
    return (
      <div className="space-y-2">
        {feedback}
        {step === "withdraw" ? (
          // Withdrawing cannot be undone: the maker says so once more before it happens.
          <div className="space-y-2 rounded-md border border-amber-200 bg-amber-50 p-3 text-sm" role="group" aria-label={t("withdrawConfirmTitle")}>
            <p className="font-medium">{t("withdrawConfirmTitle")}</p>
            <p>{t("withdrawConfirmText")}</p>
            <div className="flex flex-wrap gap-2">
              <Button disabled={busy} onClick={() => void runWithdraw()}>{t("confirmWithdraw")}</Button>
              <Button variant="secondary" disabled={busy} onClick={() => setStep("idle")}>{t("cancel")}</Button>
            </div>
          </div>
        ) : (
          <Button variant="secondary" disabled={busy} onClick={() => setStep("withdraw")}>{t("withdraw")}</Button>
        )}
      </div>
    );
  }
  return (
    <div className="space-y-3">
      {feedback}
      {step === "idle" ? (
        <div className="flex flex-wrap gap-2">
          <Button disabled={busy} onClick={() => setStep("confirm")}>{t("approve")}</Button>
          <Button variant="secondary" disabled={busy} onClick={() => setStep("reject")}>{t("reject")}</Button>
        </div>
      ) : null}
      {step === "confirm" ? (
        <div className="space-y-2 rounded-md border border-brand-100 bg-brand-50 p-3 text-sm" role="group" aria-label={t("confirmTitle")}>
          <p className="font-medium">{t("confirmTitle")}</p>
          <p className="break-all">{t("confirmText", { txId: item.txId })}</p>
          <div className="flex flex-wrap gap-2">
            <Button disabled={busy} onClick={() => void runApprove()}>{approve.isPending ? t("signing") : t("confirm")}</Button>
            <Button variant="secondary" disabled={busy} onClick={() => setStep("idle")}>{t("cancel")}</Button>
          </div>
        </div>
      ) : null}
      {step === "reject" ? (
        <div className="space-y-2">
          <label htmlFor={`reason-${item.id}`} className="block text-sm font-medium text-slate-700">{t("rejectReason")}</label>
          <textarea id={`reason-${item.id}`} className={inputClass} rows={2} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} aria-invalid={reasonError ? true : undefined} aria-describedby={reasonError ? `reason-${item.id}-error` : undefined} />
          {reasonError ? <p id={`reason-${item.id}-error`} className="text-xs text-rose-600">{reasonError}</p> : null}
          <div className="flex flex-wrap gap-2">
            <Button disabled={busy} onClick={() => void runReject()}>{t("confirmReject")}</Button>
            <Button variant="secondary" disabled={busy} onClick={() => setStep("idle")}>{t("cancel")}</Button>
          </div>
        </div>
      ) : null}
    </div>
  );
}
