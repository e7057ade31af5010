import Link from "next/link";
import { useTranslations } from "next-intl";
import type { ClaimRowDto } from "../../_trpc/types";
import { DataTable } from "../../_components/data-table";
import { Badge } from "../../_components/ui";
import { daysUntil } from "../../_lib/format";
import { daysText } from "../../_lib/days-text";
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


/** States in which a claim's maturity still matters: the days left or overdue are shown for these only. */
const OPEN_STATES = new Set(["offered", "held", "pledged", "financed", "overdue", "split"]);

/**
 * The dashboard's claims. Each row leads somewhere: a core enterprise's issuance opens its
 * tree (with repayment), anyone else's claim its provenance. The row names the parties and
 * the amount; the claim id is kept small, for those who quote it.
 */
export function ClaimsTable({ claims, selfOrgId, issuer = false }: { claims: ClaimRowDto[]; selfOrgId: string; issuer?: boolean }) {
  const t = useTranslations();
  const format = useFormatters();
  const incoming = (c: ClaimRowDto) => c.offeredToName !== null && c.holderOrgId !== selfOrgId;
  const STATE_KEYS = ["offered", "held", "pledged", "financed", "settled", "overdue", "split", "withdrawn", "rejected"];
  const stateLabel = (c: ClaimRowDto) => {
    if (incoming(c)) return t("states.awaitingYou");
    // An issuance its tier-1 supplier accepted and split is, for its issuer, passed on.
    if (issuer && c.state === "split") return t("issuances.passedOn");
    return STATE_KEYS.includes(c.state) ? t(`states.${c.state}`) : c.state;
  };
  const party = (c: ClaimRowDto) =>
    incoming(c) ? t("claimsTable.offeredBy", { name: c.holderName }) : c.offeredToName
        ? t("claimsTable.offeredTo", { name: c.offeredToName })
        : c.holderOrgId === selfOrgId
          ? t("claimsTable.heldByYou")
          : t("claimsTable.heldBy", { name: c.holderName });
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
              <Link href={issuer ? `/issuances/${c.rootId}` : `/claims/${c.id}`} className="font-medium text-brand-700 hover:underline">
                {party(c)}
              </Link>
              <div className="font-mono text-[11px] text-slate-400" title={c.id}>
                {c.id.slice(0, 10)}…
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
                {OPEN_STATES.has(c.state) && c.outstandingMinor > 0n ? <div className="text-xs text-slate-500">{daysText(t, left, c.state)}</div> : null}
              </>
            );
          },
        },
        { header: t("claimsTable.tier"), className: "text-slate-600", cell: (c) => c.depth },
        { header: t("claimsTable.status"), cell: (c) => <Badge tone={STATE_TONE[c.state] ?? "slate"}>{stateLabel(c)}</Badge> },
      ]}
    />
  );
}
