import { getLocale, getTranslations } from "next-intl/server";
import { serverCaller } from "@/server/trpc/server-caller";
import { Card } from "../../_components/ui";
import { formattersFor } from "../../_lib/localized-format";

/** The ledger's latest signed checkpoint: what every verification is anchored to. */
export async function LedgerPanel() {
  const status = await (await serverCaller()).ledger.status();
  if (!status.checkpoint) return null;
  const t = await getTranslations("ledgerPanel");
  const format = formattersFor(await getLocale());
  return (
    <Card title={t("title")}>
      <p className="mb-4 text-sm text-slate-600">{t("verified")}</p>
      <dl className="grid gap-4 text-sm sm:grid-cols-4">
        <div>
          <dt className="text-xs uppercase tracking-wide text-slate-500">{t("transactions")}</dt>
          <dd className="mt-1 font-semibold tabular-nums" data-testid="ledger-size">{format.number(status.size)}</dd>
        </div>
        <div>
          <dt className="text-xs uppercase tracking-wide text-slate-500">{t("lastCheckpoint")}</dt>
          <dd className="mt-1 text-slate-700">{format.dateTime(status.checkpoint.timestampMs)}</dd>
        </div>
        <details className="sm:col-span-2">
          <summary className="cursor-pointer text-xs uppercase tracking-wide text-slate-500">{t("showDetail")}</summary>
          <dl className="mt-2">
            <dt className="text-xs text-slate-500">{t("rootHash")}</dt>
            <dd className="mt-1 break-all font-mono text-xs text-slate-600">{status.checkpoint.rootHash}</dd>
          </dl>
        </details>
      </dl>
    </Card>
  );
}
