"use client";

import { useLocale, useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { LOCALES, type Locale } from "../_lib/locale";
import { setLocale } from "../_lib/locale-action";

/** The names of the languages, each written in itself so that anyone can find their own. */
const NATIVE_NAME: Record<Locale, string> = { "zh-CN": "中文", en: "English" };

export function LanguageSwitcher() {
  const t = useTranslations("shell");
  const current = useLocale();
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <label className="flex items-center gap-1 text-sm text-slate-600">
      <span className="sr-only">{t("language")}</span>
      <select
        aria-label={t("language")}
        data-testid="language-switcher"
        value={current}
        disabled={pending}
        onChange={(event) => {
          const next = event.target.value;
          startTransition(async () => {
            await setLocale(next);
            router.refresh();
          });
        }}
        className="rounded-md border-0 bg-white py-1.5 pl-2 pr-7 text-sm ring-1 ring-inset ring-slate-300"
      >
        {LOCALES.map((locale) => (
          <option key={locale} value={locale} lang={locale}>
            {NATIVE_NAME[locale]}
          </option>
        ))}
      </select>
    </label>
  );
}
