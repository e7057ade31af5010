/**
 * Discount pricing: hand-computed cases (half-up boundaries, 1 day, 360/365/366 days, leap
 * years, fees, refusals) and a property against an independent rational computation with
 * its own calendar arithmetic.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { daysBetween } from "@/contracts/ledger/maturity";
import { divideHalfUp, quoteFinancing, type FinancingQuoteInput } from "@/contracts/pricing";

function quote(input: Partial<FinancingQuoteInput>) {
  return quoteFinancing({
    faceMinor: 1_000_000n,
    rateBps: 500,
    feeMinor: 0n,
    disbursementDate: "2025-01-01",
    maturityDate: "2026-01-01",
    ...input,
  });
}

describe("quoteFinancing, hand-computed", () => {
  test.each([
    // name, input, days, interest, fees, net
    ["exact: 1,000,000 x 3.6% x 100/360", { rateBps: 360, maturityDate: "2025-04-11" }, 100, 10_000n, 0n, 990_000n],
    ["360 days is the full annual rate", { maturityDate: "2025-12-27" }, 360, 50_000n, 0n, 950_000n],
    ["365 days: 50,694.44 rounds down", { maturityDate: "2026-01-01" }, 365, 50_694n, 0n, 949_306n],
    ["366 days across 29 Feb 2024: 50,833.33", { disbursementDate: "2024-01-01", maturityDate: "2025-01-01" }, 366, 50_833n, 0n, 949_167n],
    ["1 day: 138.88 rounds up", { maturityDate: "2025-01-02" }, 1, 139n, 0n, 999_861n],
    ["leap day counts: 28 Feb -> 1 Mar 2024 is 2 days", { disbursementDate: "2024-02-28", maturityDate: "2024-03-01", rateBps: 3600 }, 2, 2_000n, 0n, 998_000n],
    ["no leap day: 28 Feb -> 1 Mar 2023 is 1 day", { disbursementDate: "2023-02-28", maturityDate: "2023-03-01", rateBps: 3600 }, 1, 1_000n, 0n, 999_000n],
    ["half-up: exactly 0.5 fen rounds to 1", { faceMinor: 1_800n, rateBps: 1000, maturityDate: "2025-01-02" }, 1, 1n, 0n, 1_799n],
    ["half-up: just under 0.5 fen rounds to 0", { faceMinor: 1_799_999n, rateBps: 1, maturityDate: "2025-01-02" }, 1, 0n, 0n, 1_799_999n],
    ["half-up: exactly 1.5 fen rounds to 2", { faceMinor: 5_400_000n, rateBps: 1, maturityDate: "2025-01-02" }, 1, 2n, 0n, 5_399_998n],
    ["half-up: 2.5 rounds to 3, not to even", { faceMinor: 9_000_000n, rateBps: 1, maturityDate: "2025-01-02" }, 1, 3n, 0n, 8_999_997n],
    ["zero rate", { rateBps: 0 }, 365, 0n, 0n, 1_000_000n],
    ["flat and proportional fees add up", { rateBps: 0, feeMinor: 100n, feeBps: 25 }, 365, 0n, 2_600n, 997_400n],
    ["proportional fee rounds half-up", { faceMinor: 2n, rateBps: 0, feeBps: 2500 }, 365, 0n, 1n, 1n],
    ["6 months from 1 Mar 2025 is 184 days", { faceMinor: 600n, disbursementDate: "2025-03-01", maturityDate: "2025-09-01" }, 184, 15n, 0n, 585n],
  ] as const)("%s", (_name, input, days, interestMinor, feesMinor, netMinor) => {
    expect(quote(input)).toEqual({ ok: true, days, interestMinor, feesMinor, netMinor });
  });

  test("amounts far beyond 2^53 stay exact", () => {
    const faceMinor = 10n ** 30n;
    const result = quote({ faceMinor, rateBps: 100_000, disbursementDate: "2000-01-01", maturityDate: "2000-01-31" });
    // 10^30 x 100000 x 30 / 3,600,000 = 8.333... x 10^29, which rounds down.
    expect(result).toMatchObject({ ok: true, days: 30, interestMinor: 833_333_333_333_333_333_333_333_333_333n });
  });

  test.each([
    ["same day", { maturityDate: "2025-01-01" }, "financing_days_not_positive"],
    ["disbursed after maturity", { disbursementDate: "2026-01-02" }, "financing_days_not_positive"],
    ["net exactly zero", { faceMinor: 100n, rateBps: 0, feeMinor: 100n }, "net_proceeds_not_positive"],
    ["interest eats the face", { rateBps: 100_000 }, "net_proceeds_not_positive"],
    ["zero face", { faceMinor: 0n }, "amount_not_positive"],
    ["negative rate", { rateBps: -1 }, "rate_invalid"],
    ["fractional rate", { rateBps: 1.5 }, "rate_invalid"],
    ["negative fee", { feeMinor: -1n }, "fee_invalid"],
    ["fractional fee bps", { feeBps: 0.5 }, "fee_invalid"],
    ["29 Feb of a common year", { maturityDate: "2025-02-29" }, "date_invalid"],
    ["not a date", { disbursementDate: "2025-1-1" }, "date_invalid"],
  ] as const)("refuses: %s", (_name, input, code) => {
    expect(quote(input)).toEqual({ ok: false, code });
  });
});

// ---------------------------------------------------------------------------------------
// Independent reference: Howard Hinnant's days_from_civil and exact rationals.

function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function civilFromDays(days: number): string {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** Round the rational p/q (p >= 0) to the nearest integer, halves away from zero. */
function roundRational(p: bigint, q: bigint): bigint {
  const whole = p / q;
  const twiceRemainder = 2n * (p - whole * q);
  return twiceRemainder >= q ? whole + 1n : whole;
}

describe("quoteFinancing against an independent computation", () => {
  const dayNumber = fc.integer({ min: daysFromCivil(1970, 1, 1), max: daysFromCivil(2199, 12, 31) });

  test("days, interest, fees and net agree, or the refusal is the right one", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 31n - 1n }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.integer({ min: 0, max: 10_000 }),
        dayNumber,
        fc.integer({ min: -30, max: 3_000 }),
        (faceMinor, rateBps, feeMinor, feeBps, start, span) => {
          const disbursementDate = civilFromDays(start);
          const maturityDate = civilFromDays(start + span);
          const result = quoteFinancing({ faceMinor, rateBps, feeMinor, feeBps, disbursementDate, maturityDate });
          if (span <= 0) {
            expect(result).toEqual({ ok: false, code: "financing_days_not_positive" });
            return;
          }
          const interestMinor = roundRational(faceMinor * BigInt(rateBps) * BigInt(span), 3_600_000n);
          const feesMinor = feeMinor + roundRational(faceMinor * BigInt(feeBps), 10_000n);
          const netMinor = faceMinor - interestMinor - feesMinor;
          if (netMinor <= 0n) {
            expect(result).toEqual({ ok: false, code: "net_proceeds_not_positive" });
            return;
          }
          expect(result).toEqual({ ok: true, days: span, interestMinor, feesMinor, netMinor });
        },
      ),
      { numRuns: 2_000 },
    );
  });

  test("daysBetween matches the civil-day count and is antisymmetric", () => {
    fc.assert(
      fc.property(dayNumber, dayNumber, (a, b) => {
        expect(daysBetween(civilFromDays(a), civilFromDays(b))).toBe(b - a);
        expect(daysBetween(civilFromDays(b), civilFromDays(a))).toBe(a - b);
      }),
      { numRuns: 2_000 },
    );
  });

  test("divideHalfUp is within half a unit and rounds halves up", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 40n }), fc.bigInt({ min: 1n, max: 10n ** 20n }), (n, d) => {
        const rounded = divideHalfUp(n, d);
        // |rounded - n/d| <= 1/2, with exactly 1/2 only when rounding up.
        const twiceError = 2n * (rounded * d - n);
        expect(twiceError > -d && twiceError <= d).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });
});
