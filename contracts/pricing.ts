/**
 * Discount pricing of a financing, following the Chinese bill-discounting convention:
 *
 *   interest = face x rateBps x days / (10000 x 360), rounded half-up to the minor unit
 *   fees     = feeMinor + face x feeBps / 10000, the bps part rounded half-up
 *   net      = face - interest - fees
 *
 * `days` counts calendar days from the disbursement date to the maturity date, both
 * Beijing business days (contracts/ledger/maturity.ts). Everything is bigint arithmetic so that every client computes the same fen.
 */
import { daysBetween, isValidDate } from "./ledger/maturity";

/** Basis points in one whole (100%). */
export const BASIS_POINTS = 10_000n;
/** The day-count basis of the discount convention (actual/360). */
export const DAY_COUNT_BASIS = 360n;

export interface FinancingQuoteInput {
  faceMinor: bigint;
  rateBps: number;
  feeMinor: bigint;
  /** Optional proportional fee, in basis points of the face amount. */
  feeBps?: number;
  disbursementDate: string;
  maturityDate: string;
}

export interface FinancingQuote {
  days: number;
  interestMinor: bigint;
  feesMinor: bigint;
  netMinor: bigint;
}

export type PricingCode =
  | "amount_not_positive"
  | "rate_invalid"
  | "fee_invalid"
  | "date_invalid"
  | "financing_days_not_positive"
  | "net_proceeds_not_positive";

export type FinancingQuoteResult =
  | ({ ok: true } & FinancingQuote)
  | { ok: false; code: PricingCode };

/** floor((numerator / denominator) + 1/2) for numerator >= 0 and denominator > 0. */
export function divideHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (numerator < 0n || denominator <= 0n) {
    throw new RangeError("divideHalfUp needs a non-negative numerator and a positive denominator");
  }
  return (numerator * 2n + denominator) / (denominator * 2n);
}

/** Discount interest for `days` days, rounded half-up to the minor unit. */
export function discountInterestMinor(faceMinor: bigint, rateBps: number, days: number): bigint {
  return divideHalfUp(faceMinor * BigInt(rateBps) * BigInt(days), BASIS_POINTS * DAY_COUNT_BASIS);
}

function isNonNegativeInteger(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

function validateInput(input: FinancingQuoteInput): PricingCode | undefined {
  if (input.faceMinor <= 0n) return "amount_not_positive";
  if (!isNonNegativeInteger(input.rateBps)) return "rate_invalid";
  if (input.feeMinor < 0n) return "fee_invalid";
  if (input.feeBps !== undefined && !isNonNegativeInteger(input.feeBps)) return "fee_invalid";
  if (!isValidDate(input.disbursementDate) || !isValidDate(input.maturityDate)) return "date_invalid";
  return undefined;
}

/**
 * Prices a financing. Refuses (as a code, never by throwing) a non-positive face, a bad
 * rate, fee or date, a disbursement on or after maturity, and net proceeds of zero or less.
 */
export function quoteFinancing(input: FinancingQuoteInput): FinancingQuoteResult {
  const invalid = validateInput(input);
  if (invalid !== undefined) return { ok: false, code: invalid };
  const days = daysBetween(input.disbursementDate, input.maturityDate);
  if (days <= 0) return { ok: false, code: "financing_days_not_positive" };
  const interestMinor = discountInterestMinor(input.faceMinor, input.rateBps, days);
  const proportionalFeeMinor = divideHalfUp(input.faceMinor * BigInt(input.feeBps ?? 0), BASIS_POINTS);
  const feesMinor = input.feeMinor + proportionalFeeMinor;
  const netMinor = input.faceMinor - interestMinor - feesMinor;
  if (netMinor <= 0n) return { ok: false, code: "net_proceeds_not_positive" };
  return { ok: true, days, interestMinor, feesMinor, netMinor };
}
