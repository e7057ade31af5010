"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslations } from "next-intl";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/trpc/root";
import { DataTable, type Column } from "../../../_components/data-table";
import { Alert, Badge, Button, Card, EmptyState } from "../../../_components/ui";
import { errorMessage } from "../../../_lib/errors";
import { refusalText } from "../../../_lib/refusal-text";
import { ROLE_LABEL } from "../../../_lib/labels";
import { useTRPC } from "../../../_trpc/client";
import { formatDateTime, shortKeyId } from "../../keys/key-status";

type KeyRequestRow = inferRouterOutputs<AppRouter>["keys"]["pendingRequests"][number];

/** The operator's queue of key registrations: approve (cosign and submit) or reject. */
export function KeyRequestsTable() {
  const trpc = useTRPC();
  const t = useTranslations();
  const queryClient = useQueryClient();
  const queue = useQuery(trpc.keys.pendingRequests.queryOptions());
  const [notice, setNotice] = useState<string | null>(null);
  const decide = useMutation(
    trpc.keys.decide.mutationOptions({
      onSuccess: (result, input) => {
        const key = shortKeyId(result.request.keyId);
        const ledger = result.ledger;
        setNotice(
          input.decision === "rejected"
            ? `Key ${key} was rejected; it will not reach the ledger.`
            : ledger?.status === "refused"
              ? `The ledger refused key ${key}: ${refusalText(t, ledger.code, ledger.text)}`
              : `Key ${key} is registered on the ledger${ledger ? ` (leaf ${ledger.leafIndex})` : ""}.`,
        );
      },
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.keys.pendingRequests.queryKey() }),
    }),
  );
  const rows = queue.data ?? [];
  const decideOn = (requestId: string, decision: "approved" | "rejected") => {
    setNotice(null);
    decide.mutate({ requestId, decision });
  };
  const columns: Column<KeyRequestRow>[] = [
    {
      header: "Organisation",
      cell: (request) => (
        <>
          <div className="font-medium text-slate-900">{request.orgName}</div>
          <div className="text-xs text-slate-500">{ROLE_LABEL[request.orgRole]}</div>
        </>
      ),
    },
    {
      header: "Key id",
      cell: (request) => (
        <span className="block max-w-[16ch] font-mono text-xs break-all text-slate-800" title={`Public key ${request.publicKeyHex}`}>
          {request.keyId}
        </span>
      ),
    },
    {
      header: "Requested by",
      cell: (request) => (
        <>
          <div className="text-slate-900">{request.requestedBy.name}</div>
          <div className="text-xs text-slate-500">{request.requestedBy.email}</div>
        </>
      ),
    },
    {
      header: "Requested",
      className: "whitespace-nowrap text-slate-600",
      cell: (request) => (
        <>
          {formatDateTime(request.createdAt)}
          {request.expired ? (
            <div className="mt-1">
              <Badge tone="amber">Signature expired: the requester must sign again</Badge>
            </div>
          ) : null}
        </>
      ),
    },
    {
      header: <span className="sr-only">Decision</span>,
      label: "Decision",
      align: "right",
      cell: (request) => (
        <span className="inline-flex flex-wrap justify-end gap-2">
          <Button disabled={decide.isPending || request.expired} onClick={() => decideOn(request.id, "approved")}>
            Approve
          </Button>
          <Button variant="secondary" disabled={decide.isPending} onClick={() => decideOn(request.id, "rejected")}>
            Reject
          </Button>
        </span>
      ),
    },
  ];

  return (
    <Card title="Waiting for review" action={queue.data ? <Badge tone={rows.length ? "amber" : "slate"}>{rows.length} pending</Badge> : null}>
      <div className="space-y-4">
        {notice ? <Alert tone="green">{notice}</Alert> : null}
        {decide.error ? <Alert>{errorMessage(decide.error)}</Alert> : null}
        {queue.error ? <Alert>{errorMessage(queue.error)}</Alert> : null}
        {queue.isPending ? <p className="text-sm text-slate-500">Loading key requests…</p> : null}
        {queue.data && rows.length === 0 ? <EmptyState title="No key requests waiting">New keys appear here when an organisation&apos;s member creates one.</EmptyState> : null}
        {rows.length > 0 ? <DataTable columns={columns} rows={rows} rowKey={(request) => request.id} rowTestId={(request) => `key-request-${request.keyId}`} caption="Key requests waiting for review" stack /> : null}
      </div>
    </Card>
  );
}
