import type { useTranslations } from "next-intl";

type Translate = ReturnType<typeof useTranslations<never>>;

/**
 * Days to maturity in words: "12 days left", "due today", "3 days overdue" (never "-3 days").
 * `days` counts Beijing calendar days (contracts/ledger/maturity.ts daysToMaturity).
 */
export function daysText(t: Translate, days: number): string {
  if (days > 0) return t("common.daysLeft", { count: days });
  if (days === 0) return t("common.dueToday");
  return t("common.overdueDays", { count: -days });
}
