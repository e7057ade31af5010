"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTranslations } from "next-intl";
import type { ClaimRowDto } from "../../_trpc/types";
import { DataTable } from "../../_components/data-table";
import { Alert, Badge, Button } from "../../_components/ui";
import { useFormatters } from "../../_lib/use-formatters";
import { useLedgerAction } from "../../_lib/use-ledger-action";
import { claimStateTone } from "../../_lib/labels";

export function IssuancesTable({ rows, canSign }: { rows: ClaimRowDto[]; canSign: boolean }) {
  const t = useTranslations();
  const format = useFormatters();
  const router = useRouter();
  const action = useLedgerAction();
  const [message, setMessage] = useState<string | null>(null);
  async function withdraw(claimId: string) {
    const result = await action.run("claim.withdraw", { claimId });
    setMessage(result.ok ? null : result.message);
    router.refresh();
  }
  return (
    <div className="-my-2 space-y-4">
      {message ? <Alert>{message}</Alert> : null}
      <DataTable
        rows={rows}
        rowKey={(c) => c.id}
        rowTestId={(c) => `issuance-${c.id}`}
        caption={t("issuances.caption")}
        stack
        columns={[
          { header: t("issuances.maturity"), className: "whitespace-nowrap", cell: (c) => format.date(c.maturityDate) },
          { header: t("issuances.reference"), className: "break-all text-slate-700", cell: (c) => c.tradeReference ?? <span className="text-slate-400">{t("common.dash")}</span> },
          { header: t("issuances.faceValue"), align: "right", cell: (c) => <span className="font-semibold">{format.money(c.amountMinor)}</span> },
          { header: t("issuances.tier1"), className: "text-slate-700", cell: (c) => c.offeredToName ?? c.holderName },
          {
            header: t("issuances.status"),
            cell: (c) => (
              <Badge tone={claimStateTone(c.state)}>{c.state === "offered" ? t("issuances.awaitingAcceptance") : c.state === "split" ? t("issuances.passedOn") : t(`states.${c.state}`)}</Badge>
            ),
          },
          {
            header: <span className="sr-only">{t("issuances.actions")}</span>,
            className: "space-x-3 whitespace-nowrap text-right",
            cell: (c) => (
              <>
                <Link className="font-medium text-brand-600 hover:underline" href={`/issuances/${c.id}`}>
                  {t("issuances.tree")}
                </Link>
                {canSign && c.state === "offered" ? (
                  <Button variant="secondary" disabled={action.busy} onClick={() => void withdraw(c.id)}>
                    {t("issuances.withdraw")}
                  </Button>
                ) : null}
              </>
            ),
          },
        ]}
      />
    </div>
  );
}
