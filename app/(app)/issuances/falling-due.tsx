import Link from "next/link";
import type { MaturityDto } from "../../_trpc/types";
import { DataTable } from "../../_components/data-table";
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
        <div className="-my-2">
          <DataTable
            caption="Issuances still owed, soonest first"
            rows={rows}
            rowKey={(m) => m.rootId}
            rowTestId={(m) => `due-${m.rootId}`}
            stack
            columns={[
              { header: "Maturity", cell: (m) => formatDate(`${m.maturityDate}T00:00:00Z`) },
              { header: "Tier-1 supplier", cell: (m) => m.tier1Name, className: "text-slate-700", hideOnPhone: true },
              { header: "Outstanding", align: "right", cell: (m) => <span className="font-semibold">{formatMinor(m.outstandingMinor)}</span> },
              { header: "Repaid", align: "right", cell: (m) => <span className="text-slate-600">{formatMinor(m.repaidMinor)}</span> },
              { header: "Holders", cell: (m) => m.holders, hideOnPhone: true },
              {
                header: "Status",
                cell: (m) => {
                  const due = dueLabel(m);
                  return <Badge tone={due.tone}>{due.text}</Badge>;
                },
              },
              {
                header: <span className="sr-only">Action</span>,
                label: "",
                align: "right",
                cell: (m) => (
                  <Link className="font-medium text-brand-600 hover:underline" href={`/issuances/${m.rootId}`}>
                    Repay
                  </Link>
                ),
              },
            ]}
          />
        </div>
      )}
    </Card>
  );
}
