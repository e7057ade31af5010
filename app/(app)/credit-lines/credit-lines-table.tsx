"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { formatAmountPlain, parseAmountMinor } from "@/contracts/money";
import type { CreditLineDto } from "../../_trpc/types";
import { DataTable, type Column } from "../../_components/data-table";
import { Alert, Badge, Button, Field, inputClass } from "../../_components/ui";
import { formatDate, formatMinor } from "../../_lib/format";
import { useLedgerAction, type ActionOutcome } from "../../_lib/use-ledger-action";

type View = "lender" | "core";

const STATUS_TONE = { active: "green", frozen: "amber", expired: "slate" } as const;

/** What a status means for whoever is looking, and what they can do about it. */
function statusExplanation(line: CreditLineDto, view: View): string | null {
  if (line.status === "frozen") {
    return view === "core"
      ? `${line.lenderName} has frozen this line: you cannot issue new claims on it. Claims already issued stay valid and repaying them still restores the line. Contact ${line.lenderName} to unfreeze it.`
      : "Frozen: no new claims can be issued on it. Issued claims stay valid; unfreeze to allow issuance again.";
  }
  if (line.status === "expired") {
    return view === "core"
      ? `Expired: no new claims can be issued on it. Claims already issued stay valid until they are repaid. Ask ${line.lenderName} for a new line.`
      : "Expired: no new claims can be issued on it; issued claims stay valid until repaid. Grant a new line if needed.";
  }
  return null;
}

/** Share of the limit in use, in tenths of a percent, from bigints (0 to 1000). */
function permilleUsed(line: CreditLineDto): number {
  return line.limitMinor === 0n ? 0 : Number((line.usedMinor * 1000n) / line.limitMinor);
}

/** Available credit, what is used of the limit, and a bar of the utilisation. */
function CreditCell({ line }: { line: CreditLineDto }) {
  const permille = permilleUsed(line);
  const usable = line.status === "active";
  return (
    <div className="min-w-52">
      <div className={usable ? "font-semibold tabular-nums text-slate-900" : "font-semibold tabular-nums text-slate-400 line-through"}>{formatMinor(line.availableMinor)} available</div>
      <div className="mt-1.5 h-1.5 w-full overflow-hidden rounded-full bg-slate-100" role="img" aria-label={`${permille / 10}% of the limit used`}>
        <div className={usable ? "h-full rounded-full bg-brand-500" : "h-full rounded-full bg-slate-400"} style={{ width: `${Math.min(100, permille / 10)}%` }} />
      </div>
      <div className="mt-1 text-xs tabular-nums text-slate-500">
        {formatMinor(line.usedMinor)} used of {formatMinor(line.limitMinor)}
      </div>
    </div>
  );
}

type Panel = { lineId: string; confirmExpire: boolean } | null;

export function CreditLinesTable({ lines, view, manage }: { lines: CreditLineDto[]; view: View; manage: boolean }) {
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
    { header: view === "lender" ? "Core enterprise" : "Lender", cell: (l) => <span className="font-medium text-slate-900">{view === "lender" ? l.coreEnterpriseName : l.lenderName}</span> },
    { header: "Credit", cell: (l) => <CreditCell line={l} /> },
    { header: "Expires", cell: (l) => <span className="whitespace-nowrap">{formatDate(l.expiresAtMs)}</span> },
    {
      header: "Status",
      cell: (l) => {
        const why = statusExplanation(l, view);
        return (
          <div className="min-w-40 max-w-64">
            <Badge tone={STATUS_TONE[l.status]}>{l.status}</Badge>
            {why ? <p className="mt-1 text-xs text-slate-500">{why}</p> : null}
          </div>
        );
      },
    },
  ];
  if (manage) {
    columns.push({
      header: <span className="sr-only">Actions</span>,
      align: "right",
      cell: (l) =>
        l.status === "expired" ? null : (
          <Button variant="secondary" className="px-2.5 py-1 text-xs" aria-expanded={panel?.lineId === l.id} onClick={() => setPanel(panel?.lineId === l.id ? null : { lineId: l.id, confirmExpire: false })}>
            Manage
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
      <DataTable stack columns={columns} rows={lines} rowKey={(l) => l.id} rowTestId={(l) => `credit-line-${l.id}`} caption="Credit lines" />
      {selected && panel ? (
        <section aria-label={`Manage the line to ${selected.coreEnterpriseName}`} className="space-y-4 rounded-lg border border-slate-200 bg-slate-50 p-4" data-testid="manage-panel">
          <h3 className="text-sm font-semibold text-slate-900">
            Line to {selected.coreEnterpriseName}, {formatMinor(selected.limitMinor)}
          </h3>
          <AdjustForm key={selected.id} line={selected} busy={action.busy} onSign={(limitMinor) => void sign(action.run("creditLine.adjust", { creditLineId: selected.id, limitMinor }), `Limit of the line to ${selected.coreEnterpriseName} set to ${formatMinor(limitMinor)}.`)} />
          <div className="flex flex-wrap items-center gap-2 border-t border-slate-200 pt-4">
            <Button
              variant="secondary"
              disabled={action.busy}
              onClick={() =>
                void sign(
                  action.run("creditLine.freeze", { creditLineId: selected.id, frozen: selected.status === "active" }),
                  selected.status === "active" ? `Line to ${selected.coreEnterpriseName} frozen: no new claims can be issued on it.` : `Line to ${selected.coreEnterpriseName} unfrozen: it can be used again.`,
                )
              }
            >
              {selected.status === "active" ? "Freeze" : "Unfreeze"}
            </Button>
            <span className="text-xs text-slate-500">{selected.status === "active" ? "Stops new issuance at once; reversible." : "Allows issuance again."}</span>
            <Button variant="ghost" className="ml-auto text-rose-700" disabled={action.busy} onClick={() => setPanel({ lineId: selected.id, confirmExpire: true })}>
              Expire…
            </Button>
          </div>
          {panel.confirmExpire ? (
            <div className="space-y-3 rounded-lg border border-rose-200 bg-rose-50 p-4" data-testid="expire-panel">
              <p className="text-sm text-slate-800">
                Expire this line now? No new claims can be issued on it; the {formatMinor(selected.usedMinor)} already issued stays valid until repaid. This cannot be undone: a new line would have to be granted.
              </p>
              <div className="flex gap-2">
                <Button variant="danger" disabled={action.busy} onClick={() => void sign(action.run("creditLine.expire", { creditLineId: selected.id }), `Line to ${selected.coreEnterpriseName} expired.`)}>
                  {action.busy ? "Signing…" : "Sign and expire"}
                </Button>
                <Button variant="secondary" onClick={() => setPanel({ lineId: selected.id, confirmExpire: false })}>
                  Keep the line
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
  const [text, setText] = useState(formatAmountPlain(line.limitMinor));
  const parsed = parseAmountMinor(text);
  // The form opens on the current limit: that is not an error, there is just nothing to sign yet.
  const unchanged = parsed.ok && parsed.amountMinor === line.limitMinor;
  const problem = !parsed.ok
    ? parsed.message
    : parsed.amountMinor < line.usedMinor
      ? `The core enterprise already uses ${formatMinor(line.usedMinor)} of this line; the limit cannot be lower.`
      : parsed.amountMinor === line.limitMinor
        ? "That is the current limit."
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
        <Field label={`New limit for ${line.coreEnterpriseName} (CNY)`} htmlFor="adjust-limit" hint={`Now ${formatMinor(line.limitMinor)}; used ${formatMinor(line.usedMinor)}`} error={unchanged ? undefined : (problem ?? undefined)}>
          <input id="adjust-limit" className={`${inputClass} w-56 text-right tabular-nums`} inputMode="decimal" autoComplete="off" value={text} onChange={(e) => setText(e.target.value)} />
        </Field>
        <div className="pb-5">
          <Button type="submit" disabled={busy || Boolean(problem)}>
            {busy ? "Signing…" : "Sign new limit"}
          </Button>
        </div>
      </div>
    </form>
  );
}
