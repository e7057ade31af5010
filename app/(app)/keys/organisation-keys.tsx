"use client";

import { Badge, EmptyState } from "../../_components/ui";
import { ConfirmRequest } from "./confirm-request";
import { formatDateTime, type KeyRequest, type OrganisationKeys as OrganisationKeysData, type Tone } from "./key-status";

interface Row {
  keyId: string;
  status: { tone: Tone; label: string };
  date: string;
  requestedBy: string | null;
  /** A pending request an admin of the organisation confirms (a further key, not the onboarding). */
  toConfirm: KeyRequest | null;
}

/** Keys on the ledger first (the truth), then requests that did not (yet) put a key there. */
function rowsOf(data: OrganisationKeysData): Row[] {
  const requestByKey = new Map(data.requests.map((r) => [r.keyId, r]));
  const registered: Row[] = data.keys.map((key) => ({
    keyId: key.keyId,
    status: key.status === "active" ? { tone: "green", label: "Active" } : { tone: "red", label: "Revoked" },
    date: `Registered ${formatDateTime(key.registeredAtMs)}`,
    requestedBy: requestByKey.get(key.keyId)?.requestedBy.name ?? null,
    toConfirm: null,
  }));
  const onLedger = new Set(data.keys.map((k) => k.keyId));
  const waiting: Row[] = data.requests
    .filter((r) => !onLedger.has(r.keyId))
    .map((r) => ({
      keyId: r.keyId,
      status:
        r.status === "pending"
          ? { tone: "amber", label: r.expired ? "Request expired" : r.approver === "organisation" ? "Waiting for an admin's confirmation" : "Waiting for approval" }
          : r.status === "rejected"
            ? { tone: "red", label: "Rejected" }
            : { tone: "slate", label: r.status },
      date: `Requested ${formatDateTime(r.createdAt)}`,
      requestedBy: r.requestedBy.name,
      toConfirm: r.status === "pending" && !r.expired && r.approver === "organisation" ? r : null,
    }));
  return [...waiting, ...registered];
}

export function OrganisationKeys({ data, browserKeyId, canConfirm }: { data: OrganisationKeysData; browserKeyId: string | null; canConfirm: boolean }) {
  const rows = rowsOf(data);
  if (rows.length === 0) {
    return <EmptyState title="No keys yet">Your organisation has no key on the ledger. The first key registered also enters the organisation on the ledger.</EmptyState>;
  }
  return (
    <div className="-mx-5 overflow-x-auto">
      <table className="min-w-full text-sm">
        <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th className="px-5 py-2 font-medium">Key id</th>
            <th className="px-5 py-2 font-medium">Status</th>
            <th className="px-5 py-2 font-medium">Date</th>
            <th className="px-5 py-2 font-medium">Requested by</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((row) => (
            <tr key={row.keyId} data-testid={`org-key-${row.keyId}`}>
              <td className="px-5 py-3">
                <span className="font-mono text-xs text-slate-800">{row.keyId}</span>
                {row.keyId === browserKeyId ? (
                  <span className="ml-2">
                    <Badge tone="blue">this browser</Badge>
                  </span>
                ) : null}
              </td>
              <td className="px-5 py-3">
                <Badge tone={row.status.tone}>{row.status.label}</Badge>
                {canConfirm && row.toConfirm && row.keyId !== browserKeyId ? (
                  <div className="mt-2">
                    <ConfirmRequest request={row.toConfirm} />
                  </div>
                ) : null}
              </td>
              <td className="whitespace-nowrap px-5 py-3 text-slate-600">{row.date}</td>
              <td className="px-5 py-3 text-slate-600">{row.requestedBy ?? <span className="text-slate-400">Registered at onboarding</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
