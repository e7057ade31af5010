import { test } from "@playwright/test";
import { openPlanned, ROLE_PAGES, signInByIds } from "../../scripts/screenshot-plan";
import { expect } from "./helpers";

/*
 * Each role's main pages in both languages (issue 15), saved under
 * test-results/screenshots/roles/<locale>/ for people to look at. Each page is also read for
 * the ledger's own vocabulary, which the pages promise to keep behind a click: no transaction
 * kind (claim.markOverdue), no leaf number, no Merkle root in plain view, no negative day count.
 */

const LEDGER_WORDS = [/\b(claim|financing|creditLine|key|policy|platform)\.[a-z][A-Za-z]+\b/, /leaf #?\d/i, /Merkle/, /\(-\d+/, /-\d+ ?(days|天)/];

for (const locale of ["zh-CN", "en"] as const) {
  test.describe(`${locale}`, () => {
    test.use({ locale });
    for (const [login, entries] of Object.entries(ROLE_PAGES)) {
      test(`${login}'s main pages speak ${locale}, not the ledger's words`, async ({ page, baseURL }) => {
        const base = baseURL ?? "";
        await signInByIds(page, base, login);
        await expect(page.locator("html")).toHaveAttribute("lang", locale);
        for (const entry of entries) {
          const name = await openPlanned(page, base, entry);
          if (entry === "claim") await expect(page.getByTestId("provenance-ok").or(page.getByTestId("provenance-failed"))).toBeVisible({ timeout: 30_000 });
          const text = await page.locator("main").innerText();
          for (const word of LEDGER_WORDS) expect(text, `${login} ${entry} shows ${word}`).not.toMatch(word);
          await page.screenshot({ path: `test-results/screenshots/roles/${locale}/${login}_${name}.png`, fullPage: true });
        }
      });
    }
  });
}

/*
 * The same at a phone's width (390 px): the sign-in page with its passkey button, and an
 * admin's keys (with the passkey panel), people and inbox pages. Nothing may be wider than the
 * screen: a page that scrolls sideways hides its buttons on a phone.
 */
const PHONE_PAGES = ["/keys", "/settings/users", "/inbox"];

for (const locale of ["zh-CN", "en"] as const) {
  test.describe(`${locale} at 390 px`, () => {
    test.use({ locale, viewport: { width: 390, height: 844 } });
    test(`sign-in, keys, people and inbox fit a phone's width in ${locale}`, async ({ page, baseURL }) => {
      const base = baseURL ?? "";
      const fits = async (name: string) => {
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${name} is wider than the screen`).toBeLessThanOrEqual(0);
        await page.screenshot({ path: `test-results/screenshots/phone/${locale}/${name}.png`, fullPage: true });
      };
      await page.goto(`${base}/signin`);
      await page.waitForLoadState("networkidle");
      await fits("signin");
      await signInByIds(page, base, "tier1");
      for (const entry of PHONE_PAGES) {
        await openPlanned(page, base, entry);
        await fits(`tier1_${entry.slice(1).replaceAll("/", "_")}`);
      }
    });
  });
}
