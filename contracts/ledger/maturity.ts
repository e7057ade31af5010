/**
 * Calendar dates on the ledger are `YYYY-MM-DD` strings naming business days in China
 * Standard Time (UTC+8, no daylight saving), the calendar of the people the platform serves.
 * The offset is a constant of the contracts, never the host's time zone, so a replay gives
 * the same answer on every machine. Maturity is the root issuance's date and is inherited by
 * every piece split from it. A claim "matures" at the Beijing midnight that starts its
 * maturity date (16:00 UTC the day before): from that instant on, only repayment and the
 * overdue mark may touch it. There is no grace day: docs/business-days.md writes the rule down.
 */

const MS_PER_DAY = 86_400_000;
/** China Standard Time is UTC+8 all year: business days start at 16:00 UTC the day before. */
export const BEIJING_OFFSET_MS = 8 * 3_600_000;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/*
 * Calendar arithmetic is done here with integers (H. Hinnant's days_from_civil and
 * civil_from_days, proleptic Gregorian) rather than through Date objects, so the contracts
 * need no host date library and give the same answer in every runtime.
 */

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (month 1-12). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The proleptic Gregorian date of a day number since 1970-01-01. */
function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/**
 * UTC midnight of a `YYYY-MM-DD` date in epoch milliseconds, or undefined when the text
 * is not a real calendar date (2023-02-29, 2024-13-01, 2024-04-31 are all refused).
 */
function parseUtcDateMs(date: string): number | undefined {
  const match = DATE_PATTERN.exec(date);
  if (match === null) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return daysFromCivil(year, month, day) * MS_PER_DAY;
}

/** True when the text is a real `YYYY-MM-DD` calendar date. */
export function isValidDate(date: string): boolean {
  return parseUtcDateMs(date) !== undefined;
}

/** UTC midnight of a `YYYY-MM-DD` date. Throws on a bad date: callers validate first. */
function utcMidnightMs(date: string): number {
  const atMs = parseUtcDateMs(date);
  if (atMs === undefined) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  return atMs;
}

/** The instant a Beijing business day starts (its 00:00 in UTC+8). Throws on a bad date. */
export function beijingMidnightMs(date: string): number {
  return utcMidnightMs(date) - BEIJING_OFFSET_MS;
}

/** Epoch milliseconds at which a claim with this maturity date matures: Beijing midnight. */
export function maturityAtMs(maturityDate: string): number {
  return beijingMidnightMs(maturityDate);
}

/** The UTC calendar date (`YYYY-MM-DD`) that contains the instant `atMs`. */
export function utcDateOf(atMs: number): string {
  const { year, month, day } = civilFromDays(Math.floor(atMs / MS_PER_DAY));
  const yearText = year >= 0 && year <= 9999 ? String(year).padStart(4, "0") : String(year);
  return `${yearText}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** The Beijing business day (`YYYY-MM-DD`) that contains the instant `atMs`. */
export function beijingDate(atMs: number): string {
  return utcDateOf(atMs + BEIJING_OFFSET_MS);
}

/**
 * Calendar days from `fromDate` to `toDate` (negative when `toDate` is earlier). Both are
 * days of one calendar without daylight saving, so the difference of their midnights is always a whole number of days.
 */
export function daysBetween(fromDate: string, toDate: string): number {
  return (utcMidnightMs(toDate) - utcMidnightMs(fromDate)) / MS_PER_DAY;
}

/**
 * Whole calendar days from the Beijing business day containing `nowMs` to the maturity date: 0
 * on the day the claim matures, negative after it. Every "days to maturity" shown or bucketed
 * uses this.
 */
export function daysToMaturity(maturityDate: string, nowMs: number): number {
  return daysBetween(beijingDate(nowMs), maturityDate);
}
