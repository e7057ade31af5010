"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslations } from "next-intl";
import type { ClaimRowDto } from "../../_trpc/types";
import { useTRPC } from "../../_trpc/client";
import { DataTable, type Column } from "../../_components/data-table";
import { LoadingPage } from "../../_components/status-page";
import { Alert, Badge, Button, Card, EmptyState, inputClass } from "../../_components/ui";
import { daysUntil } from "../../_lib/format";
import { useFormatters } from "../../_lib/use-formatters";
import { daysText } from "../../_lib/days-text";
import type { Formatters } from "../../_lib/localized-format";
import { errorMessage } from "../../_lib/errors";
import { useLedgerAction } from "../../_lib/use-ledger-action";


export function ClaimsWorkspace({ selfOrgId, canSign }: { selfOrgId: string; canSign: boolean }) {
  const t = useTranslations();
  const format = useFormatters();
  const trpc = useTRPC();
  const list = useQuery(trpc.ledger.claimRows.queryOptions());
  const historyQuery = useQuery(trpc.ledger.history.queryOptions());
  // Outcomes live here, not in the inbox item: an accepted or rejected offer leaves the inbox.
  const [notice, setNotice] = useState<string | null>(null);
  if (list.isPending) return <LoadingPage label={t("claims.loading")} />;
  if (list.error) return <Alert>{errorMessage(list.error, t)}</Alert>;
  const rows = list.data;
  const inbox = rows.filter((c) => c.offeredToName !== null && c.holderOrgId !== selfOrgId);
  const holdings = rows.filter((c) => c.holderOrgId === selfOrgId);
  return (
    <div className="space-y-6">
      {notice ? (
        <div data-testid="claims-notice">
          <Alert tone="green">{notice}</Alert>
        </div>
      ) : null}
      {canSign ? null : <Alert tone="blue">{t("claims.viewerNotice")}</Alert>}
      <Card title={t("claims.inbox", { count: inbox.length })}>
        {inbox.length === 0 ? (
          <EmptyState title={t("claims.noOffers")}>{t("claims.noOffersBody")}</EmptyState>
        ) : (
          <ul className="divide-y divide-slate-100">
            {inbox.map((c) => (
              <InboxItem key={c.id} claim={c} canSign={canSign} onDone={setNotice} />
            ))}
          </ul>
        )}
      </Card>
      <Card title={t("claims.holdings")}>
        {holdings.length === 0 ? <EmptyState title={t("claims.noHoldings")}>{t("claims.noHoldingsBody")}</EmptyState> : <HoldingsTable rows={holdings} canSign={canSign} />}
      </Card>
      <Card title={t("claims.history")}>
        {historyQuery.data && historyQuery.data.length > 0 ? (
          <ul className="divide-y divide-slate-100 text-sm">
            {historyQuery.data.map((h) => (
              <li key={h.txId} className="py-2" data-testid={`history-${h.leafIndex}`}>
                {/* The row speaks of what happened; the ledger's own detail is one click away. */}
                <details>
                  <summary className="flex cursor-pointer list-none flex-wrap items-center justify-between gap-2">
                    <span>
                      <Badge tone={h.outgoing ? "blue" : "green"}>{h.outgoing ? t("claims.out") : t("claims.in")}</Badge>{" "}
                      <span className="font-medium text-slate-800">{t.has(`transactions.${h.type}`) ? t(`transactions.${h.type}`) : t("claims.otherTransaction")}</span>{" "}
                      <span className="text-slate-500">{t("claims.by", { name: h.signerName })}</span>
                      {h.signedBy ? (
                        <span className="text-slate-500" data-testid="signed-by">
                          {" "}
                          {t("claims.signedBy", { person: h.signedBy.person, role: t(`keys.org.roles.${h.signedBy.role}`) })}
                        </span>
                      ) : null}
                    </span>
                    <span className="text-xs text-slate-500">{format.dateTime(h.acceptedAtMs)}</span>
                  </summary>
                  <div className="mt-2 space-y-1 rounded-md bg-slate-50 p-2 text-xs text-slate-600">
                    <div>{t("claims.ledgerEntry", { leaf: h.leafIndex })}</div>
                    <div className="break-all font-mono">{h.txId}</div>
                    {h.claimIds.map((claimId) => (
                      <Link key={claimId} href={`/claims/${claimId}`} className="mr-3 inline-block font-medium text-brand-600 hover:underline">
                        {t("claims.openClaim", { id: claimId.slice(0, 10) })}
                      </Link>
                    ))}
                  </div>
                </details>
              </li>
            ))}
          </ul>
        ) : (
          <EmptyState title={t("claims.noHistory")}>{t("claims.noHistoryBody")}</EmptyState>
        )}
      </Card>
    </div>
  );
}

function InboxItem({ claim, canSign, onDone }: { claim: ClaimRowDto; canSign: boolean; onDone: (notice: string) => void }) {
  const tAll = useTranslations();
  const t = useTranslations("claims");
  const format = useFormatters();
  const action = useLedgerAction();
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState("");
  const [message, setMessage] = useState<{ tone: "red"; text: string } | null>(null);
  async function accept() {
    const result = await action.run("claim.accept", { claimId: claim.id });
    if (result.ok) onDone(t("accepted", { amount: format.money(claim.amountMinor), name: claim.holderName }));
    else setMessage({ tone: "red", text: result.message });
  }
  async function reject() {
    if (!reason.trim()) return setMessage({ tone: "red", text: t("giveReason") });
    const result = await action.run("claim.reject", { claimId: claim.id, reason: reason.trim() });
    if (result.ok) onDone(t("rejected", { amount: format.money(claim.amountMinor), name: claim.holderName }));
    else setMessage({ tone: "red", text: result.message });
  }
  return (
    <li className="py-4" data-testid={`inbox-${claim.id}`}>
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <div className="text-lg font-semibold tabular-nums text-slate-900">{format.money(claim.amountMinor)}</div>
          <div className="text-sm text-slate-600">
            {t("offerLine", { holder: claim.holderName, issuer: claim.issuerName, date: format.date(claim.maturityDate), days: daysText(tAll, daysUntil(claim.maturityDate)) })}
          </div>
          <Link href={`/claims/${claim.id}`} className="text-xs font-medium text-brand-600 hover:underline">
            {t("checkProvenance")}
          </Link>
        </div>
        {canSign ? (
          <div className="flex gap-2">
            <Button onClick={() => void accept()} disabled={action.busy}>
              {t("accept")}
            </Button>
            <Button variant="secondary" onClick={() => setRejecting((r) => !r)} disabled={action.busy}>
              {t("reject")}
            </Button>
          </div>
        ) : null}
      </div>
      {rejecting ? (
        <div className="mt-3 flex flex-wrap items-end gap-2">
          <label className="flex-1 text-sm">
            <span className="text-slate-700">{t("rejectReason")}</span>
            <input className={`${inputClass} mt-1`} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} placeholder={t("rejectPlaceholder")} />
          </label>
          <Button variant="danger" onClick={() => void reject()} disabled={action.busy}>
            {t("rejectOffer")}
          </Button>
        </div>
      ) : null}
      {message ? (
        <div className="mt-3">
          <Alert tone={message.tone}>{message.text}</Alert>
        </div>
      ) : null}
    </li>
  );
}

type Translate = ReturnType<typeof useTranslations<never>>;

const HOLDING_COLUMNS = (canSign: boolean, t: Translate, format: Formatters): Column<ClaimRowDto>[] => [
  { header: t("claims.amount"), className: "font-semibold tabular-nums text-slate-900", cell: (c) => format.money(c.outstandingMinor) },
  { header: t("claims.coreEnterprise"), className: "text-slate-700", cell: (c) => c.issuerName },
  {
    header: t("claims.maturity"),
    className: "text-slate-600",
    cell: (c) => (
      <>
        {format.date(c.maturityDate)} <span className="text-xs text-slate-500">({daysText(t, daysUntil(c.maturityDate), c.state)})</span>
      </>
    ),
  },
  { header: t("claims.tier"), className: "text-slate-600", cell: (c) => c.depth, hideOnPhone: true },
  {
    header: t("claims.status"),
    cell: (c) => (
      <Badge tone={c.state === "held" ? "green" : c.state === "offered" ? "amber" : "blue"}>
        {c.offeredToName ? t("claims.offeredTo", { name: c.offeredToName }) : t.has(`states.${c.state}`) ? t(`states.${c.state}`) : c.state}
      </Badge>
    ),
  },
  {
    header: <span className="sr-only">{t("claims.actions")}</span>,
    label: t("claims.actions"),
    align: "right",
    cell: (c) => (
      <span className="inline-flex flex-wrap items-center justify-end gap-x-3 gap-y-1 whitespace-nowrap">
        <Link href={`/claims/${c.id}`} className="text-sm font-medium text-brand-600 hover:underline">
          {t("claims.provenance")}
        </Link>
        {canSign && c.state === "held" ? (
          <>
            <Link href={`/claims/${c.id}/split`} className="text-sm font-medium text-brand-600 hover:underline">
              {t("claims.split")}
            </Link>
            <Link href={`/claims/${c.id}/finance`} className="text-sm font-medium text-brand-600 hover:underline">
              {t("claims.finance")}
            </Link>
            <PledgeControl claimId={c.id} />
          </>
        ) : null}
      </span>
    ),
  },
];

function HoldingsTable({ rows, canSign }: { rows: ClaimRowDto[]; canSign: boolean }) {
  const t = useTranslations();
  const format = useFormatters();
  return <DataTable columns={HOLDING_COLUMNS(canSign, t, format)} rows={rows} rowKey={(c) => c.id} rowTestId={(c) => `holding-${c.id}`} caption={t("claims.yourHoldings")} stack />;
}

function PledgeControl({ claimId }: { claimId: string }) {
  const t = useTranslations("claims");
  const trpc = useTRPC();
  const [open, setOpen] = useState(false);
  const lenders = useQuery(trpc.organisations.directory.queryOptions({ role: "lender" }, { enabled: open }));
  const action = useLedgerAction();
  const [lenderOrgId, setLenderOrgId] = useState("");
  const [error, setError] = useState<string | null>(null);
  if (!open) {
    return (
      <button type="button" className="text-sm font-medium text-brand-600 hover:underline" onClick={() => setOpen(true)}>
        {t("pledge")}
      </button>
    );
  }
  async function pledge() {
    const result = await action.run("claim.pledge", { claimId, lenderOrgId });
    if (!result.ok) setError(result.message);
  }
  return (
    <span className="inline-flex flex-wrap items-center gap-2 align-middle">
      <label className="sr-only" htmlFor={`pledge-${claimId}`}>
        {t("pledgeTo")}
      </label>
      <select id={`pledge-${claimId}`} className={`${inputClass} w-48`} value={lenderOrgId} onChange={(e) => setLenderOrgId(e.target.value)}>
        <option value="">{t("chooseLender")}</option>
        {(lenders.data ?? []).map((l) => (
          <option key={l.id} value={l.id}>
            {l.name}
          </option>
        ))}
      </select>
      <Button disabled={!lenderOrgId || action.busy} onClick={() => void pledge()}>
        {t("signPledge")}
      </Button>
      {error ? <span className="block w-full text-xs text-rose-600">{error}</span> : null}
    </span>
  );
}
