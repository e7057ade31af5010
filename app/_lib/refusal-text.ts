import type { useTranslations } from "next-intl";

type Translate = ReturnType<typeof useTranslations<never>>;

/**
 * What to tell a person when the ledger refuses a transaction, in their language: the
 * catalogue's words for the result code (messages/*.json, refusals), else the code itself.
 */
export function refusalText(t: Translate, code: string, detail?: string): string {
  if (t.has(`refusals.${code}`)) return t(`refusals.${code}`);
  const name = code.replaceAll("_", " ");
  return detail ? t("refusalFallback.withDetail", { code: name, detail }) : t("refusalFallback.plain", { code: name });
}
