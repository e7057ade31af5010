"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslations } from "next-intl";
import { useTRPC } from "../../_trpc/client";
import { Alert, Button, Card, EmptyState } from "../../_components/ui";
import { useFormatters } from "../../_lib/use-formatters";
import { useLedgerAction } from "../../_lib/use-ledger-action";

/** Active pledges, seen by both sides; only the lender can release one. */
export function PledgesCard({ selfOrgId, canSign }: { selfOrgId: string; canSign: boolean }) {
  const t = useTranslations("pledges");
  const format = useFormatters();
  const trpc = useTRPC();
  const list = useQuery(trpc.financing.pledges.queryOptions());
  const action = useLedgerAction();
  const [message, setMessage] = useState<{ tone: "red" | "green"; text: string } | null>(null);
  async function release(claimId: string) {
    const result = await action.run("claim.release", { claimId });
    setMessage(result.ok ? { tone: "green", text: t("released") } : { tone: "red", text: result.message });
    await list.refetch();
  }
  return (
    <Card title={t("title")}>
      {message ? <div className="mb-4" data-testid="pledge-notice"><Alert tone={message.tone}>{message.text}</Alert></div> : null}
      {!list.data || list.data.length === 0 ? (
        <EmptyState title={t("none")}>{t("noneBody")}</EmptyState>
      ) : (
        <ul className="divide-y divide-slate-100">
          {list.data.map((p) => (
            <li key={p.id} className="flex flex-wrap items-center justify-between gap-3 py-3" data-testid={`pledge-${p.claimId}`}>
              <div>
                <div className="font-semibold tabular-nums">{format.money(p.amountMinor)}</div>
                <div className="text-sm text-slate-600">
                  {t("line", { pledgor: p.pledgorName, lender: p.lenderName, issuer: p.issuerName, date: format.date(p.maturityDate) })}
                </div>
              </div>
              {canSign && p.lenderOrgId === selfOrgId ? (
                <Button variant="secondary" disabled={action.busy} onClick={() => void release(p.claimId)}>
                  {t("release")}
                </Button>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
