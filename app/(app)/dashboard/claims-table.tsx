import type { ClaimRowDto } from "@/server/services/dashboard";
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
  return (
    <div className="-mx-5 overflow-x-auto">
      <table className="min-w-full text-sm">
        <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th className="px-5 py-2 font-medium">Claim</th>
            <th className="px-5 py-2 font-medium">Core enterprise</th>
            <th className="px-5 py-2 text-right font-medium">Outstanding</th>
            <th className="px-5 py-2 font-medium">Maturity</th>
            <th className="px-5 py-2 font-medium">Tier</th>
            <th className="px-5 py-2 font-medium">Status</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {claims.map((c) => {
            const left = daysUntil(c.maturityDate);
            const incoming = c.offeredToName !== null && c.holderOrgId !== selfOrgId;
            return (
              <tr key={c.id} data-testid={`claim-row-${c.id}`}>
                <td className="px-5 py-3">
                  <div className="font-mono text-xs text-slate-700">{c.id}</div>
                  <div className="text-xs text-slate-500">
                    {incoming ? `offered by ${c.holderName}` : c.offeredToName ? `offered to ${c.offeredToName}` : `held by ${c.holderName}`}
                  </div>
                </td>
                <td className="px-5 py-3 text-slate-700">{c.issuerName}</td>
                <td className="px-5 py-3 text-right font-medium tabular-nums text-slate-900">{formatMinor(c.outstandingMinor)}</td>
                <td className="px-5 py-3 text-slate-600">
                  {formatDate(`${c.maturityDate}T00:00:00Z`)}
                  <div className="text-xs text-slate-500">{left > 0 ? `${left} days left` : "matured"}</div>
                </td>
                <td className="px-5 py-3 text-slate-600">{c.depth}</td>
                <td className="px-5 py-3">
                  <Badge tone={STATE_TONE[c.state] ?? "slate"}>{incoming ? "awaiting you" : c.state}</Badge>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
