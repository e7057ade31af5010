import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatAmountPlain, parseAmountMinor, parseRatePercent } from "@/contracts/money";

describe("amounts typed by people", () => {
  it.each([
    ["1,000,000.00", 100_000_000n],
    ["1000000", 100_000_000n],
    ["200", 20_000n],
    ["0.01", 1n],
    ["0.1", 10n],
    ["¥ 300,000.50", 30_000_050n],
    [" 12.3 ", 1_230n],
  ])("%s -> %s fen", (text, minor) => expect(parseAmountMinor(text)).toEqual({ ok: true, amountMinor: minor }));

  it.each([
    ["", "Enter an amount."],
    ["1.001", "Use at most two decimals (fen)."],
    ["-5", "The amount must be positive."],
    ["0", "The amount must be at least 0.01."],
    ["0.00", "The amount must be at least 0.01."],
    ["1,00,000", "Use digits"],
    ["1e6", "Use digits"],
    ["12.", "Use digits"],
    ["abc", "Use digits"],
    ["1000000000000000000", "The amount is too large."],
  ])("refuses %j", (text, message) => {
    const result = parseAmountMinor(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(message);
  });

  it("formatting and parsing are inverse for every amount", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 17n }), (minor) => {
        expect(parseAmountMinor(formatAmountPlain(minor))).toEqual({ ok: true, amountMinor: minor });
      }),
    );
  });
});

describe("rates typed by people", () => {
  it.each([
    ["4.20", 420],
    ["4.2", 420],
    ["4", 400],
    ["0", 0],
    ["12.05 %", 1205],
    ["1000", 100_000],
    // Typed on a Chinese input method: full-width digits, point and per-cent sign.
    ["４．２０", 420],
    ["３．８５％", 385],
  ])("%s%% is %i bps", (text, rateBps) => {
    expect(parseRatePercent(text)).toEqual({ ok: true, rateBps });
  });

  it.each(["", "-1", "4.205", "abc", "4,2", "1000.01", "1e2"])("refuses %j with a message", (text) => {
    const parsed = parseRatePercent(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message.length).toBeGreaterThan(10);
  });

  it("round-trips every two-decimal percentage up to 100% exactly", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), (rateBps) => {
        const text = `${Math.floor(rateBps / 100)}.${String(rateBps % 100).padStart(2, "0")}`;
        expect(parseRatePercent(text)).toEqual({ ok: true, rateBps });
      }),
    );
  });
});

describe("amounts typed the Chinese way", () => {
  it.each([
    ["100万", 100_000_000n],
    ["100万元", 100_000_000n],
    ["1.5亿", 15_000_000_000n],
    ["1.23456万", 1_234_560n],
    ["1.0000000001亿", 10_000_000_001n],
    ["１２３．４５", 12_345n],
    ["１，０００元", 100_000n],
    ["￥２００", 20_000n],
    ["200元", 20_000n],
    ["200元整", 20_000n],
    ["1,000,000.00元", 100_000_000n],
    [" 3 万 ", 3_000_000n],
  ])("%s -> %s fen", (text, minor) => expect(parseAmountMinor(text)).toEqual({ ok: true, amountMinor: minor }));

  it.each([
    ["元", "amount_empty"],
    ["万", "amount_empty"],
    ["-1万", "amount_negative"],
    ["1.2345678万", "amount_too_many_decimals"],
    ["1.00000000001亿", "amount_too_many_decimals"],
    ["1.001元", "amount_too_many_decimals"],
    ["一百万", "amount_not_a_number"],
    ["100万万", "amount_not_a_number"],
    ["100千", "amount_not_a_number"],
    ["0万", "amount_not_positive"],
    ["10000000000亿", "amount_too_large"],
  ])("refuses %j with %s", (text, code) => expect(parseAmountMinor(text)).toMatchObject({ ok: false, code }));
});
