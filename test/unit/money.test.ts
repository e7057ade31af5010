import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatAmountPlain, parseAmountMinor } from "@/contracts/money";

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
