/**
 * Amounts typed by people: "1,000,000.00", "100万", "１２３．４５元", "¥1.5亿" -> minor units
 * (fen). Exact: the text is parsed as digits, never through floating point. Full-width
 * characters are read as their ASCII forms (NFKC), a leading ¥ and a trailing 元 or 元整 are
 * dropped, and a 万 or 亿 suffix scales the number, which may then carry as many decimals as
 * still land on a whole fen (1.234567万 is refused, 1.23456万 is 12,345.60).
 */
export type AmountTextCode = "amount_empty" | "amount_negative" | "amount_too_many_decimals" | "amount_not_a_number" | "amount_not_positive" | "amount_too_large";

export type AmountParse = { ok: true; amountMinor: bigint } | { ok: false; code: AmountTextCode; message: string };

const AMOUNT_TEXT = /^(\d{1,3}(,\d{3})+|\d+)(\.(\d+))?$/;
/** Far above any real claim, and well inside PostgreSQL's bigint. */
export const MAX_AMOUNT_MINOR = 10n ** 17n;

/** Decimal places of yuan that still land on whole fen, per unit suffix. */
const UNIT_DECIMALS: Record<string, number> = { "": 2, 万: 6, 亿: 10 };

const AMOUNT_MESSAGES: Record<AmountTextCode, string> = {
  amount_empty: "Enter an amount.",
  amount_negative: "The amount must be positive.",
  amount_too_many_decimals: "Use at most two decimals (fen).",
  amount_not_a_number: "Use digits, optional thousands commas and up to two decimals, e.g. 1,000,000.00 or 100万.",
  amount_not_positive: "The amount must be at least 0.01.",
  amount_too_large: "The amount is too large.",
};

function refuse(code: AmountTextCode): AmountParse {
  return { ok: false, code, message: AMOUNT_MESSAGES[code] };
}

export function parseAmountMinor(text: string): AmountParse {
  const normalized = text.normalize("NFKC").trim().replace(/^¥\s*/, "").replace(/\s*元整?$/, "");
  const unitMatch = /^(.*?)\s*(万|亿)$/.exec(normalized);
  const number = unitMatch ? unitMatch[1]! : normalized;
  const decimals = UNIT_DECIMALS[unitMatch ? unitMatch[2]! : ""]!;
  if (number === "") return refuse("amount_empty");
  if (/^-/.test(number)) return refuse("amount_negative");
  if (new RegExp(`\\.\\d{${decimals + 1},}$`).test(number)) return refuse("amount_too_many_decimals");
  const match = AMOUNT_TEXT.exec(number);
  if (!match) return refuse("amount_not_a_number");
  const whole = BigInt((match[1] ?? "0").replaceAll(",", ""));
  const fraction = BigInt((match[4] ?? "").padEnd(decimals, "0") || "0");
  // The unit's decimals are exactly the places down to the fen, so the digits are the fen.
  const amountMinor = whole * 10n ** BigInt(decimals) + fraction;
  if (amountMinor <= 0n) return refuse("amount_not_positive");
  if (amountMinor > MAX_AMOUNT_MINOR) return refuse("amount_too_large");
  return { ok: true, amountMinor };
}

/** 100000000n -> "1,000,000.00" (no currency sign; for inputs). */
export function formatAmountPlain(amountMinor: bigint): string {
  const negative = amountMinor < 0n;
  const abs = negative ? -amountMinor : amountMinor;
  const grouped = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "-" : ""}${grouped}.${(abs % 100n).toString().padStart(2, "0")}`;
}

export type RateParse = { ok: true; rateBps: number } | { ok: false; message: string };

/**
 * An annual rate typed as a percentage with up to two decimals, "4.2" or "4.20" -> 420 bps.
 * Exact: digits only, never floating point. 0% is allowed (a fee-only or promotional policy).
 */
export function parseRatePercent(text: string, maxBps = 100_000): RateParse {
  // Full-width digits, point and ％ from a Chinese input method read as their ASCII forms (NFKC).
  const match = /^(\d{1,4})(?:\.(\d{1,2}))?\s*%?$/.exec(text.normalize("NFKC").trim());
  if (!match) return { ok: false, message: "Enter the annual rate as a percentage with up to two decimals, e.g. 4.20." };
  const rateBps = Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0") || "0");
  if (rateBps > maxBps) return { ok: false, message: `The rate can be at most ${maxBps / 100}%.` };
  return { ok: true, rateBps };
}
