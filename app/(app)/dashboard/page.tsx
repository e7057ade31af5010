import Link from "next/link";
import type { Metadata } from "next";
import { serverCaller } from "@/server/trpc/server-caller";
import type { Actor } from "@/server/actor";
import { Badge, Card, EmptyState, PageHeader, Stat } from "../../_components/ui";
import { formatMinor } from "../../_lib/format";
import { ROLE_LABEL } from "../../_lib/labels";
import { requireActor } from "../../_lib/session";
import { LedgerPanel } from "./ledger-panel";
import { ClaimsTable } from "./claims-table";
import { ExportsCard } from "./exports-card";
import { PortfolioChart } from "./portfolio-chart";

export const metadata: Metadata = { title: "Dashboard" };
export const dynamic = "force-dynamic";

export default async function DashboardPage() {
  const actor = await requireActor();
  return (
    <div data-testid={`dashboard-${actor.orgRole}`}>
      <PageHeader title={TITLES[actor.orgRole]} subtitle={`${actor.orgName} · ${ROLE_LABEL[actor.orgRole]}`} />
      {actor.orgStatus !== "approved" ? (
        <Card>
          <EmptyState title="Awaiting the operator's review">
            Your application is with the platform operator. Once your organisation is approved you can receive, split and finance claims here.
          </EmptyState>
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

const TITLES: Record<Actor["orgRole"], string> = {
  core_enterprise: "Credit and issued claims",
  supplier: "Your receivables",
  lender: "Financing desk",
  operator: "Platform operations",
  auditor: "Audit overview",
};

async function OperatorDashboard() {
  const caller = await serverCaller();
  const orgs = await caller.organisations.list({});
  const pending = orgs.filter((o) => o.status === "pending");
  return (
    <div className="space-y-6">
      <div className="grid gap-4 sm:grid-cols-3">
        <Stat label="Organisations" value={orgs.length} hint="on the platform" />
        <Stat label="Awaiting review" value={pending.length} hint="onboarding applications" />
        <Stat label="Approved" value={orgs.filter((o) => o.status === "approved").length} hint="can transact" />
      </div>
      <Card title="Onboarding queue" action={<Link className="text-sm font-medium text-brand-600 hover:underline" href="/operator/organisations">Review all</Link>}>
        {pending.length === 0 ? (
          <EmptyState title="No applications waiting">New organisations that apply appear here for review.</EmptyState>
        ) : (
          <ul className="divide-y divide-slate-100">
            {pending.map((org) => (
              <li key={org.id} className="flex items-center justify-between py-3">
                <div>
                  <div className="text-sm font-medium text-slate-900">{org.name}</div>
                  <div className="text-xs text-slate-500">
                    {ROLE_LABEL[org.role]} · {org.city || "—"}
                  </div>
                </div>
                <Badge tone="amber">Pending</Badge>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}

const EMPTY: Record<Exclude<Actor["orgRole"], "operator">, { title: string; body: string }> = {
  core_enterprise: { title: "No claims issued yet", body: "Once a lender grants you a credit line, you can issue claims to your tier-1 suppliers here." },
  supplier: { title: "Nothing in your inbox", body: "Claims offered to you by your customers appear here for acceptance; you can then split them and pass parts to your own suppliers." },
  lender: { title: "No financed claims yet", body: "Claims you finance, with their provenance verified in your browser, are listed here." },
  auditor: { title: "Nothing to review yet", body: "Every live claim on the ledger is listed here, read-only." },
};

const LIST_TITLE: Record<Exclude<Actor["orgRole"], "operator">, string> = {
  core_enterprise: "Issued claims",
  supplier: "Holdings and offers",
  lender: "Financed claims",
  auditor: "Live claims on the ledger",
};

async function BusinessDashboard({ actor }: { actor: Actor }) {
  const role = actor.orgRole as Exclude<Actor["orgRole"], "operator">;
  const caller = await serverCaller();
  const { figures, claims } = await caller.ledger.dashboard();
  // Portfolio charts and exports are about the organisation's own book; auditors have the ledger-wide list instead.
  const charts = role === "auditor" ? [] : await caller.reports.portfolio();
  return (
    <div className="space-y-6">
      <div className="grid gap-4 sm:grid-cols-3">
        {figures.map((f) => (
          <Stat key={f.label} label={f.label} value={formatMinor(f.valueMinor)} hint={f.hint} />
        ))}
      </div>
      {charts.length > 0 ? (
        <div className={charts.length > 1 ? "grid gap-6 lg:grid-cols-2" : "grid gap-6"}>
          {charts.map((chart) => (
            <PortfolioChart key={chart.id} chart={chart} />
          ))}
        </div>
      ) : null}
      <Card title={LIST_TITLE[role]}>
        {claims.length === 0 ? <EmptyState title={EMPTY[role].title}>{EMPTY[role].body}</EmptyState> : <ClaimsTable claims={claims} selfOrgId={actor.orgId} />}
      </Card>
      {role === "auditor" ? null : <ExportsCard role={role} />}
    </div>
  );
}
