import { test } from "@playwright/test";
import { expect, openNav, shot, signOut, startWithKey, unlockIfAsked } from "./helpers";

/*
 * Auto-financing (issue #5): the factor's signed policy for Huaxin's claims finances the
 * tier-3 vendor's 200.00 piece without anyone at the factor's desk; the same piece cannot
 * be financed twice; the factor sees what its policy paid.
 */

test.describe.configure({ mode: "serial" });

let claimId = "";

test("the factor's policy for Huaxin is on its Auto-financing page", async ({ page }) => {
  await startWithKey(page, "factor");
  await openNav(page, "Auto-financing");
  await page.waitForURL("**/financing/policies");
  const policy = page.getByTestId("policy-org_huaxin");
  await expect(policy).toContainText("Huaxin Electronics Co., Ltd.");
  await expect(policy).toContainText("¥5,000.00");
  await expect(policy).toContainText("4.20%");
  await shot(page, "auto-financing-policy");
});

test("tier 3 turns its 200.00 piece into cash in seconds, with nobody at the lender", async ({ page }) => {
  await startWithKey(page, "tier3");
  await openNav(page, "Claims");
  const row = page.getByTestId(/^holding-/).filter({ hasText: "¥200.00" }).filter({ hasText: "held" }).first();
  claimId = ((await row.getAttribute("data-testid")) ?? "").replace("holding-", "");
  await row.getByRole("link", { name: "Finance" }).click();
  await page.waitForURL("**/finance");
  const offer = page.getByTestId("instant-offer-org_gbfactor");
  await expect(offer).toContainText("paid now");
  await expect(offer.getByTestId("instant-net")).toHaveText("¥195.80"); // 200.00 less 4.20% for 180 days (ACT/360): 4.20 interest
  await shot(page, "auto-financing-offer");
  const startedMs = Date.now();
  await offer.getByRole("button", { name: "Sign and get paid" }).click();
  await unlockIfAsked(page, "tier3");
  await expect(page.getByTestId("auto-notice")).toContainText("Paid: ¥195.80 from Greater Bay Factoring Co.", { timeout: 30_000 });
  const elapsedMs = Date.now() - startedMs;
  await expect(page.getByTestId("financing-panel")).toContainText(/AGENT-[0-9A-F]{12}/);
  await expect(page.getByTestId("financing-panel")).toContainText("Without recourse");
  await shot(page, "auto-financing-paid");
  // Includes unlocking the key (scrypt, in the browser) when the dialog asked for it.
  console.log(`auto-financing e2e: click to paid notice ${elapsedMs} ms`);
});

test("the same piece cannot be financed again", async ({ page }) => {
  await startWithKey(page, "tier3");
  await page.goto(`/claims/${claimId}/finance`);
  await expect(page.getByText(/cannot be financed again|Only a held claim of yours can be financed/)).toBeVisible();
  await expect(page.getByTestId("instant-offer-org_gbfactor")).toHaveCount(0);
});

test("the factor sees what its policy paid, on its desk and its policy page", async ({ page }) => {
  await startWithKey(page, "factor");
  await openNav(page, "Financing desk");
  await expect(page.getByTestId(/^financing-/).filter({ hasText: "Chengdu Xinyuan Components" }).filter({ hasText: "auto" })).toHaveCount(1);
  await openNav(page, "Auto-financing");
  await expect(page.getByRole("cell", { name: "Chengdu Xinyuan Components" })).toBeVisible();
  await signOut(page);
});
