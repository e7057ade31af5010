"use client";

import { useTranslations } from "next-intl";
import { Badge, EmptyState } from "../../_components/ui";
import { DataTable, type Column } from "../../_components/data-table";
import { useFormatters } from "../../_lib/use-formatters";
import type { Formatters } from "../../_lib/localized-format";
import { ConfirmRequest } from "./confirm-request";
import type { KeyRequest, OrganisationKeys as OrganisationKeysData, Tone } from "./key-status";
import type { KeyRole } from "@/contracts/ledger/types";

type Translate = ReturnType<typeof useTranslations<"keys.org">>;

interface Row {
  keyId: string;
  /** The key's role and the person who holds it (from the ledger, or from the request's registration). */
  role: KeyRole | null;
  holder: string | null;
  status: { tone: Tone; label: string };
  date: string;
  requestedBy: string | null;
  /** A pending request an admin of the organisation confirms (a further key, not the onboarding). */
  toConfirm: KeyRequest | null;
}

/** Keys on the ledger first (the truth), then requests that did not (yet) put a key there. */
function rowsOf(t: Translate, format: Formatters, data: OrganisationKeysData): Row[] {
  const requestByKey = new Map(data.requests.map((r) => [r.keyId, r]));
  const registered: Row[] = data.keys.map((key) => ({
    keyId: key.keyId,
    role: key.role,
    holder: key.holder.name ?? key.holder.userId,
    status: key.status === "active" ? { tone: "green", label: t("active") } : { tone: "red", label: t("revoked") },
    date: t("registeredAt", { date: format.dateTime(key.registeredAtMs) }),
    requestedBy: requestByKey.get(key.keyId)?.requestedBy.name ?? null,
    toConfirm: null,
  }));
  const onLedger = new Set(data.keys.map((k) => k.keyId));
  const waiting: Row[] = data.requests
    .filter((r) => !onLedger.has(r.keyId))
    .map((r) => ({
      keyId: r.keyId,
      ...requestedRole(r),
      status:
        r.status === "pending"
          ? { tone: "amber", label: r.expired ? t("requestExpired") : r.approver === "organisation" ? t("waitingOrganisation") : t("waiting") }
          : r.status === "rejected"
            ? { tone: "red", label: t("rejected") }
            : { tone: "slate", label: t("approved") },
      date: t("requestedAt", { date: format.dateTime(new Date(r.createdAt).getTime()) }),
      requestedBy: r.requestedBy.name,
      toConfirm: r.status === "pending" && !r.expired && r.approver === "organisation" ? r : null,
    }));
  return [...waiting, ...registered];
}

/** The role and holder a request's registration names (the requester is its holder). */
function requestedRole(request: KeyRequest): { role: KeyRole | null; holder: string | null } {
  const body = request.registration.transaction.body as { keyRole?: KeyRole };
  return { role: body.keyRole ?? null, holder: request.requestedBy.name };
}

export function OrganisationKeys({ data, browserKeyId, canConfirm }: { data: OrganisationKeysData; browserKeyId: string | null; canConfirm: boolean }) {
  const t = useTranslations("keys.org");
  const format = useFormatters();
  const rows = rowsOf(t, format, data);
  if (rows.length === 0) {
    return <EmptyState title={t("none")}>{t("noneBody")}</EmptyState>;
  }
  const columns: Column<Row>[] = [
    {
      header: t("keyId"),
      cell: (row) => (
        <>
          <span className="break-all font-mono text-xs text-slate-800">{row.keyId}</span>
          {row.keyId === browserKeyId ? (
            <span className="ml-2">
              <Badge tone="blue">{t("thisBrowser")}</Badge>
            </span>
          ) : null}
        </>
      ),
    },
    { header: t("holder"), className: "text-slate-800", cell: (row) => <span data-testid="key-holder">{row.holder ?? "—"}</span> },
    { header: t("role"), cell: (row) => <span data-testid="key-role">{row.role ? <Badge tone={row.role === "admin" ? "blue" : "slate"}>{t(`roles.${row.role}`)}</Badge> : null}</span> },
    {
      header: t("status"),
      cell: (row) => (
        <>
          <Badge tone={row.status.tone}>{row.status.label}</Badge>
          {canConfirm && row.toConfirm && row.keyId !== browserKeyId ? (
            <div className="mt-2">
              <ConfirmRequest request={row.toConfirm} />
            </div>
          ) : null}
        </>
      ),
    },
    { header: t("date"), className: "whitespace-nowrap text-slate-600", cell: (row) => row.date },
    { header: t("requestedBy"), className: "text-slate-600", cell: (row) => row.requestedBy ?? <span className="text-slate-400">{t("atOnboarding")}</span> },
  ];
  // Stacked on a phone: every key's role and status stay readable without scrolling sideways.
  return <DataTable columns={columns} rows={rows} rowKey={(row) => row.keyId} rowTestId={(row) => `org-key-${row.keyId}`} stack />;
}
