import { amountInCapitals, formatChineseDate, formatCompactYuan, formatYuan } from "@/contracts/chinese-format";
import { BEIJING_OFFSET_MS, beijingDate } from "@/contracts/ledger/maturity";
import { isLocale, type Locale } from "./locale";

const EN_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const;

/** "2026-12-03" -> "3 Dec 2026" (the English the app showed before, without Intl). */
function englishDate(date: string): string {
  const [year, month, day] = date.split("-").map(Number);
  return `${day} ${EN_MONTHS[(month ?? 1) - 1]} ${year}`;
}

export interface Formatters {
  locale: Locale;
  /** Amounts in figures: ¥1,000,000.00 in both languages. */
  money: (amountMinor: bigint) => string;
  /** Amounts in capitals (大写), as on vouchers; the same text in both languages. */
  capitals: (amountMinor: bigint) => string;
  /** Chart axes and compact cards: 120万 in Chinese, ¥1.2M in English. */
  compact: (amountMinor: bigint) => string;
  /** A business date `YYYY-MM-DD`: 2026年12月3日 or 3 Dec 2026. */
  date: (date: string) => string;
  /** An instant, as the Beijing business day it falls on. */
  day: (atMs: number) => string;
  /** An instant with its Beijing time of day. */
  dateTime: (atMs: number) => string;
  /** A count or size, with the locale's grouping. */
  number: (value: number) => string;
}

/** Formatting for one locale; exact (bigint) for money, Beijing's calendar for instants. */
export function formattersFor(localeText: string): Formatters {
  const locale: Locale = isLocale(localeText) ? localeText : "zh-CN";
  const date = (value: string) => (locale === "zh-CN" ? formatChineseDate(value) : englishDate(value));
  const time = (atMs: number) => new Date(atMs + BEIJING_OFFSET_MS).toISOString().slice(11, 16);
  return {
    locale,
    money: formatYuan,
    capitals: amountInCapitals,
    compact: (amountMinor) => formatCompactYuan(amountMinor, locale),
    date,
    day: (atMs) => date(beijingDate(atMs)),
    dateTime: (atMs) => (locale === "zh-CN" ? `${date(beijingDate(atMs))} ${time(atMs)}` : `${date(beijingDate(atMs))}, ${time(atMs)} Beijing`),
    number: (value) => value.toLocaleString(locale),
  };
}
