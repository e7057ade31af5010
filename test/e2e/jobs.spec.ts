import { test } from "@playwright/test";
import { expect, openNav, shot, signIn } from "./helpers";

/* The operator sees the shared job schedule, run by the server's own scheduler (instrumentation.ts). */

test("the operator sees the overdue job's last run and next run", async ({ page }) => {
  await signIn(page, "operator");
  await page.waitForURL("**/dashboard");
  await openNav(page, "Scheduled jobs");
  await page.waitForURL("**/operator/jobs");
  const row = page.getByTestId("job-overdue");
  await expect(row).toContainText("Marks the unpaid pieces of every matured issuance overdue");
  // The server ticks at start: the first run is recorded within seconds (the page refreshes every 15 s).
  await expect(async () => {
    await page.reload();
    await expect(row).toContainText("No matured issuance with unpaid pieces.", { timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await expect(row.getByText("ok", { exact: true })).toBeVisible();
  await shot(page, "operator-scheduled-jobs");
});

test("other organisations do not see the schedule", async ({ page }) => {
  await signIn(page, "bank");
  await page.waitForURL("**/dashboard");
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Scheduled jobs" })).toHaveCount(0);
  await page.goto("/operator/jobs");
  await page.waitForURL("**/dashboard");
});
