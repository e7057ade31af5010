"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/trpc/root";
import { DataTable, type Column } from "../../../_components/data-table";
import { useTRPC } from "../../../_trpc/client";
import { Alert, Badge, Button, Card, EmptyState } from "../../../_components/ui";
import { errorMessage } from "../../../_lib/errors";
import { ROLE_LABEL, STATUS_TONE } from "../../../_lib/labels";
import { formatDate } from "../../../_lib/format";
import { InviteForm } from "../../settings/users/invite-form";

const FILTERS = ["pending", "approved", "rejected", "all"] as const;

type OrganisationRow = inferRouterOutputs<AppRouter>["organisations"]["list"][number];

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
  const columns: Column<OrganisationRow>[] = [
    {
      header: "Organisation",
      cell: (org) => (
        <>
          <div className="font-medium text-slate-900">{org.name}</div>
          <div className="text-xs text-slate-500">{org.city || "—"}</div>
        </>
      ),
    },
    { header: "Type", className: "text-slate-600", cell: (org) => ROLE_LABEL[org.role] },
    { header: "Registration", className: "font-mono text-xs text-slate-600", cell: (org) => org.registrationNumber || "—", hideOnPhone: true },
    { header: "Applied", className: "text-slate-600", cell: (org) => formatDate(org.createdAt) },
    { header: "Status", cell: (org) => <Badge tone={STATUS_TONE[org.status]}>{org.status}</Badge> },
    {
      header: <span className="sr-only">Actions</span>,
      label: "Actions",
      align: "right",
      cell: (org) => (
        <span className="inline-flex flex-wrap justify-end gap-2">
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
        </span>
      ),
    },
  ];

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
      {rows.length > 0 ? <DataTable columns={columns} rows={rows} rowKey={(org) => org.id} rowTestId={(org) => `org-row-${org.id}`} caption="Organisations" stack /> : null}
      {inviteFor ? (
        <div className="mt-6 border-t border-slate-100 pt-6">
          <InviteForm orgId={inviteFor} />
        </div>
      ) : null}
    </Card>
  );
}
