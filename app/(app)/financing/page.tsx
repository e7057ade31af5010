import type { Metadata } from "next";
import Link from "next/link";
import { serverCaller } from "@/server/trpc/server-caller";
import { Badge, Card, EmptyState, PageHeader } from "../../_components/ui";
import { formatDate, formatMinor } from "../../_lib/format";
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
          <div className="-mx-5 -my-5 overflow-x-auto">
            <table className="min-w-full text-sm">
              <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
                <tr>
                  <th className="px-5 py-3 font-medium">{lender ? "Holder" : "Lender"}</th>
                  <th className="px-5 py-3 text-right font-medium">Amount</th>
                  <th className="px-5 py-3 font-medium">Core enterprise</th>
                  <th className="px-5 py-3 font-medium">Tier</th>
                  <th className="px-5 py-3 font-medium">Maturity</th>
                  <th className="px-5 py-3 text-right font-medium">Net</th>
                  <th className="px-5 py-3 font-medium">Status</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {rows.map((f) => (
                  <tr key={f.id} data-testid={`financing-${f.id}`} className="hover:bg-slate-50">
                    <td className="px-5 py-3">
                      <Link href={`/financing/${f.id}`} className="font-medium text-brand-700 hover:underline">
                        {lender ? f.holderName : f.lenderName}
                      </Link>
                    </td>
                    <td className="px-5 py-3 text-right font-semibold tabular-nums">{formatMinor(f.outstandingMinor)}</td>
                    <td className="px-5 py-3">{f.issuerName}</td>
                    <td className="px-5 py-3">{f.depth}</td>
                    <td className="px-5 py-3">{formatDate(`${f.maturityDate}T00:00:00Z`)}</td>
                    <td className="px-5 py-3 text-right tabular-nums">{f.netMinor !== null ? formatMinor(f.netMinor) : "—"}</td>
                    <td className="px-5 py-3">
                      <span className="flex flex-wrap gap-1">
                        <Badge tone={STATUS_TONE[f.status as keyof typeof STATUS_TONE] ?? "slate"}>{f.status}</Badge>
                        {f.policyId !== null ? <Badge tone="green">auto</Badge> : null}
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      <div className="mt-6">
        <PledgesCard selfOrgId={actor.orgId} canSign={actor.permission !== "viewer"} />
      </div>
    </>
  );
}
