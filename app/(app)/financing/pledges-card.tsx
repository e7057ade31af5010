"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "../../_trpc/client";
import { Alert, Button, Card, EmptyState } from "../../_components/ui";
import { formatDate, formatMinor } from "../../_lib/format";
import { useLedgerAction } from "../../_lib/use-ledger-action";

/** Active pledges, seen by both sides; only the lender can release one. */
export function PledgesCard({ selfOrgId, canSign }: { selfOrgId: string; canSign: boolean }) {
  const trpc = useTRPC();
  const list = useQuery(trpc.financing.pledges.queryOptions());
  const action = useLedgerAction();
  const [message, setMessage] = useState<{ tone: "red" | "green"; text: string } | null>(null);
  async function release(claimId: string) {
    const result = await action.run("claim.release", { claimId });
    setMessage(result.ok ? { tone: "green", text: "Pledge released; the holder can use the claim again." } : { tone: "red", text: result.message });
    await list.refetch();
  }
  return (
    <Card title="Pledges">
      {message ? <div className="mb-4" data-testid="pledge-notice"><Alert tone={message.tone}>{message.text}</Alert></div> : null}
      {!list.data || list.data.length === 0 ? (
        <EmptyState title="No active pledges">A pledged claim is locked to one lender: it cannot be split, transferred or financed elsewhere until released.</EmptyState>
      ) : (
        <ul className="divide-y divide-slate-100">
          {list.data.map((p) => (
            <li key={p.id} className="flex flex-wrap items-center justify-between gap-3 py-3" data-testid={`pledge-${p.claimId}`}>
              <div>
                <div className="font-semibold tabular-nums">{formatMinor(p.amountMinor)}</div>
                <div className="text-sm text-slate-600">
                  {p.pledgorName} → {p.lenderName} · {p.issuerName} · matures {formatDate(`${p.maturityDate}T00:00:00Z`)}
                </div>
              </div>
              {canSign && p.lenderOrgId === selfOrgId ? (
                <Button variant="secondary" disabled={action.busy} onClick={() => void release(p.claimId)}>
                  Release
                </Button>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
