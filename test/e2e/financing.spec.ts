import { test } from "@playwright/test";
import { expect, shot, signOut, startWithKey, unlockIfAsked } from "./helpers";

/*
 * Manual financing (issue #5): tier 2 applies for its 100,000.00 piece with a quote, the bank checks provenance in its
 * own browser and signs a priced offer, tier 2 accepts, the bank confirms disbursement; the
 * financed piece cannot be financed again.
 */

test.describe.configure({ mode: "serial" });

let financingUrl = "";
let claimId = "";

test("tier 2 sees a quote and applies to the bank", async ({ page }) => {
  await startWithKey(page, "tier2");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Claims" }).click();
  const row = page.getByTestId(/^holding-/).filter({ hasText: "¥100,000.00" }).first();
  claimId = ((await row.getAttribute("data-testid")) ?? "").replace("holding-", "");
  await row.getByRole("link", { name: "Finance" }).click();
  await page.waitForURL("**/finance");
  await page.getByLabel("Lender").selectOption("org_cmtb");
  await expect(page.getByTestId("quote")).toContainText("Discount interest (ACT/360)");
  await expect(page.getByTestId("quote-net")).toContainText("¥");
  await shot(page, "financing-quote");
  await page.getByRole("button", { name: "Sign and apply" }).click();
  await unlockIfAsked(page, "tier2");
  await page.waitForURL("**/financing?done=applied");
  await expect(page.getByTestId(/^financing-/).filter({ hasText: "requested" })).toHaveCount(1);
});

/** A policy pinning keys this deployment does not sign with yet: no checkpoint can satisfy it. */
const FOREIGN_POLICY = JSON.stringify({
  format: "double-chain-trust-policy/1",
  origin: "double-chain.example/ledger",
  operatorKeys: ["double-chain.example/ledger+5580922e+ARV3nrt8aqQNshljqByxWP3+Vp5rd/TkIzrZmc2ecqJY"],
  witnesses: [
    "witness.bank.example+83e4e604+BKkkFXym9NeJ569zdoByDtnLIntI4R5LkMb35fhCqrdx",
    "witness.factor.example+1bdc6b3c+BFveVQI2hQqhzLWgkCybHtOTtHFbMC1GWPNryRdfxP/6",
    "witness.auditor.example+d87dd311+BGiNGmYC5rdUQ2zV4VskdV2jNaNlabpV81Z2pS9oda2n",
  ],
  quorum: 2,
});

test("with a trust policy pinned, the desk refuses to offer on a checkpoint it cannot verify, and says why", async ({ page }) => {
  await startWithKey(page, "bank");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Trust" }).click();
  await page.waitForURL("**/trust");
  await expect(page.getByTestId("trust-none")).toBeVisible();
  await page.getByLabel("Trust policy (JSON)").fill(FOREIGN_POLICY);
  await page.getByRole("checkbox").check();
  await page.getByRole("button", { name: "Pin policy" }).click();
  await expect(page.getByTestId("trust-pinned")).toContainText("witness.factor.example");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Financing desk" }).click();
  await page.getByTestId(/^financing-/).filter({ hasText: "requested" }).getByRole("link").click();
  await page.waitForURL(/\/financing\/fin_/);
  await expect(page.getByTestId("trust-decision-refused")).toContainText("Do not finance", { timeout: 30_000 });
  await expect(page.getByTestId("offer-blocked")).toContainText("Not offered:");
  await expect(page.getByRole("button", { name: "Sign offer" })).toBeDisabled();
  await shot(page, "financing-desk-refused");
});

test("the bank checks provenance in its browser and signs a priced offer", async ({ page }) => {
  await startWithKey(page, "bank");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Financing desk" }).click();
  await page.getByTestId(/^financing-/).filter({ hasText: "requested" }).getByRole("link").click();
  await page.waitForURL(/\/financing\/fin_/);
  financingUrl = page.url();
  await expect(page.getByTestId("provenance-ok")).toBeVisible({ timeout: 30_000 });
  await page.getByLabel("Annual rate (%)").fill("3.85");
  await expect(page.getByTestId("offer-quote")).toContainText("the holder receives");
  await shot(page, "financing-desk-offer");
  await page.getByRole("button", { name: "Sign offer" }).click();
  await unlockIfAsked(page, "bank");
  await expect(page.getByTestId("financing-notice")).toContainText("Offer signed");
});

test("tier 2 accepts the offer and the bank confirms disbursement", async ({ page }) => {
  await startWithKey(page, "tier2");
  await page.goto(financingUrl);
  await expect(page.getByRole("main").getByTestId("financing-panel")).toContainText("3.85%");
  await page.getByRole("button", { name: "Accept offer" }).click();
  await unlockIfAsked(page, "tier2");
  await expect(page.getByTestId("financing-notice")).toContainText("Offer accepted");
  await signOut(page);

  await startWithKey(page, "bank");
  await page.goto(financingUrl);
  await page.getByLabel("Payment reference").fill("CMTB-20261125-0042");
  await page.getByRole("button", { name: "Confirm disbursement" }).click();
  await unlockIfAsked(page, "bank");
  await expect(page.getByTestId("financing-notice")).toContainText("Disbursement confirmed");
  await page.reload();
  await expect(page.getByTestId("financing-panel")).toContainText("CMTB-20261125-0042");
  await shot(page, "financing-disbursed");
});

test("a second financing of the same piece is refused", async ({ page }) => {
  await startWithKey(page, "tier2");
  await page.goto(`/claims/${claimId}/finance`);
  await expect(page.getByText(/cannot be financed again|Only a held claim of yours can be financed/)).toBeVisible();
});
