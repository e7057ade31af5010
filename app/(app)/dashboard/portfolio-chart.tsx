"use client";

import { useTranslations } from "next-intl";
import { Bar, BarChart, CartesianGrid, Rectangle, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { Chart } from "../../_trpc/types";
import { DataTable } from "../../_components/data-table";
import { useFormatters } from "../../_lib/use-formatters";

/** One colour per series (brand blue), except where a slice has a meaning of its own: overdue is red. */
const KEY_COLOUR: Record<string, string> = { overdue: "#e11d48", early: "#059669", waiting: "#2f6fed", settled: "#64748b" };
const SERIES_COLOUR = "#2f6fed";

interface Datum {
  key: string;
  label: string;
  /** Yuan as a number: only to draw. Every figure shown comes from `valueMinor`. */
  value: number;
  valueMinor: bigint;
  count: number;
  colour: string;
}

function share(part: bigint, total: bigint, lessThanTenth: string): string {
  if (total === 0n) return "—";
  const permille = (part * 1000n) / total;
  if (permille === 0n && part > 0n) return lessThanTenth;
  return `${(Number(permille) / 10).toFixed(1)}%`;
}

function ChartTooltip({ active, payload }: { active?: boolean; payload?: readonly { payload?: unknown }[] }) {
  const t = useTranslations("charts");
  const format = useFormatters();
  const datum = payload?.[0]?.payload as Datum | undefined;
  if (!active || !datum) return null;
  return (
    <div className="rounded-md border border-slate-200 bg-white px-3 py-2 text-xs shadow-sm">
      <div className="font-medium text-slate-900">{datum.label}</div>
      <div className="tabular-nums text-slate-700">{format.money(datum.valueMinor)}</div>
      <div className="text-slate-500">{t("claimCount", { count: datum.count })}</div>
    </div>
  );
}

/**
 * One chart of the dashboard: a bar per slice, drawn by recharts, with the exact figures in
 * a table below it that is both the legend and the text alternative. The drawing itself is
 * hidden from screen readers (it would repeat the table with rounded axis labels), and
 * recharts' keyboard layer is off for the same reason: the table is reachable as it is.
 */
export function PortfolioChart({ chart }: { chart: Chart }) {
  const t = useTranslations("charts");
  const format = useFormatters();
  // Slices named by the server (organisations) keep their names; buckets and tiers are translated.
  const sliceLabel = (key: string, label: string) => (chart.id === "outstanding-by-tier" ? t("tier", { tier: key }) : t.has(`slices.${key}`) ? t(`slices.${key}`) : label);
  const title = t.has(`${chart.id}.title`) ? t(`${chart.id}.title`) : chart.title;
  const description = t.has(`${chart.id}.description`) ? t(`${chart.id}.description`) : chart.description;
  /** Axis ticks: recharts hands over yuan as a number; ticks are round, so whole fen are exact enough. */
  const tick = (yuan: number) => format.compact(BigInt(Math.round(yuan * 100)));
  const data: Datum[] = chart.slices.map((s) => ({ key: s.key, label: sliceLabel(s.key, s.label), value: Number(s.valueMinor) / 100, valueMinor: s.valueMinor, count: s.count, colour: KEY_COLOUR[s.key] ?? SERIES_COLOUR }));
  const total = chart.slices.reduce((sum, s) => sum + s.valueMinor, 0n);
  const horizontal = data.length > 0 && data.length <= 6 && data.some((d) => d.label.length > 14);
  const titleId = `${chart.id}-title`;
  return (
    <figure aria-labelledby={titleId} className="min-w-0 rounded-xl border border-slate-200 bg-white shadow-xs" data-testid={`chart-${chart.id}`}>
      <figcaption className="border-b border-slate-100 px-5 py-3.5">
        <h2 id={titleId} className="text-sm font-semibold text-slate-900">
          {title}
        </h2>
        <p className="mt-0.5 text-xs text-slate-500">{description}</p>
      </figcaption>
      <div className="space-y-4 p-5">
        {total === 0n ? (
          <p className="rounded-lg border border-dashed border-slate-300 px-4 py-8 text-center text-sm text-slate-500">{t("empty")}</p>
        ) : (
          <div aria-hidden="true" className={horizontal ? undefined : "h-56"} style={horizontal ? { height: 48 + 44 * data.length } : undefined}>
            <ResponsiveContainer width="100%" height="100%">
              <BarChart data={data} layout={horizontal ? "vertical" : "horizontal"} margin={{ top: 4, right: 12, bottom: 4, left: 4 }} accessibilityLayer={false}>
                <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" horizontal={!horizontal} vertical={horizontal} />
                {horizontal ? (
                  <>
                    <XAxis type="number" tickFormatter={tick} tick={{ fontSize: 11, fill: "#64748b" }} />
                    <YAxis type="category" dataKey="label" width={150} tick={{ fontSize: 11, fill: "#334155" }} />
                  </>
                ) : (
                  <>
                    <XAxis type="category" dataKey="label" tick={{ fontSize: 11, fill: "#334155" }} interval={0} />
                    <YAxis type="number" tickFormatter={tick} tick={{ fontSize: 11, fill: "#64748b" }} width={56} />
                  </>
                )}
                <Tooltip content={(props) => <ChartTooltip active={props.active} payload={props.payload} />} cursor={{ fill: "#f1f5f9" }} />
                <Bar dataKey="value" name={t("amount")} maxBarSize={44} isAnimationActive={false} shape={(props) => <Rectangle {...props} fill={(props.payload as Datum).colour} radius={3} />} />
              </BarChart>
            </ResponsiveContainer>
          </div>
        )}
        <DataTable
          bleed={false}
          dense
          caption={t("figures", { title })}
          rows={data}
          rowKey={(d) => d.key}
          rowTestId={(d) => `${chart.id}-${d.key}`}
          columns={[
            {
              header: t("category"),
              cell: (d) => (
                <span className="flex items-center gap-2">
                  <span aria-hidden="true" className="inline-block size-2.5 shrink-0 rounded-sm" style={{ background: d.colour }} />
                  {d.label}
                </span>
              ),
            },
            { header: t("amount"), align: "right", cell: (d) => format.money(d.valueMinor) },
            { header: t("share"), align: "right", cell: (d) => share(d.valueMinor, total, t("lessThanTenth")) },
            { header: t("claims"), align: "right", hideOnPhone: true, cell: (d) => d.count },
          ]}
        />
      </div>
    </figure>
  );
}
