import type { Metadata } from "next";
import Link from "next/link";
import { getLocale, getTranslations } from "next-intl/server";
import { serverCaller } from "@/server/trpc/server-caller";
import { Alert, Badge, Card, EmptyState, PageHeader, cx } from "../../_components/ui";
import { DataTable } from "../../_components/data-table";
import { daysUntil } from "../../_lib/format";
import { daysText } from "../../_lib/days-text";
import { formattersFor } from "../../_lib/localized-format";
import { requireActor } from "../../_lib/session";
import { PledgesCard } from "./pledges-card";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("financing"))("metaTitle") };
}
export const dynamic = "force-dynamic";

const STATUS_TONE = { requested: "amber", offered: "blue", accepted: "blue", disbursed: "green", declined: "slate" } as const;

/** The desk's filters: what waits for someone, what was paid out, what was declined. */
const FILTERS = {
  all: () => true,
  open: (status: string) => status === "requested" || status === "offered" || status === "accepted",
  disbursed: (status: string) => status === "disbursed",
  declined: (status: string) => status === "declined",
} as const;
type Filter = keyof typeof FILTERS;

export default async function FinancingPage({ searchParams }: { searchParams: Promise<{ done?: string; status?: string }> }) {
  const { done, status } = await searchParams;
  const actor = await requireActor();
  const t = await getTranslations();
  const format = formattersFor(await getLocale());
  const allRows = await (await serverCaller()).financing.list();
  const lender = actor.orgRole === "lender";
  const filter: Filter = status !== undefined && status in FILTERS ? (status as Filter) : "all";
  const rows = allRows.filter((f) => FILTERS[filter](f.status));
  return (
    <>
      <PageHeader
        title={lender ? t("financing.titleLender") : t("financing.titleHolder")}
        subtitle={lender ? t("financing.subtitleLender") : t("financing.subtitleHolder")}
        actions={
          lender ? (
            <Link href="/financing/policies" className="text-sm font-medium text-brand-600 hover:underline">
              {t("financing.policies")}
            </Link>
          ) : undefined
        }
      />
      {done === "applied" ? (
        <div className="mb-6" data-testid="done-notice">
          <Alert tone="green">{t("financing.doneApplied")}</Alert>
        </div>
      ) : null}
      {allRows.length > 0 ? (
        <nav aria-label={t("financing.filters")} className="mb-4 flex flex-wrap gap-2" data-testid="financing-filters">
          {(Object.keys(FILTERS) as Filter[]).map((key) => (
            <Link
              key={key}
              href={key === "all" ? "/financing" : `/financing?status=${key}`}
              aria-current={filter === key ? "page" : undefined}
              className={cx("rounded-full px-3 py-1 text-sm font-medium ring-1 ring-inset", filter === key ? "bg-brand-50 text-brand-700 ring-brand-200" : "bg-white text-slate-600 ring-slate-300 hover:bg-slate-50")}
            >
              {t(`financing.filter.${key}`, { count: allRows.filter((f) => FILTERS[key](f.status)).length })}
            </Link>
          ))}
        </nav>
      ) : null}
      <Card>
        {allRows.length === 0 ? (
          <EmptyState title={lender ? t("financing.noneLender") : t("financing.noneHolder")}>{lender ? t("financing.noneLenderBody") : t("financing.noneHolderBody")}</EmptyState>
        ) : rows.length === 0 ? (
          <EmptyState title={t("financing.noneInFilter")}>{t("financing.noneInFilterBody")}</EmptyState>
        ) : (
          <div className="-my-2">
            <DataTable
              caption={lender ? t("financing.captionLender") : t("financing.captionHolder")}
              rows={rows}
              rowKey={(f) => f.id}
              rowTestId={(f) => `financing-${f.id}`}
              stack
              columns={[
                {
                  header: lender ? t("financing.holder") : t("financing.lender"),
                  cell: (f) => (
                    <Link href={`/financing/${f.id}`} className="font-medium text-brand-700 hover:underline">
                      {lender ? f.holderName : f.lenderName}
                    </Link>
                  ),
                },
                { header: t("financing.amount"), align: "right", cell: (f) => <span className="font-semibold">{format.money(f.faceMinor ?? f.outstandingMinor)}</span> },
                { header: t("financing.coreEnterprise"), cell: (f) => f.issuerName, hideOnPhone: true },
                { header: t("financing.tier"), cell: (f) => f.depth },
                {
                  header: t("financing.maturity"),
                  cell: (f) => {
                    const days = daysUntil(f.maturityDate);
                    return (
                      <>
                        {format.date(f.maturityDate)}
                        <span className="block text-xs text-slate-500">{days > 0 ? daysText(t, days) : t("common.matured")}</span>
                      </>
                    );
                  },
                },
                { header: t("financing.net"), align: "right", cell: (f) => (f.netMinor !== null ? format.money(f.netMinor) : t("common.dash")) },
                {
                  header: t("financing.status"),
                  cell: (f) => (
                    <span className="flex flex-wrap gap-1">
                      <Badge tone={STATUS_TONE[f.status as keyof typeof STATUS_TONE] ?? "slate"}>{t.has(`financingStatus.${f.status}`) ? t(`financingStatus.${f.status}`) : f.status}</Badge>
                      {f.policyId !== null ? <Badge tone="green">{t("financing.auto")}</Badge> : null}
                      {f.claimState === "overdue" ? <Badge tone="red">{t("financing.overdue")}</Badge> : null}
                    </span>
                  ),
                },
              ]}
            />
          </div>
        )}
      </Card>
      <div className="mt-6">
        <PledgesCard selfOrgId={actor.orgId} canSign={actor.permission !== "viewer"} />
      </div>
    </>
  );
}
