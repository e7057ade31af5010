import Link from "next/link";
import { useTranslations } from "next-intl";
import type { MaturityDto } from "../../_trpc/types";
import { DataTable } from "../../_components/data-table";
import { Badge, Card, EmptyState } from "../../_components/ui";
import { useFormatters } from "../../_lib/use-formatters";
import type { Formatters } from "../../_lib/localized-format";

type Translate = ReturnType<typeof useTranslations<"issuances">>;

function dueLabel(t: Translate, format: Formatters, m: MaturityDto): { text: string; tone: "red" | "amber" | "slate" } {
  if (m.overdueMinor > 0n) return { text: t("dueOverdue", { amount: format.money(m.overdueMinor) }), tone: "red" };
  if (m.daysToMaturity <= 0) return { text: t("dueNow"), tone: "red" };
  if (m.daysToMaturity <= 30) return { text: t("dueIn", { count: m.daysToMaturity }), tone: "amber" };
  return { text: t("inDays", { count: m.daysToMaturity }), tone: "slate" };
}

/** The core enterprise's repayment schedule: what it still owes, soonest first. */
export function FallingDue({ rows, total }: { rows: MaturityDto[]; total: bigint }) {
  const t = useTranslations("issuances");
  const format = useFormatters();
  return (
    <Card
      title={
        <span className="flex items-center gap-2">
          {t("fallingDue")} <span className="text-sm font-normal text-slate-500">{t("outstandingTotal", { amount: format.money(total) })}</span>
        </span>
      }
      className="mb-6"
    >
      {rows.length === 0 ? (
        <EmptyState title={t("nothingToRepay")}>{t("allRepaid")}</EmptyState>
      ) : (
        <div className="-my-2">
          <DataTable
            caption={t("owedCaption")}
            rows={rows}
            rowKey={(m) => m.rootId}
            rowTestId={(m) => `due-${m.rootId}`}
            stack
            columns={[
              { header: t("maturity"), className: "whitespace-nowrap", cell: (m) => format.date(m.maturityDate) },
              { header: t("tier1"), cell: (m) => m.tier1Name, className: "text-slate-700", hideOnPhone: true },
              { header: t("outstanding"), align: "right", cell: (m) => <span className="font-semibold">{format.money(m.outstandingMinor)}</span> },
              { header: t("repaid"), align: "right", cell: (m) => <span className="text-slate-600">{format.money(m.repaidMinor)}</span> },
              { header: t("holders"), cell: (m) => m.holders, hideOnPhone: true },
              {
                header: t("status"),
                cell: (m) => {
                  const due = dueLabel(t, format, m);
                  return <Badge tone={due.tone}>{due.text}</Badge>;
                },
              },
              {
                header: <span className="sr-only">{t("action")}</span>,
                label: "",
                align: "right",
                cell: (m) => (
                  <Link className="font-medium text-brand-600 hover:underline" href={`/issuances/${m.rootId}`}>
                    {t("repay")}
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
