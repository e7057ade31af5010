import { describe, expect, it } from "vitest";
import { createTranslator } from "next-intl";
import en from "@/messages/en.json";
import zh from "@/messages/zh-CN.json";
import { daysText } from "@/app/_lib/days-text";

type Translate = Parameters<typeof daysText>[0];
const translators = {
  en: createTranslator({ locale: "en", messages: en }) as unknown as Translate,
  "zh-CN": createTranslator({ locale: "zh-CN", messages: zh }) as unknown as Translate,
};

describe("days to maturity in words, never a negative count", () => {
  it.each([
    ["en", 12, "held", "12 days left"],
    ["en", 1, "held", "1 day left"],
    ["en", 0, "held", "due today"],
    ["en", 0, "overdue", "overdue since today"],
    ["en", -1, "overdue", "1 day overdue"],
    ["en", -3, "overdue", "3 days overdue"],
    ["zh-CN", 12, "held", "剩余 12 天"],
    ["zh-CN", 0, "held", "今日到期"],
    ["zh-CN", 0, "overdue", "今日到期，已逾期"],
    ["zh-CN", -3, "overdue", "逾期 3 天"],
  ] as const)("%s: %i days, %s -> %s", (locale, days, state, text) => {
    expect(daysText(translators[locale], days, state)).toBe(text);
  });
});
