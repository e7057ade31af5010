import { test } from "@playwright/test";
import { expect, openNav, shot, startWithKey, unlockIfAsked } from "./helpers";

/*
 * Credit lines, lender side (issue #5): the bank's admin grants Huaxin a new line, raises
 * its limit and freezes it, each signed in the browser; the core enterprise sees the line
 * frozen with what that means. The line expires two years out, after the demo lines, so
 * the other journeys keep issuing on the demo lines.
 */

test.describe.configure({ mode: "serial" });

const expiry = () => new Date(Date.now() + 730 * 86_400_000).toISOString().slice(0, 10);
let lineTestId = "";

test("the bank grants Huaxin a credit line and adjusts its limit", async ({ page }) => {
  await startWithKey(page, "bank");
  await openNav(page, "Credit lines");
  await page.waitForURL("**/credit-lines");
  const before = await page.getByTestId(/^credit-line-cl_/).count();

  await page.getByLabel("Core enterprise").selectOption({ label: "Huaxin Electronics Co., Ltd." });
  await page.getByLabel("Limit (CNY)").fill("12,500,000.5");
  await page.getByLabel("Expires on").fill(expiry());
  await expect(page.getByTestId("grant-preview")).toContainText("¥12,500,000.50");
  await shot(page, "credit-lines-grant");
  await page.getByRole("button", { name: "Sign and grant" }).click();
  await unlockIfAsked(page, "bank");
  await expect(page.getByTestId("grant-notice")).toContainText("Credit line of ¥12,500,000.50 granted to Huaxin Electronics Co., Ltd.");
  await expect(page.getByTestId(/^credit-line-cl_/)).toHaveCount(before + 1);

  const row = page.getByTestId(/^credit-line-cl_/).filter({ hasText: "¥12,500,000.50" });
  lineTestId = (await row.getAttribute("data-testid")) ?? "";
  await row.getByRole("button", { name: "Manage" }).click();
  const limit = page.getByLabel(/New limit for Huaxin/);
  await limit.fill("12,500,000.555");
  await expect(page.getByTestId("adjust-panel")).toContainText("Use at most two decimals");
  await limit.fill("20,000,000");
  await page.getByRole("button", { name: "Sign new limit" }).click();
  await unlockIfAsked(page, "bank");
  await expect(page.getByTestId("credit-line-notice")).toContainText("set to ¥20,000,000.00");
  await expect(page.getByTestId(lineTestId)).toContainText("¥20,000,000.00");

  await page.getByTestId(lineTestId).getByRole("button", { name: "Manage" }).click();
  await page.getByTestId("manage-panel").getByRole("button", { name: "Freeze" }).click();
  await unlockIfAsked(page, "bank");
  await expect(page.getByTestId("credit-line-notice")).toContainText("frozen");
  await expect(page.getByTestId(lineTestId)).toContainText("frozen");
  await page.getByTestId(lineTestId).getByRole("button", { name: "Manage" }).click();
  await expect(page.getByTestId("manage-panel").getByRole("button", { name: "Unfreeze" })).toBeVisible();
  await shot(page, "credit-lines-lender");
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, "credit-lines-lender-mobile");
});

test("the core enterprise sees the frozen line and why", async ({ page }) => {
  await startWithKey(page, "core");
  await openNav(page, "Credit lines");
  const row = page.getByTestId(lineTestId);
  await expect(row).toContainText("¥20,000,000.00");
  await expect(row).toContainText("China Merchants Trade Bank has frozen this line: you cannot issue new claims on it.");
  await expect(page.getByRole("button", { name: "Sign and grant" })).toHaveCount(0);
  await shot(page, "credit-lines-core");
});
