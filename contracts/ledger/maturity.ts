/**
 * Calendar dates on the ledger are `YYYY-MM-DD` strings read as UTC days. Maturity is the
 * root issuance's date and is inherited by every piece split from it. A claim "matures" at
 * UTC midnight that starts its maturity date: from that instant on, only repayment and the
 * overdue mark may touch it.
 */

const MS_PER_DAY = 86_400_000;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * UTC midnight of a `YYYY-MM-DD` date in epoch milliseconds, or undefined when the text
 * is not a real calendar date (2023-02-29, 2024-13-01, 2024-04-31 are all refused).
 */
export function parseUtcDateMs(date: string): number | undefined {
  const match = DATE_PATTERN.exec(date);
  if (match === null) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  // setUTCFullYear, unlike Date.UTC, does not map the years 0-99 onto 1900-1999.
  const value = new Date(0);
  value.setUTCFullYear(year, month - 1, day);
  const roundTrips =
    value.getUTCFullYear() === year && value.getUTCMonth() === month - 1 && value.getUTCDate() === day;
  return roundTrips ? value.getTime() : undefined;
}

/** True when the text is a real `YYYY-MM-DD` calendar date. */
export function isValidDate(date: string): boolean {
  return parseUtcDateMs(date) !== undefined;
}

/** UTC midnight of a `YYYY-MM-DD` date. Throws on a bad date: callers validate first. */
export function utcMidnightMs(date: string): number {
  const atMs = parseUtcDateMs(date);
  if (atMs === undefined) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  return atMs;
}

/** Epoch milliseconds at which a claim with this maturity date matures. */
export function maturityAtMs(maturityDate: string): number {
  return utcMidnightMs(maturityDate);
}

/** True while the claim may still be split, transferred, pledged or financed. */
export function isBeforeMaturity(maturityDate: string, nowMs: number): boolean {
  return nowMs < maturityAtMs(maturityDate);
}

/** The UTC calendar date (`YYYY-MM-DD`) that contains the instant `atMs`. */
export function utcDateOf(atMs: number): string {
  const value = new Date(atMs);
  const year = value.getUTCFullYear();
  const yearText = year >= 0 && year <= 9999 ? String(year).padStart(4, "0") : String(year);
  const month = String(value.getUTCMonth() + 1).padStart(2, "0");
  const day = String(value.getUTCDate()).padStart(2, "0");
  return `${yearText}-${month}-${day}`;
}

/**
 * Calendar days from `fromDate` to `toDate` (negative when `toDate` is earlier). Both are
 * UTC days, so the difference of their midnights is always a whole number of days.
 */
export function daysBetween(fromDate: string, toDate: string): number {
  return (utcMidnightMs(toDate) - utcMidnightMs(fromDate)) / MS_PER_DAY;
}

/** Calendar days from the UTC day containing `atMs` to `toDate`. */
export function daysFromInstant(atMs: number, toDate: string): number {
  return daysBetween(utcDateOf(atMs), toDate);
}
