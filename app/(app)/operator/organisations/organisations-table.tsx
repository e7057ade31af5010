"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "../../../_trpc/client";
import { Alert, Badge, Button, Card, EmptyState } from "../../../_components/ui";
import { errorMessage } from "../../../_lib/errors";
import { ROLE_LABEL, STATUS_TONE } from "../../../_lib/labels";
import { formatDate } from "../../../_lib/format";
import { InviteForm } from "../../settings/users/invite-form";

const FILTERS = ["pending", "approved", "rejected", "all"] as const;

export function OrganisationsTable({ canReview, canInvite }: { canReview: boolean; canInvite: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [filter, setFilter] = useState<(typeof FILTERS)[number]>("pending");
  const [inviteFor, setInviteFor] = useState<string | null>(null);
  const list = useQuery(trpc.organisations.list.queryOptions({}));
  const review = useMutation(
    trpc.organisations.review.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.organisations.list.queryKey() }) }),
  );
  const rows = (list.data ?? []).filter((o) => filter === "all" || o.status === filter);

  return (
    <Card
      title="All organisations"
      action={
        <div role="tablist" aria-label="Filter by status" className="flex gap-1 rounded-lg bg-slate-100 p-1">
          {FILTERS.map((f) => (
            <button
              key={f}
              role="tab"
              aria-selected={filter === f}
              onClick={() => setFilter(f)}
              className={`rounded-md px-3 py-1 text-xs font-medium capitalize ${filter === f ? "bg-white text-slate-900 shadow-xs" : "text-slate-600"}`}
            >
              {f}
            </button>
          ))}
        </div>
      }
    >
      {review.error ? <div className="mb-4"><Alert>{errorMessage(review.error)}</Alert></div> : null}
      {list.isPending ? <p className="text-sm text-slate-500">Loading organisations…</p> : null}
      {list.error ? <Alert>{errorMessage(list.error)}</Alert> : null}
      {list.data && rows.length === 0 ? <EmptyState title={`No ${filter === "all" ? "" : filter} organisations`} /> : null}
      {rows.length > 0 ? (
        <div className="-mx-5 overflow-x-auto">
          <table className="min-w-full text-sm">
            <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th className="px-5 py-2 font-medium">Organisation</th>
                <th className="px-5 py-2 font-medium">Type</th>
                <th className="px-5 py-2 font-medium">Registration</th>
                <th className="px-5 py-2 font-medium">Applied</th>
                <th className="px-5 py-2 font-medium">Status</th>
                <th className="px-5 py-2" />
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {rows.map((org) => (
                <tr key={org.id} data-testid={`org-row-${org.id}`}>
                  <td className="px-5 py-3">
                    <div className="font-medium text-slate-900">{org.name}</div>
                    <div className="text-xs text-slate-500">{org.city || "—"}</div>
                  </td>
                  <td className="px-5 py-3 text-slate-600">{ROLE_LABEL[org.role]}</td>
                  <td className="px-5 py-3 font-mono text-xs text-slate-600">{org.registrationNumber || "—"}</td>
                  <td className="px-5 py-3 text-slate-600">{formatDate(org.createdAt)}</td>
                  <td className="px-5 py-3">
                    <Badge tone={STATUS_TONE[org.status]}>{org.status}</Badge>
                  </td>
                  <td className="space-x-2 whitespace-nowrap px-5 py-3 text-right">
                    {org.status === "pending" && canReview ? (
                      <>
                        <Button disabled={review.isPending} onClick={() => review.mutate({ orgId: org.id, decision: "approved" })}>
                          Approve
                        </Button>
                        <Button variant="secondary" disabled={review.isPending} onClick={() => review.mutate({ orgId: org.id, decision: "rejected" })}>
                          Reject
                        </Button>
                      </>
                    ) : null}
                    {canInvite && org.status === "approved" ? (
                      <Button variant="ghost" onClick={() => setInviteFor(inviteFor === org.id ? null : org.id)}>
                        Invite user
                      </Button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {inviteFor ? (
        <div className="mt-6 border-t border-slate-100 pt-6">
          <InviteForm orgId={inviteFor} />
        </div>
      ) : null}
    </Card>
  );
}
