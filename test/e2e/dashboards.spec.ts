import fs from "node:fs";
import { test } from "@playwright/test";
import { expect, shot, signIn } from "./helpers";

/* Dashboard charts per role and CSV downloads (issue #5). */

test("the bank's dashboard charts its exposure by core enterprise and by maturity", async ({ page }) => {
  await signIn(page, "bank");
  await page.waitForURL("**/dashboard");
  // The dashboard streams in behind its loading page; the charts may take a moment on a busy machine.
  await expect(page.getByRole("figure", { name: "Exposure by core enterprise" })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId("exposure-by-core-org_huaxin")).toContainText("¥");
  await expect(page.getByRole("figure", { name: "Exposure by maturity" }).getByRole("row")).toHaveCount(6);
  await shot(page, "dashboard-charts-bank");
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, "dashboard-charts-bank-mobile");
});

test("a supplier sees its cash chart and downloads its holdings as CSV", async ({ page }) => {
  await signIn(page, "tier2");
  await page.waitForURL("**/dashboard");
  const chart = page.getByRole("figure", { name: "Cash received early, waiting and settled" });
  await expect(chart.getByTestId("supplier-cash-waiting")).toContainText("¥");
  await shot(page, "dashboard-charts-supplier");
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-holdings").click()]);
  expect(download.suggestedFilename()).toMatch(/^double-chain-holdings-\d{4}-\d{2}-\d{2}\.csv$/);
  const text = fs.readFileSync((await download.path())!, "utf8");
  expect(text.startsWith("\uFEFFclaim_id,root_claim_id,core_enterprise,tier,state,face_amount_cny")).toBe(true);
  expect(text).toContain('"Huaxin Electronics Co., Ltd."');
});

test("the core enterprise's dashboard charts outstanding by tier", async ({ page }) => {
  await signIn(page, "core");
  await page.waitForURL("**/dashboard");
  const chart = page.getByRole("figure", { name: "Outstanding by tier" });
  await expect(chart.getByTestId("outstanding-by-tier-1")).toContainText("¥");
  await shot(page, "dashboard-charts-core");
});
