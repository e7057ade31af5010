/**
 * The interface languages: Chinese first (the people the platform serves), English second.
 * Which one a request gets: the user's own choice (the language switcher's cookie), else the
 * browser's Accept-Language, else Chinese.
 */
export const LOCALES = ["zh-CN", "en"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "zh-CN";
/** The cookie the language switcher sets; next-intl's conventional name. */
export const LOCALE_COOKIE = "NEXT_LOCALE";

export function isLocale(value: string | undefined | null): value is Locale {
  return value !== undefined && value !== null && (LOCALES as readonly string[]).includes(value);
}

/** The supported locale a language tag asks for: any zh-* is zh-CN, any en-* is en. */
function localeOfTag(tag: string): Locale | undefined {
  const primary = tag.trim().toLowerCase().split("-")[0];
  if (primary === "zh") return "zh-CN";
  if (primary === "en") return "en";
  return undefined;
}

/** The best supported locale of an Accept-Language header, by q-value then order; undefined if none. */
export function localeFromAcceptLanguage(header: string | null | undefined): Locale | undefined {
  if (!header) return undefined;
  const ranges = header.split(",").map((part, index) => {
    const [tag = "", ...params] = part.split(";");
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    return { tag, q: q === undefined ? 1 : Number(q), index };
  });
  const ordered = ranges.filter((r) => r.q > 0).sort((a, b) => b.q - a.q || a.index - b.index);
  for (const range of ordered) {
    const locale = localeOfTag(range.tag);
    if (locale) return locale;
  }
  return undefined;
}

/** The locale of a request: the user's setting, else Accept-Language, else Chinese. */
export function negotiateLocale(cookieValue: string | undefined, acceptLanguage: string | null | undefined): Locale {
  if (isLocale(cookieValue)) return cookieValue;
  return localeFromAcceptLanguage(acceptLanguage) ?? DEFAULT_LOCALE;
}
