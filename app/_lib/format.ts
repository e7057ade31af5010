
import { daysFromInstant } from "@/contracts/ledger/maturity";
import { formatAmountPlain } from "@/contracts/money";

/** Formats minor units (fen) as CNY, exactly (bigint, no floating point). */
export function formatMinor(amountMinor: bigint, currency = "CNY"): string {
  if (currency !== "CNY") return `${amountMinor} ${currency} minor units`;
  return amountMinor < 0n ? `-¥${formatAmountPlain(-amountMinor)}` : `¥${formatAmountPlain(amountMinor)}`;
}

/** Calendar days from today (in Beijing) to a `YYYY-MM-DD` maturity date; negative once past. */
export function daysUntil(maturityDate: string, nowMs = Date.now()): number {
  return daysFromInstant(nowMs, maturityDate);
}

export function formatDate(value: Date | string | number): string {
  return new Date(value).toLocaleDateString("en-GB", { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
}

