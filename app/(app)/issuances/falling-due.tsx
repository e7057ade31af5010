import Link from "next/link";
import type { MaturityDto } from "@/server/services/maturities";
import { Badge, Card, EmptyState } from "../../_components/ui";
import { formatDate, formatMinor } from "../../_lib/format";

function dueLabel(m: MaturityDto): { text: string; tone: "red" | "amber" | "slate" } {
  if (m.overdueMinor > 0n) return { text: `overdue ${formatMinor(m.overdueMinor)}`, tone: "red" };
  if (m.daysToMaturity <= 0) return { text: "due now", tone: "red" };
  if (m.daysToMaturity <= 30) return { text: `due in ${m.daysToMaturity} day${m.daysToMaturity === 1 ? "" : "s"}`, tone: "amber" };
  return { text: `in ${m.daysToMaturity} days`, tone: "slate" };
}

/** The core enterprise's repayment schedule: what it still owes, soonest first. */
export function FallingDue({ rows, total }: { rows: MaturityDto[]; total: bigint }) {
  return (
    <Card title={<span className="flex items-center gap-2">Falling due <span className="text-sm font-normal text-slate-500">{formatMinor(total)} outstanding</span></span>} className="mb-6">
      {rows.length === 0 ? (
        <EmptyState title="Nothing to repay">Every issuance is repaid.</EmptyState>
      ) : (
        <div className="-mx-5 -my-5 overflow-x-auto">
          <table className="min-w-full text-sm">
            <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th className="px-5 py-3 font-medium">Maturity</th>
                <th className="px-5 py-3 font-medium">Tier-1 supplier</th>
                <th className="px-5 py-3 text-right font-medium">Outstanding</th>
                <th className="px-5 py-3 text-right font-medium">Repaid</th>
                <th className="px-5 py-3 font-medium">Holders</th>
                <th className="px-5 py-3 font-medium">Status</th>
                <th className="px-5 py-3" />
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {rows.map((m) => {
                const due = dueLabel(m);
                return (
                  <tr key={m.rootId} data-testid={`due-${m.rootId}`}>
                    <td className="px-5 py-3">{formatDate(`${m.maturityDate}T00:00:00Z`)}</td>
                    <td className="px-5 py-3 text-slate-700">{m.tier1Name}</td>
                    <td className="px-5 py-3 text-right font-semibold tabular-nums">{formatMinor(m.outstandingMinor)}</td>
                    <td className="px-5 py-3 text-right tabular-nums text-slate-600">{formatMinor(m.repaidMinor)}</td>
                    <td className="px-5 py-3">{m.holders}</td>
                    <td className="px-5 py-3">
                      <Badge tone={due.tone}>{due.text}</Badge>
                    </td>
                    <td className="px-5 py-3 text-right">
                      <Link className="font-medium text-brand-600 hover:underline" href={`/issuances/${m.rootId}`}>
                        Repay
                      </Link>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
