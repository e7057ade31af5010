"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { ClaimRowDto } from "@/server/services/dashboard";
import { Alert, Badge, Button } from "../../_components/ui";
import { formatDate, formatMinor } from "../../_lib/format";
import { useLedgerAction } from "../../_lib/use-ledger-action";

export function IssuancesTable({ rows, canSign }: { rows: ClaimRowDto[]; canSign: boolean }) {
  const router = useRouter();
  const action = useLedgerAction();
  const [message, setMessage] = useState<string | null>(null);
  async function withdraw(claimId: string) {
    const result = await action.run("claim.withdraw", { claimId });
    setMessage(result.ok ? null : result.message);
    router.refresh();
  }
  return (
    <div className="-mx-5 -my-5 overflow-x-auto">
      {message ? (
        <div className="p-4">
          <Alert>{message}</Alert>
        </div>
      ) : null}
      <table className="min-w-full text-sm">
        <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th className="px-5 py-3 font-medium">Maturity</th>
            <th className="px-5 py-3 text-right font-medium">Face value</th>
            <th className="px-5 py-3 font-medium">Tier-1 supplier</th>
            <th className="px-5 py-3 font-medium">Status</th>
            <th className="px-5 py-3" />
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((c) => (
            <tr key={c.id} data-testid={`issuance-${c.id}`}>
              <td className="px-5 py-3">{formatDate(`${c.maturityDate}T00:00:00Z`)}</td>
              <td className="px-5 py-3 text-right font-semibold tabular-nums">{formatMinor(c.amountMinor)}</td>
              <td className="px-5 py-3 text-slate-700">{c.offeredToName ?? c.holderName}</td>
              <td className="px-5 py-3">
                <Badge tone={c.state === "offered" ? "amber" : c.state === "rejected" || c.state === "withdrawn" ? "red" : "green"}>{c.state === "offered" ? "awaiting acceptance" : c.state === "split" ? "accepted, passed on" : c.state}</Badge>
              </td>
              <td className="space-x-3 whitespace-nowrap px-5 py-3 text-right">
                <Link className="font-medium text-brand-600 hover:underline" href={`/issuances/${c.id}`}>
                  Tree
                </Link>
                {canSign && c.state === "offered" ? (
                  <Button variant="secondary" disabled={action.busy} onClick={() => void withdraw(c.id)}>
                    Withdraw
                  </Button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
