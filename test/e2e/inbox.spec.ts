import { test } from "@playwright/test";
import { expect, signIn, startWithKey, unlockIfAsked } from "./helpers";

/*
 * The inbox (issue 16) and its unread badge: tier 1 keeps its dashboard open while the core
 * enterprise, in another browser, issues it a claim; the badge counts the offer without a reload
 * (the shell asks every 30 s; the notifications job runs every 10 s), the inbox says who offered
 * what, and marking read lowers the badge, then clears it. The issuance carries a document
 * reference, which its page shows beside the hashes.
 *
 * A distinctive amount and a maturity far out keep this offer out of the other specs' way.
 */

const MATURITY = new Date(Date.now() + 300 * 86_400_000).toISOString().slice(0, 10);
const REFERENCE = "PO-E2E-INBOX / 发票 0099";

/** The header bell's count, from its accessible name ("3 unread notifications", "No unread notifications"). */
async function unread(page: import("@playwright/test").Page): Promise<number> {
  const label = (await page.getByTestId("header-inbox").getAttribute("aria-label")) ?? "";
  return /^\d+/.test(label) ? Number(/^\d+/.exec(label)![0]) : 0;
}

test("an offer reaches the receiver's inbox and badge without a reload; marking read clears the badge", async ({ page, browser }) => {
  test.setTimeout(180_000);
  await signIn(page, "tier1");
  await page.waitForURL("**/dashboard");
  await expect(page.getByTestId("header-inbox")).toBeVisible();
  const before = await unread(page);

  const core = await browser.newContext();
  const corePage = await core.newPage();
  await startWithKey(corePage, "core");
  await corePage.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Issue a claim" }).click();
  await corePage.waitForURL("**/issue");
  await corePage.getByLabel("Tier-1 supplier").selectOption("org_pearl");
  await corePage.getByLabel("Amount (CNY)").fill("1,234.56");
  await corePage.getByLabel("Maturity date").fill(MATURITY);
  await corePage.getByLabel("Document reference").fill(REFERENCE);
  await corePage.getByRole("button", { name: "Preview" }).click();
  await expect(corePage.getByTestId("issue-reference")).toHaveText(REFERENCE);
  await corePage.getByRole("button", { name: "Sign and issue" }).click();
  await unlockIfAsked(corePage, "core");
  await corePage.waitForURL("**/issuances?done=issued");
  const row = corePage.getByTestId(/^issuance-/).filter({ hasText: "¥1,234.56" });
  await expect(row).toHaveCount(1);
  await row.getByRole("link", { name: "Tree" }).click();
  await corePage.waitForURL(/\/issuances\/c_/);
  await expect(corePage.getByTestId("document-reference")).toHaveText(REFERENCE);
  await core.close();

  // No reload, no navigation: the shell's own poll brings the count.
  await expect(async () => expect(await unread(page)).toBe(before + 1)).toPass({ timeout: 90_000, intervals: [2_000] });
  expect(page.url()).toMatch(/\/dashboard$/);

  await page.getByTestId("header-inbox").click();
  await page.waitForURL("**/inbox");
  const offer = page.getByTestId("inbox").getByRole("listitem").filter({ hasText: "¥1,234.56" });
  await expect(offer).toHaveCount(1);
  await expect(offer).toContainText("A claim is offered to you");
  await expect(offer).toContainText("Huaxin Electronics");
  await expect(offer).toHaveAttribute("data-unread", "true");
  await offer.getByRole("button", { name: "Mark read" }).click();
  await expect(offer).toHaveAttribute("data-unread", "false");
  await expect(async () => expect(await unread(page)).toBe(before)).toPass({ timeout: 15_000 });

  if (before > 0) await page.getByRole("button", { name: "Mark all read" }).click();
  await expect(page.getByTestId("header-inbox")).toHaveAttribute("aria-label", "No unread notifications", { timeout: 15_000 });
  await expect(page.getByTestId("inbox").locator('[data-unread="true"]')).toHaveCount(0);
});
