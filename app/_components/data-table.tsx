import type { ReactNode } from "react";
import { cx } from "./ui";

export interface Column<T> {
  /** Column heading; also the accessible name of its cells. */
  header: ReactNode;
  cell: (row: T) => ReactNode;
  /** Amounts are right-aligned with tabular figures. */
  align?: "left" | "right";
  className?: string;
  /** The heading as text, shown beside the value when rows are stacked on a phone. */
  label?: string;
  /** A secondary column left out on narrow screens. */
  hideOnPhone?: boolean;
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
  stack = false,
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
  /**
   * On narrow screens, show each row as a block of "label: value" lines instead of a table
   * that scrolls sideways (the same markup, restyled, so tests and screen readers see one table).
   */
  stack?: boolean;
}) {
  const pad = dense ? "px-3 py-2" : "px-5 py-3";
  const stacked = stack ? "max-sm:flex max-sm:items-start max-sm:justify-between max-sm:gap-4 max-sm:py-1.5 max-sm:text-right max-sm:before:shrink-0 max-sm:before:text-left max-sm:before:text-xs max-sm:before:font-medium max-sm:before:uppercase max-sm:before:tracking-wide max-sm:before:text-slate-500 max-sm:before:content-[attr(data-label)]" : undefined;
  return (
    // relative: screen-reader-only text inside is absolutely positioned; it must be clipped here, not widen the page.
    <div className={cx("relative overflow-x-auto", bleed && "-mx-5")}>
      <table className={cx("min-w-full text-sm", stack && "max-sm:block")}>
        {caption ? <caption className="sr-only">{caption}</caption> : null}
        <thead className={cx("text-left text-xs uppercase tracking-wide text-slate-500", stack && "max-sm:sr-only")}>
          <tr>
            {columns.map((column, i) => (
              <th key={i} scope="col" className={cx(pad, "font-medium", column.align === "right" && "text-right", column.hideOnPhone && "max-sm:hidden")}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className={cx("divide-y divide-slate-100", stack && "max-sm:block")}>
          {rows.map((row) => (
            <tr key={rowKey(row)} data-testid={rowTestId?.(row)} className={stack ? "max-sm:block max-sm:py-3" : undefined}>
              {columns.map((column, i) => (
                <td
                  key={i}
                  data-label={column.label ?? (typeof column.header === "string" ? column.header : "")}
                  className={cx(pad, "align-top", column.align === "right" && "text-right tabular-nums", column.className, column.hideOnPhone && "max-sm:hidden", stacked)}
                >
                  {/* One box per cell, so that a stacked cell's lines stay together beside their label. */}
                  {stack ? <div className="min-w-0">{column.cell(row)}</div> : column.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
