"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Alert, Badge, Button, Card, EmptyState } from "../../../_components/ui";
import { errorMessage } from "../../../_lib/errors";
import { ROLE_LABEL } from "../../../_lib/labels";
import { useTRPC } from "../../../_trpc/client";
import { formatDateTime, shortKeyId } from "../../keys/key-status";

/** The operator's queue of key registrations: approve (cosign and submit) or reject. */
export function KeyRequestsTable() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const queue = useQuery(trpc.keys.pendingRequests.queryOptions());
  const [notice, setNotice] = useState<string | null>(null);
  const decide = useMutation(
    trpc.keys.decide.mutationOptions({
      onSuccess: (result, input) => {
        const key = shortKeyId(result.request.keyId);
        setNotice(
          input.decision === "approved"
            ? `Key ${key} is registered on the ledger${result.ledger ? ` (leaf ${result.ledger.leafIndex})` : ""}.`
            : `Key ${key} was rejected; it will not reach the ledger.`,
        );
      },
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.keys.pendingRequests.queryKey() }),
    }),
  );
  const rows = queue.data ?? [];

  return (
    <Card title="Waiting for review" action={queue.data ? <Badge tone={rows.length ? "amber" : "slate"}>{rows.length} pending</Badge> : null}>
      <div className="space-y-4">
        {notice ? <Alert tone="green">{notice}</Alert> : null}
        {decide.error ? <Alert>{errorMessage(decide.error)}</Alert> : null}
        {queue.error ? <Alert>{errorMessage(queue.error)}</Alert> : null}
        {queue.isPending ? <p className="text-sm text-slate-500">Loading key requests…</p> : null}
        {queue.data && rows.length === 0 ? <EmptyState title="No key requests waiting">New keys appear here when an organisation&apos;s member creates one.</EmptyState> : null}
        {rows.length > 0 ? (
          <div className="-mx-5 overflow-x-auto">
            <table className="min-w-full text-sm">
              <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
                <tr>
                  <th className="px-5 py-2 font-medium">Organisation</th>
                  <th className="px-5 py-2 font-medium">Key id</th>
                  <th className="px-5 py-2 font-medium">Requested by</th>
                  <th className="px-5 py-2 font-medium">Requested</th>
                  <th className="px-5 py-2" />
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {rows.map((request) => (
                  <tr key={request.id} data-testid={`key-request-${request.keyId}`}>
                    <td className="px-5 py-3">
                      <div className="font-medium text-slate-900">{request.orgName}</div>
                      <div className="text-xs text-slate-500">{ROLE_LABEL[request.orgRole]}</div>
                    </td>
                    <td className="px-5 py-3">
                      <span className="block max-w-[16ch] font-mono text-xs break-all text-slate-800" title={`Public key ${request.publicKeyHex}`}>
                        {request.keyId}
                      </span>
                    </td>
                    <td className="px-5 py-3">
                      <div className="text-slate-900">{request.requestedBy.name}</div>
                      <div className="text-xs text-slate-500">{request.requestedBy.email}</div>
                    </td>
                    <td className="whitespace-nowrap px-5 py-3 text-slate-600">
                      {formatDateTime(request.createdAt)}
                      {request.expired ? (
                        <div className="mt-1">
                          <Badge tone="amber">Signature expired: the requester must sign again</Badge>
                        </div>
                      ) : null}
                    </td>
                    <td className="space-x-2 whitespace-nowrap px-5 py-3 text-right">
                      <Button
                        disabled={decide.isPending || request.expired}
                        onClick={() => {
                          setNotice(null);
                          decide.mutate({ requestId: request.id, decision: "approved" });
                        }}
                      >
                        Approve
                      </Button>
                      <Button
                        variant="secondary"
                        disabled={decide.isPending}
                        onClick={() => {
                          setNotice(null);
                          decide.mutate({ requestId: request.id, decision: "rejected" });
                        }}
                      >
                        Reject
                      </Button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </div>
    </Card>
  );
}
