import type { Metadata } from "next";
import { serverCaller } from "@/server/trpc/server-caller";
import { Badge, Card, EmptyState, PageHeader } from "../../_components/ui";
import { formatDate, formatMinor } from "../../_lib/format";
import { requireActor } from "../../_lib/session";

export const metadata: Metadata = { title: "Credit lines" };
export const dynamic = "force-dynamic";

export default async function CreditLinesPage() {
  const actor = await requireActor();
  const lines = await (await serverCaller()).ledger.creditLines();
  const lender = actor.orgRole === "lender";
  return (
    <>
      <PageHeader title="Credit lines" subtitle={lender ? "Lines you granted to core enterprises." : "Lines lenders granted you; issuing a claim uses them, repayment restores them."} />
      <Card>
        {lines.length === 0 ? (
          <EmptyState title="No credit lines" />
        ) : (
          <div className="-mx-5 -my-5 overflow-x-auto">
            <table className="min-w-full text-sm">
              <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
                <tr>
                  <th className="px-5 py-3 font-medium">{lender ? "Core enterprise" : "Lender"}</th>
                  <th className="px-5 py-3 text-right font-medium">Limit</th>
                  <th className="px-5 py-3 text-right font-medium">Used</th>
                  <th className="px-5 py-3 text-right font-medium">Available</th>
                  <th className="px-5 py-3 font-medium">Expires</th>
                  <th className="px-5 py-3 font-medium">Status</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {lines.map((l) => (
                  <tr key={l.id}>
                    <td className="px-5 py-3 font-medium text-slate-900">{lender ? l.coreEnterpriseName : l.lenderName}</td>
                    <td className="px-5 py-3 text-right tabular-nums">{formatMinor(l.limitMinor)}</td>
                    <td className="px-5 py-3 text-right tabular-nums">{formatMinor(l.usedMinor)}</td>
                    <td className="px-5 py-3 text-right font-semibold tabular-nums">{formatMinor(l.availableMinor)}</td>
                    <td className="px-5 py-3">{formatDate(l.expiresAtMs)}</td>
                    <td className="px-5 py-3">
                      <Badge tone={l.status === "active" ? "green" : "amber"}>{l.status}</Badge>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </>
  );
}
