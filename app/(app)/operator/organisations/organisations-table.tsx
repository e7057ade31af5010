"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslations } from "next-intl";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/trpc/root";
import { DataTable, type Column } from "../../../_components/data-table";
import { useTRPC } from "../../../_trpc/client";
import { Alert, Badge, Button, Card, EmptyState, inputClass } from "../../../_components/ui";
import { Skeleton } from "../../../_components/status-page";
import { errorMessage } from "../../../_lib/errors";
import { STATUS_TONE } from "../../../_lib/labels";
import { useFormatters } from "../../../_lib/use-formatters";
import { checkUscc } from "@/contracts/uscc";
import { InviteForm } from "../../settings/users/invite-form";

const FILTERS = ["pending", "approved", "rejected", "all"] as const;

type OrganisationRow = inferRouterOutputs<AppRouter>["organisations"]["list"][number];

export function OrganisationsTable({ canReview, canInvite }: { canReview: boolean; canInvite: boolean }) {
  const t = useTranslations();
  const format = useFormatters();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [filter, setFilter] = useState<(typeof FILTERS)[number]>("pending");
  const [inviteFor, setInviteFor] = useState<string | null>(null);
  // Codes the operator reads off a business licence, for applications whose own code is missing or wrong.
  const [codes, setCodes] = useState<Record<string, string>>({});
  const [codeErrors, setCodeErrors] = useState<Record<string, string>>({});
  const list = useQuery(trpc.organisations.list.queryOptions({}));
  const review = useMutation(
    trpc.organisations.review.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.organisations.list.queryKey() }) }),
  );
  const rows = (list.data ?? []).filter((o) => filter === "all" || o.status === filter);
  /** Approval onboards the organisation: with its code, or the one typed in, checked (GB 32100) before it is sent. */
  function approve(org: OrganisationRow) {
    const typed = codes[org.id]?.trim() ?? "";
    const check = checkUscc(typed !== "" ? typed : org.registrationNumber);
    if (!check.ok) {
      setCodeErrors((current) => ({ ...current, [org.id]: org.registrationNumber === "" && typed === "" ? t("organisations.codeMissing") : t(`uscc.${check.reason}`) }));
      return;
    }
    setCodeErrors((current) => ({ ...current, [org.id]: "" }));
    review.mutate({ orgId: org.id, decision: "approved", ...(typed !== "" ? { registrationNumber: typed } : {}) });
  }
  const needsCode = (org: OrganisationRow) => org.status === "pending" && canReview && !checkUscc(org.registrationNumber).ok;
  const columns: Column<OrganisationRow>[] = [
    {
      header: t("organisations.organisation"),
      cell: (org) => (
        <>
          <div className="font-medium text-slate-900">{org.name}</div>
          <div className="text-xs text-slate-500">{org.city || t("common.dash")}</div>
        </>
      ),
    },
    { header: t("organisations.type"), className: "text-slate-600", cell: (org) => t(`roles.${org.role}`) },
    {
      header: t("organisations.registration"),
      className: "text-xs text-slate-600",
      hideOnPhone: true,
      // The onboarding review sees at once whether the code's GB 32100 check character matches.
      cell: (org) => (
        <>
          {org.registrationNumber ? (
            <>
              <div className="font-mono">{org.registrationNumber}</div>
              {checkUscc(org.registrationNumber).ok ? (
                <Badge tone="green">{t("organisations.codeValid")}</Badge>
              ) : (
                <Badge tone="red">{t("organisations.codeInvalid")}</Badge>
              )}
            </>
          ) : (
            t("common.dash")
          )}
          {needsCode(org) ? (
            <div className="mt-2 min-w-44">
              <input
                className={`${inputClass} font-mono text-xs`}
                aria-label={t("organisations.codeInput", { name: org.name })}
                placeholder={t("organisations.codePlaceholder")}
                maxLength={40}
                value={codes[org.id] ?? ""}
                aria-invalid={Boolean(codeErrors[org.id])}
                aria-describedby={codeErrors[org.id] ? `code-error-${org.id}` : undefined}
                onChange={(event) => setCodes((current) => ({ ...current, [org.id]: event.target.value }))}
              />
              {codeErrors[org.id] ? (
                <p id={`code-error-${org.id}`} className="mt-1 text-xs text-rose-600" data-testid={`code-error-${org.id}`}>
                  {codeErrors[org.id]}
                </p>
              ) : null}
            </div>
          ) : null}
        </>
      ),
    },
    { header: t("organisations.applied"), className: "text-slate-600", cell: (org) => format.day(new Date(org.createdAt).getTime()) },
    { header: t("organisations.status"), cell: (org) => <Badge tone={STATUS_TONE[org.status]}>{t(`organisations.filter.${org.status}`)}</Badge> },
    {
      header: <span className="sr-only">{t("organisations.actions")}</span>,
      label: t("organisations.actions"),
      align: "right",
      cell: (org) => (
        <span className="inline-flex flex-wrap justify-end gap-2">
          {org.status === "pending" && canReview ? (
            <>
              <Button disabled={review.isPending} onClick={() => approve(org)}>
                {t("organisations.approve")}
              </Button>
              <Button variant="secondary" disabled={review.isPending} onClick={() => review.mutate({ orgId: org.id, decision: "rejected" })}>
                {t("organisations.reject")}
              </Button>
            </>
          ) : null}
          {canInvite && org.status === "approved" ? (
            <Button variant="ghost" onClick={() => setInviteFor(inviteFor === org.id ? null : org.id)}>
              {t("organisations.invite")}
            </Button>
          ) : null}
        </span>
      ),
    },
  ];

  return (
    <Card
      title={t("organisations.all")}
      action={
        <div role="tablist" aria-label={t("organisations.filterBy")} className="flex gap-1 rounded-lg bg-slate-100 p-1">
          {FILTERS.map((f) => (
            <button
              key={f}
              role="tab"
              aria-selected={filter === f}
              onClick={() => setFilter(f)}
              className={`rounded-md px-3 py-1 text-xs font-medium capitalize ${filter === f ? "bg-white text-slate-900 shadow-xs" : "text-slate-600"}`}
            >
              {t(`organisations.filter.${f}`)}
            </button>
          ))}
        </div>
      }
    >
      {review.error ? <div className="mb-4"><Alert>{errorMessage(review.error, t)}</Alert></div> : null}
      {list.isPending ? <Skeleton label={t("organisations.loading")} /> : null}
      {list.error ? <Alert>{errorMessage(list.error, t)}</Alert> : null}
      {list.data && rows.length === 0 ? <EmptyState title={t("organisations.none")}>{t("organisations.noneBody")}</EmptyState> : null}
      {rows.length > 0 ? <DataTable columns={columns} rows={rows} rowKey={(org) => org.id} rowTestId={(org) => `org-row-${org.id}`} caption={t("organisations.caption")} stack /> : null}
      {inviteFor ? (
        <div className="mt-6 border-t border-slate-100 pt-6">
          <InviteForm orgId={inviteFor} />
        </div>
      ) : null}
    </Card>
  );
}
