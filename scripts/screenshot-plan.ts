import type { Page } from "playwright-core";

/**
 * Each demo role's main pages, for screenshots in every language (scripts/screenshots.ts and
 * test/e2e/screenshots.spec.ts). "claim" opens the first claim the dashboard lists (its
 * provenance page); "issuance" the core enterprise's first issuance (its tree and repayment),
 * where that dashboard's rows lead.
 */
export const ROLE_PAGES: Record<string, string[]> = {
  core: ["/dashboard", "/issuances", "/issue", "/credit-lines", "issuance"],
  tier1: ["/dashboard", "/claims", "/financing", "claim"],
  tier2: ["/dashboard", "/claims"],
  tier3: ["/dashboard", "/claims", "/financing", "claim"],
  bank: ["/dashboard", "/financing", "/financing/policies", "/trust", "claim"],
  factor: ["/dashboard", "/financing/policies"],
  operator: ["/dashboard", "/operator/organisations", "/operator/keys", "/operator/jobs", "/settings/users"],
  auditor: ["/dashboard", "/trust", "claim"],
};

export const DEMO_SIGN_IN_PASSWORD = "doublechain-demo";

/** Signs in through the form by its field ids, which do not change with the language. */
export async function signInByIds(page: Page, base: string, login: string): Promise<void> {
  await page.goto(`${base}/signin`);
  await page.locator("#email").fill(`${login}@demo.doublechain.cn`);
  await page.locator("#password").fill(DEMO_SIGN_IN_PASSWORD);
  await page.locator("form button[type=submit]").click();
  await page.waitForURL("**/dashboard");
}

/** The first link of the dashboard to a claim's or an issuance's own page. */
const FIRST_LINK: Record<string, string> = { claim: 'main a[href^="/claims/c_"]', issuance: 'main a[href^="/issuances/c_"]' };

/** Opens one entry of ROLE_PAGES and waits until it has settled; returns the file name part. */
export async function openPlanned(page: Page, base: string, entry: string): Promise<string> {
  const link = FIRST_LINK[entry];
  if (link) {
    await page.goto(`${base}/dashboard`);
    const href = await page.locator(link).first().getAttribute("href", { timeout: 10_000 });
    await page.goto(`${base}${href ?? "/dashboard"}`);
  } else {
    await page.goto(`${base}${entry}`);
  }
  await page.waitForLoadState("networkidle");
  return link ? entry : entry.slice(1).replaceAll("/", "_");
}
