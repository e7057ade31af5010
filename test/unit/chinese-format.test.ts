import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { amountInCapitals, formatChineseDate, formatCompactYuan, formatYuan } from "@/contracts/chinese-format";
import { parseAmountMinor } from "@/contracts/money";

const yuan = (text: string) => {
  const parsed = parseAmountMinor(text);
  if (!parsed.ok) throw new Error(`bad fixture ${text}`);
  return parsed.amountMinor;
};

describe("amounts in capitals (大写)", () => {
  it.each([
    // The examples.
    ["1,000,000.00", "壹佰万元整"],
    ["200.00", "贰佰元整"],
    ["10,005.60", "壹万零伍元陆角"],
    ["0.05", "伍分"],
    ["100,000,000.00", "壹亿元整"],
    // Below one yuan, and zero.
    ["0.50", "伍角"],
    ["0.56", "伍角陆分"],
    ["0.01", "壹分"],
    // 拾 keeps its 壹.
    ["10.00", "壹拾元整"],
    ["100,000.00", "壹拾万元整"],
    ["1,000,000,000.00", "壹拾亿元整"],
    // One 零 for a run of zeros inside a section, none for trailing zeros.
    ["1,409.50", "壹仟肆佰零玖元伍角"],
    ["6,007.14", "陆仟零柒元壹角肆分"],
    ["1,010.00", "壹仟零壹拾元整"],
    ["1,100.00", "壹仟壹佰元整"],
    // A zero 角 before a 分 is written; a 零 after trailing yuan zeros is left out.
    ["100.05", "壹佰元零伍分"],
    ["16,409.02", "壹万陆仟肆佰零玖元零贰分"],
    ["1,680.32", "壹仟陆佰捌拾元叁角贰分"],
    ["107,000.53", "壹拾万柒仟元伍角叁分"],
    // Zeros across the 万 boundary.
    ["10,000.00", "壹万元整"],
    ["10,500.00", "壹万零伍佰元整"],
    ["15,000.00", "壹万伍仟元整"],
    ["200,100.00", "贰拾万零壹佰元整"],
    ["1,001,000.00", "壹佰万壹仟元整"],
    ["1,000,100.00", "壹佰万零壹佰元整"],
    ["1,010,000.00", "壹佰零壹万元整"],
    // Zeros across the 亿 boundary.
    ["100,010,000.00", "壹亿零壹万元整"],
    ["100,001,000.00", "壹亿零壹仟元整"],
    ["100,100,000.00", "壹亿零壹拾万元整"],
    ["110,000,000.00", "壹亿壹仟万元整"],
    ["101,000,000.00", "壹亿零壹佰万元整"],
    ["100,000,001.00", "壹亿零壹元整"],
    ["123,456,789.12", "壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元壹角贰分"],
    // Large values: 万亿 and beyond.
    ["1,000,000,000,000.00", "壹万亿元整"],
    ["1,000,100,000,000.00", "壹万零壹亿元整"],
    ["1,234,567,890,123.45", "壹万贰仟叁佰肆拾伍亿陆仟柒佰捌拾玖万零壹佰贰拾叁元肆角伍分"],
    ["1,000,000,000,000,000.00", "壹仟万亿元整"],
  ])("%s -> %s", (text, capitals) => expect(amountInCapitals(yuan(text))).toBe(capitals));

  it("zero is 零元整 and a negative amount is led by 负", () => {
    expect(amountInCapitals(0n)).toBe("零元整");
    expect(amountInCapitals(-20_000n)).toBe("负贰佰元整");
  });

  it("never writes two 零 in a row, nor ends on 零, and 整 only after 元 (property)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 17n }), (minor) => {
        const words = amountInCapitals(minor);
        expect(words).not.toMatch(/零零|零$|零[元万亿]/);
        expect(words.endsWith("整")).toBe(minor % 100n === 0n);
        if (minor >= 100n) expect(words).toContain("元");
      }),
    );
  });
});

describe("amounts in figures and compact", () => {
  it.each([
    [100_000_000n, "¥1,000,000.00"],
    [20_000n, "¥200.00"],
    [5n, "¥0.05"],
    [0n, "¥0.00"],
    [-1_000_560n, "-¥10,005.60"],
  ])("%s fen -> %s", (minor, text) => expect(formatYuan(minor)).toBe(text));

  it.each([
    [120_000_000n, "120万", "¥1.2M"],
    [12_345_678_900n, "1.23亿", "¥123.46M"],
    [15_000_000_000n, "1.5亿", "¥150M"],
    [999_999n, "9999.99", "¥10K"],
    [5_000_000n, "5万", "¥50K"],
    [350_000n, "3500", "¥3.5K"],
    [1_050n, "10.5", "¥10.5"],
    [0n, "0", "¥0"],
    [-120_000_000n, "-120万", "-¥1.2M"],
  ])("%s fen -> %s in zh-CN, %s in en", (minor, zh, en) => {
    expect(formatCompactYuan(minor, "zh-CN")).toBe(zh);
    expect(formatCompactYuan(minor, "en")).toBe(en);
  });
});

describe("dates in Chinese", () => {
  it.each([
    ["2026-12-03", "2026年12月3日"],
    ["2027-01-01", "2027年1月1日"],
    ["2028-02-29", "2028年2月29日"],
  ])("%s -> %s", (date, text) => expect(formatChineseDate(date)).toBe(text));

  it("refuses text that is not YYYY-MM-DD", () => expect(() => formatChineseDate("2026/12/03")).toThrow(RangeError));
});
