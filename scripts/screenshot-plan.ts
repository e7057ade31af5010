import type { Page } from "playwright-core";

/**
 * Each demo role's main pages, for screenshots in every language (scripts/screenshots.ts and
 * test/e2e/screenshots.spec.ts). "claim" opens the first claim the dashboard lists: its
 * provenance page, which every role that sees claims can reach from there.
 */
export const ROLE_PAGES: Record<string, string[]> = {
  core: ["/dashboard", "/issuances", "/issue", "/credit-lines", "claim"],
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

/** Opens one entry of ROLE_PAGES and waits until it has settled; returns the file name part. */
export async function openPlanned(page: Page, base: string, entry: string): Promise<string> {
  if (entry === "claim") {
    await page.goto(`${base}/dashboard`);
    const href = await page.locator('main a[href^="/claims/c_"]').first().getAttribute("href");
    await page.goto(`${base}${href ?? "/dashboard"}`);
  } else {
    await page.goto(`${base}${entry}`);
  }
  await page.waitForLoadState("networkidle");
  return entry === "claim" ? "claim" : entry.slice(1).replaceAll("/", "_");
}
