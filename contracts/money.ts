/**
 * Amounts typed by people: "1,000,000.00" -> 100000000n minor units (fen). Exact: the text is
 * parsed as digits, never through floating point. Refuses more than two decimals.
 */
export type AmountParse = { ok: true; amountMinor: bigint } | { ok: false; message: string };

const AMOUNT_TEXT = /^(\d{1,3}(,\d{3})+|\d+)(\.(\d{1,2}))?$/;
/** Far above any real claim, and well inside PostgreSQL's bigint. */
export const MAX_AMOUNT_MINOR = 10n ** 17n;

export function parseAmountMinor(text: string): AmountParse {
  const trimmed = text.trim().replace(/^¥\s*/, "");
  if (trimmed === "") return { ok: false, message: "Enter an amount." };
  if (/^-/.test(trimmed)) return { ok: false, message: "The amount must be positive." };
  if (/\.\d{3,}$/.test(trimmed)) return { ok: false, message: "Use at most two decimals (fen)." };
  const match = AMOUNT_TEXT.exec(trimmed);
  if (!match) return { ok: false, message: "Use digits, optional thousands commas and up to two decimals, e.g. 1,000,000.00." };
  const yuan = BigInt((match[1] ?? "0").replaceAll(",", ""));
  const fen = BigInt((match[4] ?? "").padEnd(2, "0") || "0");
  const amountMinor = yuan * 100n + fen;
  if (amountMinor <= 0n) return { ok: false, message: "The amount must be at least 0.01." };
  if (amountMinor > MAX_AMOUNT_MINOR) return { ok: false, message: "The amount is too large." };
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
  const match = /^(\d{1,4})(?:\.(\d{1,2}))?\s*%?$/.exec(text.trim());
  if (!match) return { ok: false, message: "Enter the annual rate as a percentage with up to two decimals, e.g. 4.20." };
  const rateBps = Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0") || "0");
  if (rateBps > maxBps) return { ok: false, message: `The rate can be at most ${maxBps / 100}%.` };
  return { ok: true, rateBps };
}
