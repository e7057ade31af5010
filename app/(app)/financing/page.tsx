import type { Metadata } from "next";
import Link from "next/link";
import { serverCaller } from "@/server/trpc/server-caller";
import { Badge, Card, EmptyState, PageHeader } from "../../_components/ui";
import { DataTable } from "../../_components/data-table";
import { daysUntil, formatDate, formatMinor } from "../../_lib/format";
import { requireActor } from "../../_lib/session";
import { PledgesCard } from "./pledges-card";

export const metadata: Metadata = { title: "Financing" };
export const dynamic = "force-dynamic";

const STATUS_TONE = { requested: "amber", offered: "blue", accepted: "blue", disbursed: "green", declined: "slate" } as const;

export default async function FinancingPage() {
  const actor = await requireActor();
  const rows = await (await serverCaller()).financing.list();
  const lender = actor.orgRole === "lender";
  return (
    <>
      <PageHeader
        title={lender ? "Financing desk" : "Financing"}
        subtitle={lender ? "Applications from holders. Open one to check its provenance in your browser and decide." : "Your financing applications and offers."}
        actions={lender ? <Link href="/financing/policies" className="text-sm font-medium text-brand-600 hover:underline">Auto-financing policies</Link> : undefined}
      />
      <Card>
        {rows.length === 0 ? (
          <EmptyState title={lender ? "No applications yet" : "No financing yet"}>{lender ? "Applications appear here as holders apply." : "Open a held claim on the Claims page and choose Finance."}</EmptyState>
        ) : (
          <div className="-my-2">
            <DataTable
              caption={lender ? "Financing applications" : "Your financings"}
              rows={rows}
              rowKey={(f) => f.id}
              rowTestId={(f) => `financing-${f.id}`}
              stack
              columns={[
                {
                  header: lender ? "Holder" : "Lender",
                  cell: (f) => (
                    <Link href={`/financing/${f.id}`} className="font-medium text-brand-700 hover:underline">
                      {lender ? f.holderName : f.lenderName}
                    </Link>
                  ),
                },
                { header: "Amount", align: "right", cell: (f) => <span className="font-semibold">{formatMinor(f.faceMinor ?? f.outstandingMinor)}</span> },
                { header: "Core enterprise", cell: (f) => f.issuerName, hideOnPhone: true },
                { header: "Tier", cell: (f) => f.depth },
                {
                  header: "Maturity",
                  cell: (f) => {
                    const days = daysUntil(f.maturityDate);
                    return (
                      <>
                        {formatDate(`${f.maturityDate}T00:00:00Z`)}
                        <span className="block text-xs text-slate-500">{days > 0 ? `${days} day${days === 1 ? "" : "s"} left` : "matured"}</span>
                      </>
                    );
                  },
                },
                { header: "Net", align: "right", cell: (f) => (f.netMinor !== null ? formatMinor(f.netMinor) : "—") },
                {
                  header: "Status",
                  cell: (f) => (
                    <span className="flex flex-wrap gap-1">
                      <Badge tone={STATUS_TONE[f.status as keyof typeof STATUS_TONE] ?? "slate"}>{f.status}</Badge>
                      {f.policyId !== null ? <Badge tone="green">auto</Badge> : null}
                      {f.claimState === "overdue" ? <Badge tone="red">overdue</Badge> : null}
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
