import type { ReactNode } from "react";
import { cx } from "./ui";

export interface Column<T> {
  /** Column heading; also the accessible name of its cells. */
  header: ReactNode;
  cell: (row: T) => ReactNode;
  /** Amounts are right-aligned with tabular figures. */
  align?: "left" | "right";
  className?: string;
}

/**
 * The app's table: headings in small caps, a divider between rows, horizontal scrolling on
 * narrow screens. Placed directly in a Card, it runs to the card's edges.
 */
export function DataTable<T>({
  columns,
  rows,
  rowKey,
  rowTestId,
  caption,
  bleed = true,
  dense = false,
}: {
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  rowTestId?: (row: T) => string;
  /** Read by screen readers; not shown. */
  caption?: string;
  /** Runs to the edges of the surrounding Card (its padding is cancelled). */
  bleed?: boolean;
  dense?: boolean;
}) {
  const pad = dense ? "px-3 py-2" : "px-5 py-3";
  return (
    // relative: screen-reader-only text inside is absolutely positioned; it must be clipped here, not widen the page.
    <div className={cx("relative overflow-x-auto", bleed && "-mx-5")}>
      <table className="min-w-full text-sm">
        {caption ? <caption className="sr-only">{caption}</caption> : null}
        <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
          <tr>
            {columns.map((column, i) => (
              <th key={i} scope="col" className={cx(pad, "font-medium", column.align === "right" && "text-right")}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((row) => (
            <tr key={rowKey(row)} data-testid={rowTestId?.(row)}>
              {columns.map((column, i) => (
                <td key={i} className={cx(pad, "align-top", column.align === "right" && "text-right tabular-nums", column.className)}>
                  {column.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
