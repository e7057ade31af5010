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
