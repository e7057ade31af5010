
import { daysToMaturity } from "@/contracts/ledger/maturity";
import { formatAmountPlain } from "@/contracts/money";

/** Formats minor units (fen) as CNY, exactly (bigint, no floating point). */
export function formatMinor(amountMinor: bigint, currency = "CNY"): string {
  if (currency !== "CNY") return `${amountMinor} ${currency} minor units`;
  return amountMinor < 0n ? `-¥${formatAmountPlain(-amountMinor)}` : `¥${formatAmountPlain(amountMinor)}`;
}

/** Whole calendar days from today (the Beijing business day) to a `YYYY-MM-DD` maturity date (the contracts' daysToMaturity). */
export function daysUntil(maturityDate: string, nowMs = Date.now()): number {
  return daysToMaturity(maturityDate, nowMs);
}

export function formatDate(value: Date | string | number): string {
  return new Date(value).toLocaleDateString("en-GB", { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
}

