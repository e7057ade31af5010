import Link from "next/link";
import type { Metadata } from "next";
import { getLocale, getTranslations } from "next-intl/server";
import { serverCaller } from "@/server/trpc/server-caller";
import type { Actor } from "@/server/actor";
import { Badge, Card, EmptyState, PageHeader, Stat } from "../../_components/ui";
import { formattersFor } from "../../_lib/localized-format";
import { requireActor } from "../../_lib/session";
import { LedgerPanel } from "./ledger-panel";
import { ClaimsTable } from "./claims-table";
import { ExportsCard } from "./exports-card";
import { PortfolioChart } from "./portfolio-chart";

/** Where each figure card leads: the page that lists what the figure adds up. */
const FIGURE_LINKS: Record<string, string> = {
  holdings: "/claims",
  awaitingAcceptance: "/claims",
  receivedEarly: "/financing?status=disbursed",
  creditAvailable: "/credit-lines",
  outstandingClaims: "/issuances",
  dueIn30Days: "/issuances",
  overdueIssued: "/issuances",
  exposure: "/financing?status=disbursed",
  applications: "/financing?status=open",
  creditGranted: "/credit-lines",
};

/** Where the list's "view all" leads when the dashboard shows only its first rows (an auditor's has no such page). */
const LIST_LINKS: Record<string, string | undefined> = {
  supplier: "/claims",
  lender: "/claims",
  core_enterprise: "/issuances",
};

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("dashboard"))("metaTitle") };
}
export const dynamic = "force-dynamic";

export default async function DashboardPage() {
  const actor = await requireActor();
  const t = await getTranslations();
  return (
    <div data-testid={`dashboard-${actor.orgRole}`}>
      <PageHeader title={t(`dashboard.titles.${actor.orgRole}`)} subtitle={`${actor.orgName} · ${t(`roles.${actor.orgRole}`)}`} />
      {actor.orgStatus !== "approved" ? (
        <Card>
          <EmptyState title={t("dashboard.awaitingReview.title")}>{t("dashboard.awaitingReview.body")}</EmptyState>
        </Card>
      ) : (
        <>
          {actor.orgRole === "operator" ? <OperatorDashboard /> : <BusinessDashboard actor={actor} />}
          <div className="mt-6">
            <LedgerPanel />
          </div>
        </>
      )}
    </div>
  );
}

async function OperatorDashboard() {
  const t = await getTranslations();
  const caller = await serverCaller();
  const orgs = await caller.organisations.list({});
  const pending = orgs.filter((o) => o.status === "pending");
  return (
    <div className="space-y-6">
      <div className="grid gap-4 sm:grid-cols-3">
        <Stat label={t("dashboard.operator.organisations")} value={orgs.length} hint={t("dashboard.operator.organisationsHint")} href="/operator/organisations" />
        <Stat label={t("dashboard.operator.awaitingReview")} value={pending.length} hint={t("dashboard.operator.awaitingReviewHint")} href="/operator/organisations" />
        <Stat label={t("dashboard.operator.approved")} value={orgs.filter((o) => o.status === "approved").length} hint={t("dashboard.operator.approvedHint")} href="/operator/organisations" />
      </div>
      <Card
        title={t("dashboard.operator.queue")}
        action={
          <Link className="text-sm font-medium text-brand-600 hover:underline" href="/operator/organisations">
            {t("dashboard.operator.reviewAll")}
          </Link>
        }
      >
        {pending.length === 0 ? (
          <EmptyState title={t("dashboard.operator.noApplications")}>{t("dashboard.operator.noApplicationsBody")}</EmptyState>
        ) : (
          <ul className="divide-y divide-slate-100">
            {pending.map((org) => (
              <li key={org.id} className="flex items-center justify-between py-3">
                <div>
                  <div className="text-sm font-medium text-slate-900">{org.name}</div>
                  <div className="text-xs text-slate-500">
                    {t(`roles.${org.role}`)} · {org.city || t("common.dash")}
                  </div>
                </div>
                <Badge tone="amber">{t("dashboard.operator.pending")}</Badge>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}

async function BusinessDashboard({ actor }: { actor: Actor }) {
  const role = actor.orgRole as Exclude<Actor["orgRole"], "operator">;
  const t = await getTranslations();
  const format = formattersFor(await getLocale());
  const caller = await serverCaller();
  const { figures, claims, claimsTotal } = await caller.ledger.dashboard();
  const allHref = LIST_LINKS[role];
  // Portfolio charts and exports are about the organisation's own book; auditors have the ledger-wide list instead.
  const charts = role === "auditor" ? [] : await caller.reports.portfolio();
  return (
    <div className="space-y-6">
      <div className={figures.length > 3 ? "grid gap-4 sm:grid-cols-2 lg:grid-cols-4" : "grid gap-4 sm:grid-cols-3"}>
        {figures.map((f) => (
          <Stat
            key={f.key}
            testId={`figure-${f.key}`}
            href={FIGURE_LINKS[f.key]}
            label={t(`dashboard.figures.${f.key}.label`)}
            value={format.money(f.valueMinor)}
            hint={t(`dashboard.figures.${f.key}.hint`, { count: f.count ?? 0 })}
          />
        ))}
      </div>
      {charts.length > 0 ? (
        <div className={charts.length > 1 ? "grid gap-6 lg:grid-cols-2" : "grid gap-6"}>
          {charts.map((chart) => (
            <PortfolioChart key={chart.id} chart={chart} />
          ))}
        </div>
      ) : null}
      <Card
        title={t(`dashboard.listTitle.${role}`)}
        action={
          claimsTotal > claims.length ? (
            allHref ? (
              <Link href={allHref} className="text-sm font-medium text-brand-600 hover:underline" data-testid="dashboard-view-all">
                {t("dashboard.viewAll", { count: claimsTotal })}
              </Link>
            ) : (
              <span className="text-xs text-slate-500" data-testid="dashboard-view-all">{t("dashboard.showingFirst", { shown: claims.length, count: claimsTotal })}</span>
            )
          ) : null
        }
      >
        {claims.length === 0 ? (
          <EmptyState title={t(`dashboard.empty.${role}.title`)}>{t(`dashboard.empty.${role}.body`)}</EmptyState>
        ) : (
          <ClaimsTable claims={claims} selfOrgId={actor.orgId} issuer={role === "core_enterprise"} />
        )}
      </Card>
      {role === "auditor" ? null : <ExportsCard role={role} />}
    </div>
  );
}
