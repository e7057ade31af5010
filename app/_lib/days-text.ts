import type { useTranslations } from "next-intl";

type Translate = ReturnType<typeof useTranslations<never>>;

/**
 * Days to maturity in words: "12 days left", "due today", "3 days overdue" (never "-3 days");
 * with the claim's state, an overdue piece maturing today reads "overdue since today".
 * `days` counts Beijing calendar days (contracts/ledger/maturity.ts daysToMaturity).
 */
export function daysText(t: Translate, days: number, state?: string): string {
  if (days > 0) return t("common.daysLeft", { count: days });
  // A claim is overdue from 00:00 Beijing on its maturity date (docs/business-days.md), so an
  // overdue piece maturing today is not "due today" but unpaid since this morning.
  if (days === 0) return state === "overdue" ? t("common.overdueToday") : t("common.dueToday");
  return t("common.overdueDays", { count: -days });
}
