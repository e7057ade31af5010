import { serverCaller } from "@/server/trpc/server-caller";
import { Card } from "../../_components/ui";
import { formatDate } from "../../_lib/format";

/** The ledger's latest signed checkpoint: what every verification is anchored to. */
export async function LedgerPanel() {
  const status = await (await serverCaller()).ledger.status();
  if (!status.checkpoint) return null;
  return (
    <Card title="Ledger">
      <dl className="grid gap-4 text-sm sm:grid-cols-4">
        <div>
          <dt className="text-xs uppercase tracking-wide text-slate-500">Transactions</dt>
          <dd className="mt-1 font-semibold tabular-nums" data-testid="ledger-size">{status.size.toLocaleString("en")}</dd>
        </div>
        <div>
          <dt className="text-xs uppercase tracking-wide text-slate-500">Last checkpoint</dt>
          <dd className="mt-1 text-slate-700">{formatDate(status.checkpoint.timestampMs)}</dd>
        </div>
        <div className="sm:col-span-2">
          <dt className="text-xs uppercase tracking-wide text-slate-500">Merkle root (RFC 9162), signed by the operator</dt>
          <dd className="mt-1 break-all font-mono text-xs text-slate-600">{status.checkpoint.rootHash}</dd>
        </div>
      </dl>
    </Card>
  );
}
