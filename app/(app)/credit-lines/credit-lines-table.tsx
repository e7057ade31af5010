"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTranslations } from "next-intl";
import { formatAmountPlain, parseAmountMinor } from "@/contracts/money";
import type { CreditLineDto } from "../../_trpc/types";
import { DataTable, type Column } from "../../_components/data-table";
import { Alert, Badge, Button, Field, inputClass } from "../../_components/ui";
import { useFormatters } from "../../_lib/use-formatters";
import type { Formatters } from "../../_lib/localized-format";
import { useLedgerAction, type ActionOutcome } from "../../_lib/use-ledger-action";

type View = "lender" | "core";
type Translate = ReturnType<typeof useTranslations<"creditLines">>;

const STATUS_TONE = { active: "green", frozen: "amber", expired: "slate" } as const;

/** What a status means for whoever is looking, and what they can do about it. */
function statusExplanation(t: Translate, line: CreditLineDto, view: View): string | null {
  if (line.status === "frozen") return view === "core" ? t("frozenCore", { lender: line.lenderName }) : t("frozenLender");
  if (line.status === "expired") return view === "core" ? t("expiredCore", { lender: line.lenderName }) : t("expiredLender");
  return null;
}

/** Share of the limit in use, in tenths of a percent, from bigints (0 to 1000). */
function permilleUsed(line: CreditLineDto): number {
  return line.limitMinor === 0n ? 0 : Number((line.usedMinor * 1000n) / line.limitMinor);
}

/** Available credit, what is used of the limit, and a bar of the utilisation. */
function CreditCell({ line, t, format }: { line: CreditLineDto; t: Translate; format: Formatters }) {
  const permille = permilleUsed(line);
  const usable = line.status === "active";
  return (
    <div className="min-w-52">
      <div className={usable ? "font-semibold tabular-nums text-slate-900" : "font-semibold tabular-nums text-slate-400 line-through"}>{t("available", { amount: format.money(line.availableMinor) })}</div>
      <div className="mt-1.5 h-1.5 w-full overflow-hidden rounded-full bg-slate-100" role="img" aria-label={t("usedShare", { percent: permille / 10 })}>
        <div className={usable ? "h-full rounded-full bg-brand-500" : "h-full rounded-full bg-slate-400"} style={{ width: `${Math.min(100, permille / 10)}%` }} />
      </div>
      <div className="mt-1 text-xs tabular-nums text-slate-500">
        {t("usedOf", { used: format.money(line.usedMinor), limit: format.money(line.limitMinor) })}
      </div>
    </div>
  );
}

type Panel = { lineId: string; confirmExpire: boolean } | null;

export function CreditLinesTable({ lines, view, manage }: { lines: CreditLineDto[]; view: View; manage: boolean }) {
  const t = useTranslations("creditLines");
  const format = useFormatters();
  const router = useRouter();
  const action = useLedgerAction();
  const [panel, setPanel] = useState<Panel>(null);
  const [notice, setNotice] = useState<{ tone: "green" | "red"; text: string } | null>(null);

  async function sign(outcome: Promise<ActionOutcome>, success: string) {
    setNotice(null);
    const result = await outcome;
    if (!result.ok) return setNotice({ tone: "red", text: result.message });
    setNotice({ tone: "green", text: success });
    setPanel(null);
    router.refresh();
  }

  const columns: Column<CreditLineDto>[] = [
    { header: view === "lender" ? t("coreEnterprise") : t("lender"), cell: (l) => <span className="font-medium text-slate-900">{view === "lender" ? l.coreEnterpriseName : l.lenderName}</span> },
    { header: t("credit"), cell: (l) => <CreditCell line={l} t={t} format={format} /> },
    { header: t("expires"), cell: (l) => <span className="whitespace-nowrap">{format.date(new Date(l.expiresAtMs).toISOString().slice(0, 10))}</span> },
    {
      header: t("statusHeader"),
      cell: (l) => {
        const why = statusExplanation(t, l, view);
        return (
          <div className="min-w-40 max-w-64">
            <Badge tone={STATUS_TONE[l.status]}>{t(`status.${l.status}`)}</Badge>
            {why ? <p className="mt-1 text-xs text-slate-500">{why}</p> : null}
          </div>
        );
      },
    },
  ];
  if (manage) {
    columns.push({
      header: <span className="sr-only">{t("actions")}</span>,
      align: "right",
      cell: (l) =>
        l.status === "expired" ? null : (
          <Button variant="secondary" className="px-2.5 py-1 text-xs" aria-expanded={panel?.lineId === l.id} onClick={() => setPanel(panel?.lineId === l.id ? null : { lineId: l.id, confirmExpire: false })}>
            {t("manage")}
          </Button>
        ),
    });
  }

  const selected = panel ? lines.find((l) => l.id === panel.lineId) : undefined;
  return (
    <div className="space-y-4">
      {notice ? (
        <div data-testid="credit-line-notice">
          <Alert tone={notice.tone}>{notice.text}</Alert>
        </div>
      ) : null}
      <DataTable stack columns={columns} rows={lines} rowKey={(l) => l.id} rowTestId={(l) => `credit-line-${l.id}`} caption={t("caption")} />
      {selected && panel ? (
        <section aria-label={t("manageLine", { name: selected.coreEnterpriseName })} className="space-y-4 rounded-lg border border-slate-200 bg-slate-50 p-4" data-testid="manage-panel">
          <h3 className="text-sm font-semibold text-slate-900">
            {t("lineTo", { name: selected.coreEnterpriseName, amount: format.money(selected.limitMinor) })}
          </h3>
          <AdjustForm key={selected.id} line={selected} busy={action.busy} onSign={(limitMinor) => void sign(action.run("creditLine.adjust", { creditLineId: selected.id, limitMinor }), t("adjusted", { name: selected.coreEnterpriseName, amount: format.money(limitMinor) }))} />
          <div className="flex flex-wrap items-center gap-2 border-t border-slate-200 pt-4">
            <Button
              variant="secondary"
              disabled={action.busy}
              onClick={() =>
                void sign(
                  action.run("creditLine.freeze", { creditLineId: selected.id, frozen: selected.status === "active" }),
                  t(selected.status === "active" ? "frozenDone" : "unfrozenDone", { name: selected.coreEnterpriseName }),
                )
              }
            >
              {selected.status === "active" ? t("freeze") : t("unfreeze")}
            </Button>
            <span className="text-xs text-slate-500">{selected.status === "active" ? t("freezeHint") : t("unfreezeHint")}</span>
            <Button variant="ghost" className="ml-auto text-rose-700" disabled={action.busy} onClick={() => setPanel({ lineId: selected.id, confirmExpire: true })}>
              {t("expire")}
            </Button>
          </div>
          {panel.confirmExpire ? (
            <div className="space-y-3 rounded-lg border border-rose-200 bg-rose-50 p-4" data-testid="expire-panel">
              <p className="text-sm text-slate-800">
                {t("expireConfirm", { used: format.money(selected.usedMinor) })}
              </p>
              <div className="flex gap-2">
                <Button variant="danger" disabled={action.busy} onClick={() => void sign(action.run("creditLine.expire", { creditLineId: selected.id }), t("expiredDone", { name: selected.coreEnterpriseName }))}>
                  {action.busy ? t("signing") : t("signExpire")}
                </Button>
                <Button variant="secondary" onClick={() => setPanel({ lineId: selected.id, confirmExpire: false })}>
                  {t("keep")}
                </Button>
              </div>
            </div>
          ) : null}
        </section>
      ) : null}
    </div>
  );
}

function AdjustForm({ line, busy, onSign }: { line: CreditLineDto; busy: boolean; onSign: (limitMinor: bigint) => void }) {
  const t = useTranslations("creditLines");
  const tAmount = useTranslations("amount");
  const format = useFormatters();
  const [text, setText] = useState(formatAmountPlain(line.limitMinor));
  const parsed = parseAmountMinor(text);
  // The form opens on the current limit: that is not an error, there is just nothing to sign yet.
  const unchanged = parsed.ok && parsed.amountMinor === line.limitMinor;
  const problem = !parsed.ok
    ? tAmount(parsed.code)
    : parsed.amountMinor < line.usedMinor
      ? t("belowUsed", { used: format.money(line.usedMinor) })
      : parsed.amountMinor === line.limitMinor
        ? t("unchanged")
        : null;
  return (
    <form
      data-testid="adjust-panel"
      onSubmit={(event) => {
        event.preventDefault();
        if (parsed.ok && !problem) onSign(parsed.amountMinor);
      }}
    >
      <div className="flex flex-wrap items-end gap-3">
        <Field label={t("newLimit", { name: line.coreEnterpriseName })} htmlFor="adjust-limit" hint={t("newLimitHint", { limit: format.money(line.limitMinor), used: format.money(line.usedMinor) })} error={unchanged ? undefined : (problem ?? undefined)}>
          <input id="adjust-limit" className={`${inputClass} w-56 text-right tabular-nums`} inputMode="decimal" autoComplete="off" value={text} onChange={(e) => setText(e.target.value)} />
        </Field>
        <div className="pb-5">
          <Button type="submit" disabled={busy || Boolean(problem)}>
            {busy ? t("signing") : t("signLimit")}
          </Button>
        </div>
      </div>
    </form>
  );
}
