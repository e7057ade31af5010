import type { useTranslations } from "next-intl";

type Translate = ReturnType<typeof useTranslations<never>>;

/**
 * What to tell a person when the ledger refuses a transaction, in their language: the
 * catalogue's words for the result code (messages/*.json, refusals), else the server's text
 * for it (contracts/ledger/refusals.ts, English), else the code itself. The refusal's machine
 * detail is for logs and support, not for the person.
 */
export function refusalText(t: Translate, code: string, serverText?: string): string {
  if (t.has(`refusals.${code}`)) return t(`refusals.${code}`);
  if (serverText) return serverText;
  return t("refusalFallback.plain", { code: code.replaceAll("_", " ") });
}
