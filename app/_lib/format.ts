
import { formatAmountPlain } from "@/contracts/money";

const DAY_MS = 86_400_000;

/** Formats minor units (fen) as CNY, exactly (bigint, no floating point). */
export function formatMinor(amountMinor: bigint, currency = "CNY"): string {
  if (currency !== "CNY") return `${amountMinor} ${currency} minor units`;
  return amountMinor < 0n ? `-¥${formatAmountPlain(-amountMinor)}` : `¥${formatAmountPlain(amountMinor)}`;
}

/** Whole days from now until the UTC midnight that starts a `YYYY-MM-DD` maturity date. */
export function daysUntil(maturityDate: string, nowMs = Date.now()): number {
  return Math.ceil((Date.parse(`${maturityDate}T00:00:00Z`) - nowMs) / DAY_MS);
}

export function formatDate(value: Date | string | number): string {
  return new Date(value).toLocaleDateString("en-GB", { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
}

