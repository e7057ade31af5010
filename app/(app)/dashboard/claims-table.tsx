import Link from "next/link";
import { useTranslations } from "next-intl";
import type { ClaimRowDto } from "../../_trpc/types";
import { DataTable } from "../../_components/data-table";
import { Badge } from "../../_components/ui";
import { daysUntil } from "../../_lib/format";
import { useFormatters } from "../../_lib/use-formatters";

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
  const t = useTranslations();
  const format = useFormatters();
  const incoming = (c: ClaimRowDto) => c.offeredToName !== null && c.holderOrgId !== selfOrgId;
  const STATE_KEYS = ["offered", "held", "pledged", "financed", "settled", "overdue", "split", "withdrawn", "rejected"];
  const stateLabel = (state: string) => (STATE_KEYS.includes(state) ? t(`states.${state}`) : state);
  return (
    <DataTable
      stack
      rows={claims}
      rowKey={(c) => c.id}
      rowTestId={(c) => `claim-row-${c.id}`}
      caption={t("claimsTable.caption")}
      columns={[
        {
          header: t("claimsTable.claim"),
          cell: (c) => (
            <>
              <Link href={`/claims/${c.id}`} className="font-mono text-xs text-brand-700 hover:underline">
                {c.id}
              </Link>
              <div className="text-xs text-slate-500">
                {incoming(c) ? t("claimsTable.offeredBy", { name: c.holderName }) : c.offeredToName ? t("claimsTable.offeredTo", { name: c.offeredToName }) : t("claimsTable.heldBy", { name: c.holderName })}
              </div>
            </>
          ),
        },
        { header: t("claimsTable.coreEnterprise"), className: "text-slate-700", cell: (c) => c.issuerName },
        { header: t("claimsTable.outstanding"), align: "right", className: "font-medium text-slate-900", cell: (c) => format.money(c.outstandingMinor) },
        {
          header: t("claimsTable.maturity"),
          className: "text-slate-600",
          cell: (c) => {
            const left = daysUntil(c.maturityDate);
            return (
              <>
                {format.date(c.maturityDate)}
                <div className="text-xs text-slate-500">{left > 0 ? t("common.daysLeft", { count: left }) : t("common.matured")}</div>
              </>
            );
          },
        },
        { header: t("claimsTable.tier"), className: "text-slate-600", cell: (c) => c.depth },
        { header: t("claimsTable.status"), cell: (c) => <Badge tone={STATE_TONE[c.state] ?? "slate"}>{incoming(c) ? t("states.awaitingYou") : stateLabel(c.state)}</Badge> },
      ]}
    />
  );
}
