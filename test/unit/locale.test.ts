import { describe, expect, it } from "vitest";
import { localeFromAcceptLanguage, negotiateLocale } from "@/app/_lib/locale";

describe("the locale of a request", () => {
  it.each([
    // The user's setting wins over the browser.
    ["en", "zh-CN,zh;q=0.9", "en"],
    ["zh-CN", "en-US,en;q=0.9", "zh-CN"],
    // Else the browser's Accept-Language, by q-value, then order.
    [undefined, "en-US,en;q=0.9", "en"],
    [undefined, "zh-TW,zh;q=0.9,en;q=0.8", "zh-CN"],
    [undefined, "fr-FR,en;q=0.5,zh;q=0.8", "zh-CN"],
    [undefined, "fr-FR,de;q=0.9,en;q=0.1", "en"],
    [undefined, "en;q=0,zh;q=0.1", "zh-CN"],
    // Else Chinese: no header, no language we speak, or a cookie we do not know.
    [undefined, undefined, "zh-CN"],
    [undefined, "fr-FR,de", "zh-CN"],
    ["de", "", "zh-CN"],
  ])("cookie %j, Accept-Language %j -> %s", (cookie, header, locale) => expect(negotiateLocale(cookie, header)).toBe(locale));

  it("finds nothing in a header without a language we speak", () => expect(localeFromAcceptLanguage("ja-JP,ko;q=0.5")).toBeUndefined());
});
