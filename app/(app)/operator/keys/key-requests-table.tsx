"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslations } from "next-intl";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/trpc/root";
import { DataTable, type Column } from "../../../_components/data-table";
import { Alert, Badge, Button, Card, EmptyState } from "../../../_components/ui";
import { Skeleton } from "../../../_components/status-page";
import { errorMessage } from "../../../_lib/errors";
import { refusalText } from "../../../_lib/refusal-text";
import { useTRPC } from "../../../_trpc/client";
import { shortKeyId } from "../../keys/key-status";
import { useFormatters } from "../../../_lib/use-formatters";

type KeyRequestRow = inferRouterOutputs<AppRouter>["keys"]["pendingRequests"][number];

/** The operator's queue of key registrations: approve (cosign and submit) or reject. */
export function KeyRequestsTable() {
  const trpc = useTRPC();
  const t = useTranslations();
  const format = useFormatters();
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
            ? t("keyRequests.rejected", { key })
            : ledger?.status === "refused"
              ? t("keyRequests.refused", { key, reason: refusalText(t, ledger.code, ledger.text) })
              : t("keyRequests.registered", { key, leaf: ledger ? String(ledger.leafIndex) : "none" }),
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
      header: t("keyRequests.organisation"),
      cell: (request) => (
        <>
          <div className="font-medium text-slate-900">{request.orgName}</div>
          <div className="text-xs text-slate-500">{t(`roles.${request.orgRole}`)}</div>
        </>
      ),
    },
    {
      header: t("keyRequests.keyId"),
      cell: (request) => (
        <span className="block max-w-[16ch] font-mono text-xs break-all text-slate-800" title={t("keyRequests.publicKey", { hex: request.publicKeyHex })}>
          {request.keyId}
        </span>
      ),
    },
    {
      header: t("keyRequests.requestedBy"),
      cell: (request) => (
        <>
          <div className="text-slate-900">{request.requestedBy.name}</div>
          <div className="text-xs text-slate-500">{request.requestedBy.email}</div>
        </>
      ),
    },
    {
      header: t("keyRequests.requested"),
      className: "whitespace-nowrap text-slate-600",
      cell: (request) => (
        <>
          {format.dateTime(new Date(request.createdAt).getTime())}
          {request.expired ? (
            <div className="mt-1">
              <Badge tone="amber" wrap>
                {t("keyRequests.expired")}
              </Badge>
            </div>
          ) : null}
        </>
      ),
    },
    {
      header: <span className="sr-only">{t("keyRequests.decision")}</span>,
      label: t("keyRequests.decision"),
      align: "right",
      cell: (request) => (
        <span className="inline-flex flex-wrap justify-end gap-2">
          <Button disabled={decide.isPending || request.expired} onClick={() => decideOn(request.id, "approved")}>
            {t("keyRequests.approve")}
          </Button>
          <Button variant="secondary" disabled={decide.isPending} onClick={() => decideOn(request.id, "rejected")}>
            {t("keyRequests.reject")}
          </Button>
        </span>
      ),
    },
  ];

  return (
    <Card title={t("keyRequests.waiting")} action={queue.data ? <Badge tone={rows.length ? "amber" : "slate"}>{t("keyRequests.pending", { count: rows.length })}</Badge> : null}>
      <div className="space-y-4">
        {notice ? <Alert tone="green">{notice}</Alert> : null}
        {decide.error ? <Alert>{errorMessage(decide.error, t)}</Alert> : null}
        {queue.error ? <Alert>{errorMessage(queue.error, t)}</Alert> : null}
        {queue.isPending ? <Skeleton label={t("keyRequests.loading")} /> : null}
        {queue.data && rows.length === 0 ? <EmptyState title={t("keyRequests.none")}>{t("keyRequests.noneBody")}</EmptyState> : null}
        {rows.length > 0 ? <DataTable columns={columns} rows={rows} rowKey={(request) => request.id} rowTestId={(request) => `key-request-${request.keyId}`} caption={t("keyRequests.caption")} stack /> : null}
      </div>
    </Card>
  );
}
