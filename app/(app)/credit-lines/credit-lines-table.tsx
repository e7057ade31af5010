"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { formatAmountPlain, parseAmountMinor } from "@/contracts/money";
import type { listCreditLines } from "@/server/services/ledger";
import { DataTable, type Column } from "../../_components/data-table";
import { Alert, Badge, Button, Field, inputClass } from "../../_components/ui";
import { formatDate, formatMinor } from "../../_lib/format";
import { useLedgerAction, type ActionOutcome } from "../../_lib/use-ledger-action";

export type CreditLineDto = Awaited<ReturnType<typeof listCreditLines>>[number];
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

function percentUsed(line: CreditLineDto): string {
  if (line.limitMinor === 0n) return "0%";
  return `${(Number((line.usedMinor * 1000n) / line.limitMinor) / 10).toFixed(1)}% used`;
}

type Panel = { lineId: string; mode: "adjust" | "expire" } | null;

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

  const counterparty = (l: CreditLineDto) => (view === "lender" ? l.coreEnterpriseName : l.lenderName);
  const columns: Column<CreditLineDto>[] = [
    { header: view === "lender" ? "Core enterprise" : "Lender", cell: (l) => <span className="font-medium text-slate-900">{counterparty(l)}</span> },
    { header: "Limit", align: "right", cell: (l) => formatMinor(l.limitMinor) },
    {
      header: "Used",
      align: "right",
      cell: (l) => (
        <>
          {formatMinor(l.usedMinor)}
          <div className="text-xs text-slate-500">{percentUsed(l)}</div>
        </>
      ),
    },
    { header: "Available", align: "right", cell: (l) => <span className="font-semibold">{l.status === "active" ? formatMinor(l.availableMinor) : formatMinor(0n)}</span> },
    { header: "Expires", cell: (l) => <span className="whitespace-nowrap">{formatDate(l.expiresAtMs)}</span> },
    {
      header: "Status",
      className: "min-w-56",
      cell: (l) => {
        const why = statusExplanation(l, view);
        return (
          <>
            <Badge tone={STATUS_TONE[l.status]}>{l.status}</Badge>
            {why ? <p className="mt-1 max-w-xs text-xs text-slate-500">{why}</p> : null}
          </>
        );
      },
    },
  ];
  if (manage) {
    columns.push({
      header: <span className="sr-only">Actions</span>,
      cell: (l) =>
        l.status === "expired" ? null : (
          <div className="flex flex-wrap justify-end gap-2">
            <Button variant="secondary" className="px-2.5 py-1 text-xs" disabled={action.busy} onClick={() => setPanel({ lineId: l.id, mode: "adjust" })}>
              Adjust limit
            </Button>
            <Button
              variant="secondary"
              className="px-2.5 py-1 text-xs"
              disabled={action.busy}
              onClick={() => void sign(action.run("creditLine.freeze", { creditLineId: l.id, frozen: l.status === "active" }), l.status === "active" ? `Line to ${l.coreEnterpriseName} frozen: no new claims can be issued on it.` : `Line to ${l.coreEnterpriseName} unfrozen: it can be used again.`)}
            >
              {l.status === "active" ? "Freeze" : "Unfreeze"}
            </Button>
            <Button variant="ghost" className="px-2.5 py-1 text-xs text-rose-700" disabled={action.busy} onClick={() => setPanel({ lineId: l.id, mode: "expire" })}>
              Expire
            </Button>
          </div>
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
      <DataTable columns={columns} rows={lines} rowKey={(l) => l.id} rowTestId={(l) => `credit-line-${l.id}`} caption="Credit lines" />
      {selected && panel?.mode === "adjust" ? (
        <AdjustPanel key={selected.id} line={selected} busy={action.busy} onCancel={() => setPanel(null)} onSign={(limitMinor) => void sign(action.run("creditLine.adjust", { creditLineId: selected.id, limitMinor }), `Limit of the line to ${selected.coreEnterpriseName} set to ${formatMinor(limitMinor)}.`)} />
      ) : null}
      {selected && panel?.mode === "expire" ? (
        <div className="space-y-3 rounded-lg border border-rose-200 bg-rose-50/50 p-4" data-testid="expire-panel">
          <p className="text-sm text-slate-800">
            Expire the line to <strong>{selected.coreEnterpriseName}</strong> now? No new claims can be issued on it; the {formatMinor(selected.usedMinor)} already issued stays valid until repaid. This cannot be undone: a new line would have to be granted.
          </p>
          <div className="flex gap-2">
            <Button variant="danger" disabled={action.busy} onClick={() => void sign(action.run("creditLine.expire", { creditLineId: selected.id }), `Line to ${selected.coreEnterpriseName} expired.`)}>
              {action.busy ? "Signing…" : "Sign and expire"}
            </Button>
            <Button variant="secondary" onClick={() => setPanel(null)}>
              Cancel
            </Button>
          </div>
        </div>
      ) : null}
    </div>
  );
}

function AdjustPanel({ line, busy, onSign, onCancel }: { line: CreditLineDto; busy: boolean; onSign: (limitMinor: bigint) => void; onCancel: () => void }) {
  const [text, setText] = useState(formatAmountPlain(line.limitMinor));
  const parsed = parseAmountMinor(text);
  const problem = !parsed.ok
    ? parsed.message
    : parsed.amountMinor < line.usedMinor
      ? `The core enterprise already uses ${formatMinor(line.usedMinor)} of this line; the limit cannot be lower.`
      : parsed.amountMinor === line.limitMinor
        ? "That is the current limit."
        : null;
  return (
    <form
      className="space-y-3 rounded-lg border border-slate-200 bg-slate-50 p-4"
      data-testid="adjust-panel"
      onSubmit={(event) => {
        event.preventDefault();
        if (parsed.ok && !problem) onSign(parsed.amountMinor);
      }}
    >
      <div className="flex flex-wrap items-end gap-3">
        <Field label={`New limit for ${line.coreEnterpriseName} (CNY)`} htmlFor="adjust-limit" hint={`Now ${formatMinor(line.limitMinor)}; used ${formatMinor(line.usedMinor)}`} error={text ? (problem ?? undefined) : undefined}>
          <input id="adjust-limit" className={`${inputClass} w-56 text-right tabular-nums`} inputMode="decimal" autoComplete="off" value={text} onChange={(e) => setText(e.target.value)} />
        </Field>
        <div className="flex gap-2 pb-5">
          <Button type="submit" disabled={busy || Boolean(problem)}>
            {busy ? "Signing…" : "Sign new limit"}
          </Button>
          <Button type="button" variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
        </div>
      </div>
    </form>
  );
}
