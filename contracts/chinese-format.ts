/**
 * Chinese financial formatting, exact from bigint fen: amounts in figures (¥1,000,000.00),
 * in capitals (大写, as vouchers and bank forms require), compact in 万/亿 for charts, and
 * dates as 2026年12月3日. Pure: no Intl, no floating point, the same text in every runtime.
 */
import { formatAmountPlain } from "./money";

const CAPITAL_DIGITS = ["零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"] as const;
const SECTION_UNITS = ["仟", "佰", "拾", ""] as const;
const TEN_THOUSAND = 10_000n;
const HUNDRED_MILLION = 100_000_000n;

/** 100000000n -> "¥1,000,000.00"; negative amounts as "-¥…". */
export function formatYuan(amountMinor: bigint): string {
  return amountMinor < 0n ? `-¥${formatAmountPlain(-amountMinor)}` : `¥${formatAmountPlain(amountMinor)}`;
}

/** 1..9999 in capitals; zeros inside the section collapse into one 零, trailing zeros are dropped. */
function sectionInCapitals(section: number): string {
  const digits = String(section).padStart(4, "0");
  let words = "";
  let zeroPending = false;
  for (let position = 0; position < 4; position++) {
    const digit = Number(digits[position]);
    if (digit === 0) {
      zeroPending = words !== "";
      continue;
    }
    words += `${zeroPending ? "零" : ""}${CAPITAL_DIGITS[digit]}${SECTION_UNITS[position]}`;
    zeroPending = false;
  }
  return words;
}

/**
 * The lower part after a 万 or 亿: empty when zero, and led by one 零 when its first digit
 * place (the highest place the lower part can fill) is zero, e.g. 10,005 -> 壹万零伍.
 */
function lowerInCapitals(lower: bigint, fullWidth: bigint): string {
  if (lower === 0n) return "";
  return `${lower < fullWidth / 10n ? "零" : ""}${integerInCapitals(lower)}`;
}

/** A positive whole number of yuan in capitals: 亿 splits first (so 10^12 is 壹万亿), then 万. */
function integerInCapitals(yuan: bigint): string {
  if (yuan >= HUNDRED_MILLION) return `${integerInCapitals(yuan / HUNDRED_MILLION)}亿${lowerInCapitals(yuan % HUNDRED_MILLION, HUNDRED_MILLION)}`;
  if (yuan >= TEN_THOUSAND) return `${sectionInCapitals(Number(yuan / TEN_THOUSAND))}万${lowerInCapitals(yuan % TEN_THOUSAND, TEN_THOUSAND)}`;
  return sectionInCapitals(Number(yuan));
}

/**
 * An amount in Chinese capitals (大写), following the writing rules of 《支付结算办法》:
 * 壹拾 keeps its 壹; zeros between digits are written once as 零; an amount in whole yuan
 * ends in 元整; an amount ending in 角 takes no 整; a zero 角 before a 分 is written 零
 * (壹佰元零伍分). When the yuan digits end in zeros and 角 follows, the optional 零 is left
 * out (壹仟陆佰捌拾元叁角贰分), which the rules allow. Below one yuan no 零元 is written
 * (伍分); zero is 零元整. A negative amount is led by 负.
 */
export function amountInCapitals(amountMinor: bigint): string {
  if (amountMinor < 0n) return `负${amountInCapitals(-amountMinor)}`;
  const yuan = amountMinor / 100n;
  const jiao = Number((amountMinor / 10n) % 10n);
  const fen = Number(amountMinor % 10n);
  if (amountMinor === 0n) return "零元整";
  const yuanWords = yuan > 0n ? `${integerInCapitals(yuan)}元` : "";
  if (jiao === 0 && fen === 0) return `${yuanWords}整`;
  const jiaoWords = jiao > 0 ? `${CAPITAL_DIGITS[jiao]}角` : yuan > 0n ? "零" : "";
  const fenWords = fen > 0 ? `${CAPITAL_DIGITS[fen]}分` : "";
  return `${yuanWords}${jiaoWords}${fenWords}`;
}

/** `value / divisor` with at most two decimals, rounded half-up, trailing zeros dropped. */
function scaledText(value: bigint, divisor: bigint): string {
  const hundredths = (value * 200n + divisor) / (divisor * 2n);
  const whole = (hundredths / 100n).toString();
  const fraction = (hundredths % 100n).toString().padStart(2, "0").replace(/0+$/, "");
  return fraction === "" ? whole : `${whole}.${fraction}`;
}

export type CompactLocale = "zh-CN" | "en";

/**
 * A short amount for chart axes and cards: 120万 and 1.5亿 in Chinese, ¥1.2M and ¥150M in
 * English; two decimals at most, rounded half-up. Below 万 (or a thousand) the whole yuan.
 */
export function formatCompactYuan(amountMinor: bigint, locale: CompactLocale): string {
  if (amountMinor < 0n) return `-${formatCompactYuan(-amountMinor, locale)}`;
  if (locale === "zh-CN") {
    if (amountMinor >= HUNDRED_MILLION * 100n) return `${scaledText(amountMinor, HUNDRED_MILLION * 100n)}亿`;
    if (amountMinor >= TEN_THOUSAND * 100n) return `${scaledText(amountMinor, TEN_THOUSAND * 100n)}万`;
    return scaledText(amountMinor, 100n);
  }
  const steps: [bigint, string][] = [[10n ** 11n, "B"], [10n ** 8n, "M"], [10n ** 5n, "K"]];
  for (const [divisor, suffix] of steps) if (amountMinor >= divisor) return `¥${scaledText(amountMinor, divisor)}${suffix}`;
  return `¥${scaledText(amountMinor, 100n)}`;
}

/** "2026-12-03" -> "2026年12月3日". Throws on text that is not YYYY-MM-DD: callers validate first. */
export function formatChineseDate(date: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (match === null) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  return `${Number(match[1])}年${Number(match[2])}月${Number(match[3])}日`;
}
