"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { ClaimRowDto } from "../../_trpc/types";
import { DataTable } from "../../_components/data-table";
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
    <div className="-my-2 space-y-4">
      {message ? <Alert>{message}</Alert> : null}
      <DataTable
        rows={rows}
        rowKey={(c) => c.id}
        rowTestId={(c) => `issuance-${c.id}`}
        caption="Issued claims"
        columns={[
          { header: "Maturity", cell: (c) => formatDate(`${c.maturityDate}T00:00:00Z`) },
          { header: "Face value", align: "right", cell: (c) => <span className="font-semibold">{formatMinor(c.amountMinor)}</span> },
          { header: "Tier-1 supplier", className: "text-slate-700", cell: (c) => c.offeredToName ?? c.holderName },
          {
            header: "Status",
            cell: (c) => (
              <Badge tone={c.state === "offered" ? "amber" : c.state === "rejected" || c.state === "withdrawn" ? "red" : "green"}>{c.state === "offered" ? "awaiting acceptance" : c.state === "split" ? "accepted, passed on" : c.state}</Badge>
            ),
          },
          {
            header: <span className="sr-only">Actions</span>,
            className: "space-x-3 whitespace-nowrap text-right",
            cell: (c) => (
              <>
                <Link className="font-medium text-brand-600 hover:underline" href={`/issuances/${c.id}`}>
                  Tree
                </Link>
                {canSign && c.state === "offered" ? (
                  <Button variant="secondary" disabled={action.busy} onClick={() => void withdraw(c.id)}>
                    Withdraw
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
