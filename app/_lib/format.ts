import { daysToMaturity } from "@/contracts/ledger/maturity";

/**
 * Whole calendar days from today (the Beijing business day) to a `YYYY-MM-DD` maturity date (the contracts' daysToMaturity).
 * Amounts and dates are shown through the locale's formatters (localized-format.ts).
 */
export function daysUntil(maturityDate: string, nowMs = Date.now()): number {
  return daysToMaturity(maturityDate, nowMs);
}
