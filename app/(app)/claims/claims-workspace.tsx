"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { ClaimRowDto } from "../../_trpc/types";
import { useTRPC } from "../../_trpc/client";
import { DataTable, type Column } from "../../_components/data-table";
import { Alert, Badge, Button, Card, EmptyState, inputClass } from "../../_components/ui";
import { daysUntil, formatDate, formatMinor } from "../../_lib/format";
import { errorMessage } from "../../_lib/errors";
import { useLedgerAction } from "../../_lib/use-ledger-action";


export function ClaimsWorkspace({ selfOrgId, canSign }: { selfOrgId: string; canSign: boolean }) {
  const trpc = useTRPC();
  const dashboard = useQuery(trpc.ledger.dashboard.queryOptions());
  const historyQuery = useQuery(trpc.ledger.history.queryOptions());
  // Outcomes live here, not in the inbox item: an accepted or rejected offer leaves the inbox.
  const [notice, setNotice] = useState<string | null>(null);
  if (dashboard.isPending) return <p className="text-sm text-slate-500">Loading your claims…</p>;
  if (dashboard.error) return <Alert>{errorMessage(dashboard.error)}</Alert>;
  const rows = dashboard.data.claims;
  const inbox = rows.filter((c) => c.offeredToName !== null && c.holderOrgId !== selfOrgId);
  const holdings = rows.filter((c) => c.holderOrgId === selfOrgId);
  return (
    <div className="space-y-6">
      {notice ? (
        <div data-testid="claims-notice">
          <Alert tone="green">{notice}</Alert>
        </div>
      ) : null}
      <Card title={`Inbox (${inbox.length})`}>
        {inbox.length === 0 ? (
          <EmptyState title="No offers waiting">Claims your customers pass to you appear here for acceptance.</EmptyState>
        ) : (
          <ul className="divide-y divide-slate-100">
            {inbox.map((c) => (
              <InboxItem key={c.id} claim={c} canSign={canSign} onDone={setNotice} />
            ))}
          </ul>
        )}
      </Card>
      <Card title="Holdings">
        {holdings.length === 0 ? <EmptyState title="You hold no claims yet" /> : <HoldingsTable rows={holdings} canSign={canSign} />}
      </Card>
      <Card title="History">
        {historyQuery.data && historyQuery.data.length > 0 ? (
          <ul className="divide-y divide-slate-100 text-sm">
            {historyQuery.data.map((h) => (
              <li key={h.txId} className="flex flex-wrap items-center justify-between gap-2 py-2">
                <span>
                  <Badge tone={h.outgoing ? "blue" : "green"}>{h.outgoing ? "out" : "in"}</Badge>{" "}
                  <span className="font-medium text-slate-800">{h.type}</span> <span className="text-slate-500">by {h.signerName}</span>
                </span>
                <span className="text-xs text-slate-500">
                  leaf #{h.leafIndex} · {new Date(h.acceptedAtMs).toLocaleString("en-GB", { timeZone: "UTC" })} UTC
                </span>
              </li>
            ))}
          </ul>
        ) : (
          <EmptyState title="Nothing yet" />
        )}
      </Card>
    </div>
  );
}

function InboxItem({ claim, canSign, onDone }: { claim: ClaimRowDto; canSign: boolean; onDone: (notice: string) => void }) {
  const action = useLedgerAction();
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState("");
  const [message, setMessage] = useState<{ tone: "red"; text: string } | null>(null);
  async function accept() {
    const result = await action.run("claim.accept", { claimId: claim.id });
    if (result.ok) onDone(`Accepted ${formatMinor(claim.amountMinor)} from ${claim.holderName} (ledger leaf #${result.leafIndex}). It is now in your holdings.`);
    else setMessage({ tone: "red", text: result.message });
  }
  async function reject() {
    if (!reason.trim()) return setMessage({ tone: "red", text: "Give a reason so the sender knows what to fix." });
    const result = await action.run("claim.reject", { claimId: claim.id, reason: reason.trim() });
    if (result.ok) onDone(`Rejected ${formatMinor(claim.amountMinor)}; the claim went back to the sender, ${claim.holderName}.`);
    else setMessage({ tone: "red", text: result.message });
  }
  return (
    <li className="py-4" data-testid={`inbox-${claim.id}`}>
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <div className="text-lg font-semibold tabular-nums text-slate-900">{formatMinor(claim.amountMinor)}</div>
          <div className="text-sm text-slate-600">
            from {claim.holderName} · issued by {claim.issuerName} · matures {formatDate(`${claim.maturityDate}T00:00:00Z`)} ({daysUntil(claim.maturityDate)} days)
          </div>
          <Link href={`/claims/${claim.id}`} className="text-xs font-medium text-brand-600 hover:underline">
            Check provenance
          </Link>
        </div>
        {canSign ? (
          <div className="flex gap-2">
            <Button onClick={() => void accept()} disabled={action.busy}>
              Accept
            </Button>
            <Button variant="secondary" onClick={() => setRejecting((r) => !r)} disabled={action.busy}>
              Reject…
            </Button>
          </div>
        ) : null}
      </div>
      {rejecting ? (
        <div className="mt-3 flex flex-wrap items-end gap-2">
          <label className="flex-1 text-sm">
            <span className="text-slate-700">Reason for rejecting</span>
            <input className={`${inputClass} mt-1`} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} placeholder="e.g. No matching purchase order" />
          </label>
          <Button variant="danger" onClick={() => void reject()} disabled={action.busy}>
            Reject offer
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

const HOLDING_COLUMNS = (canSign: boolean): Column<ClaimRowDto>[] => [
  { header: "Amount", className: "font-semibold tabular-nums text-slate-900", cell: (c) => formatMinor(c.outstandingMinor) },
  { header: "Core enterprise", className: "text-slate-700", cell: (c) => c.issuerName },
  {
    header: "Maturity",
    className: "text-slate-600",
    cell: (c) => (
      <>
        {formatDate(`${c.maturityDate}T00:00:00Z`)} <span className="text-xs text-slate-500">({daysUntil(c.maturityDate)} days)</span>
      </>
    ),
  },
  { header: "Tier", className: "text-slate-600", cell: (c) => c.depth, hideOnPhone: true },
  {
    header: "Status",
    cell: (c) => <Badge tone={c.state === "held" ? "green" : c.state === "offered" ? "amber" : "blue"}>{c.offeredToName ? `offered to ${c.offeredToName}` : c.state}</Badge>,
  },
  {
    header: <span className="sr-only">Actions</span>,
    label: "Actions",
    align: "right",
    cell: (c) => (
      <span className="inline-flex flex-wrap items-center justify-end gap-x-3 gap-y-1 whitespace-nowrap">
        <Link href={`/claims/${c.id}`} className="text-sm font-medium text-brand-600 hover:underline">
          Provenance
        </Link>
        {canSign && c.state === "held" ? (
          <>
            <Link href={`/claims/${c.id}/split`} className="text-sm font-medium text-brand-600 hover:underline">
              Split &amp; transfer
            </Link>
            <Link href={`/claims/${c.id}/finance`} className="text-sm font-medium text-brand-600 hover:underline">
              Finance
            </Link>
            <PledgeControl claimId={c.id} />
          </>
        ) : null}
      </span>
    ),
  },
];

function HoldingsTable({ rows, canSign }: { rows: ClaimRowDto[]; canSign: boolean }) {
  return <DataTable columns={HOLDING_COLUMNS(canSign)} rows={rows} rowKey={(c) => c.id} rowTestId={(c) => `holding-${c.id}`} caption="Your holdings" stack />;
}

function PledgeControl({ claimId }: { claimId: string }) {
  const trpc = useTRPC();
  const [open, setOpen] = useState(false);
  const lenders = useQuery(trpc.organisations.directory.queryOptions({ role: "lender" }, { enabled: open }));
  const action = useLedgerAction();
  const [lenderOrgId, setLenderOrgId] = useState("");
  const [error, setError] = useState<string | null>(null);
  if (!open) {
    return (
      <button type="button" className="text-sm font-medium text-brand-600 hover:underline" onClick={() => setOpen(true)}>
        Pledge…
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
        Pledge to lender
      </label>
      <select id={`pledge-${claimId}`} className={`${inputClass} w-48`} value={lenderOrgId} onChange={(e) => setLenderOrgId(e.target.value)}>
        <option value="">Choose a lender…</option>
        {(lenders.data ?? []).map((l) => (
          <option key={l.id} value={l.id}>
            {l.name}
          </option>
        ))}
      </select>
      <Button disabled={!lenderOrgId || action.busy} onClick={() => void pledge()}>
        Sign pledge
      </Button>
      {error ? <span className="block w-full text-xs text-rose-600">{error}</span> : null}
    </span>
  );
}
