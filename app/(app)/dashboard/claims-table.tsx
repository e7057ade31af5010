import type { ClaimRowDto } from "../../_trpc/types";
import { DataTable } from "../../_components/data-table";
import { Badge } from "../../_components/ui";
import { daysUntil, formatDate, formatMinor } from "../../_lib/format";

const STATE_TONE: Record<string, "slate" | "green" | "amber" | "red" | "blue"> = {
  offered: "amber",
  held: "green",
  pledged: "blue",
  financed: "blue",
  settled: "slate",
  overdue: "red",
  split: "slate",
  withdrawn: "slate",
  rejected: "red",
};


export function ClaimsTable({ claims, selfOrgId }: { claims: ClaimRowDto[]; selfOrgId: string }) {
  const incoming = (c: ClaimRowDto) => c.offeredToName !== null && c.holderOrgId !== selfOrgId;
  return (
    <DataTable
      stack
      rows={claims}
      rowKey={(c) => c.id}
      rowTestId={(c) => `claim-row-${c.id}`}
      caption="Claims"
      columns={[
        {
          header: "Claim",
          cell: (c) => (
            <>
              <div className="font-mono text-xs text-slate-700">{c.id}</div>
              <div className="text-xs text-slate-500">{incoming(c) ? `offered by ${c.holderName}` : c.offeredToName ? `offered to ${c.offeredToName}` : `held by ${c.holderName}`}</div>
            </>
          ),
        },
        { header: "Core enterprise", className: "text-slate-700", cell: (c) => c.issuerName },
        { header: "Outstanding", align: "right", className: "font-medium text-slate-900", cell: (c) => formatMinor(c.outstandingMinor) },
        {
          header: "Maturity",
          className: "text-slate-600",
          cell: (c) => {
            const left = daysUntil(c.maturityDate);
            return (
              <>
                {formatDate(`${c.maturityDate}T00:00:00Z`)}
                <div className="text-xs text-slate-500">{left > 0 ? `${left} days left` : "matured"}</div>
              </>
            );
          },
        },
        { header: "Tier", className: "text-slate-600", cell: (c) => c.depth },
        { header: "Status", cell: (c) => <Badge tone={STATE_TONE[c.state] ?? "slate"}>{incoming(c) ? "awaiting you" : c.state}</Badge> },
      ]}
    />
  );
}
