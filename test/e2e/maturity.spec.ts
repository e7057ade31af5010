import { test } from "@playwright/test";
import { expect, shot, signOut, startWithKey, unlockIfAsked } from "./helpers";

/* Pledge and release, and repayment of an issuance (partial, then full) with every holder settled. */

test.describe.configure({ mode: "serial" });

const MATURITY = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);

test("tier 1 pledges a claim to the factor, which sees it and releases it", async ({ page }) => {
  test.setTimeout(120_000);
  await startWithKey(page, "tier1");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Claims" }).click();
  const row = page.getByTestId(/^holding-/).filter({ hasText: "¥700,000.00" }).filter({ hasText: "held" }).first();
  const claimId = ((await row.getAttribute("data-testid")) ?? "").replace("holding-", "");
  await row.getByRole("button", { name: "Pledge…" }).click();
  await row.getByLabel("Pledge to lender").selectOption("org_gbfactor");
  await row.getByRole("button", { name: "Sign pledge" }).click();
  await unlockIfAsked(page, "tier1");
  await expect(page.getByTestId(`holding-${claimId}`)).toContainText("pledged");
  // A pledged claim cannot move: no split or finance action is offered.
  await expect(page.getByTestId(`holding-${claimId}`).getByRole("link", { name: "Split & transfer" })).toHaveCount(0);
  await signOut(page);

  await startWithKey(page, "factor");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Financing desk" }).click();
  const pledge = page.getByTestId(`pledge-${claimId}`);
  await expect(pledge).toContainText("Pearl River Assembly Ltd. → Greater Bay Factoring Co.");
  await shot(page, "pledge-lender-view");
  await pledge.getByRole("button", { name: "Release" }).click();
  await unlockIfAsked(page, "factor");
  await expect(page.getByTestId("pledge-notice")).toContainText("Pledge released");
});

test("the core enterprise repays an issuance partly, then fully, and every holder is settled", async ({ page }) => {
  // Three people sign in and unlock their keys (scrypt) in turn.
  test.setTimeout(180_000);
  await startWithKey(page, "core");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Issue a claim" }).click();
  await page.getByLabel("Tier-1 supplier").selectOption("org_pearl");
  await page.getByLabel("Amount (CNY)").fill("10,000.00");
  await page.getByLabel("Maturity date").fill(MATURITY);
  await page.getByRole("button", { name: "Preview" }).click();
  await page.getByRole("button", { name: "Sign and issue" }).click();
  await unlockIfAsked(page, "core");
  await page.waitForURL("**/issuances?done=issued");
  await signOut(page);

  await startWithKey(page, "tier1");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Claims" }).click();
  const offer = page.getByTestId(/^inbox-/).filter({ hasText: "¥10,000.00" }).first();
  await offer.getByRole("button", { name: "Accept" }).click();
  await unlockIfAsked(page, "tier1");
  await expect(page.getByTestId("claims-notice")).toContainText("Accepted ¥10,000.00");
  await signOut(page);

  await startWithKey(page, "core");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Issued claims" }).click();
  await page.getByTestId(/^issuance-/).filter({ hasText: "¥10,000.00" }).first().getByRole("link", { name: "Tree" }).click();
  await page.getByLabel("Amount (CNY)").fill("4,000.00");
  await page.getByLabel("Payment reference").fill("HX-REPAY-0001");
  await page.getByRole("button", { name: "Sign and record repayment" }).click();
  await unlockIfAsked(page, "core");
  await expect(page.getByTestId("repayment-notice")).toContainText("Repayment of ¥4,000.00 recorded");
  await expect(page.getByTestId("tree")).toContainText("¥6,000.00");
  await page.getByLabel("Amount (CNY)").fill("6,000.00");
  await page.getByLabel("Payment reference").fill("HX-REPAY-0002");
  await page.getByRole("button", { name: "Sign and record repayment" }).click();
  await expect(page.getByText("This issuance is fully repaid.")).toBeVisible();
  await expect(page.getByTestId("tree")).toContainText("settled");
  await shot(page, "repayment-settled");
});

test("at maturity the core enterprise sees what falls due and repays in full: every holder, supplier and lender, is settled", async ({ page }) => {
  test.setTimeout(120_000);
  await startWithKey(page, "core");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Issued claims" }).click();
  const due = page.getByTestId(/^due-/).filter({ hasText: "¥80,000.00" });
  await expect(due).toContainText("overdue ¥80,000.00");
  await expect(page.getByTestId(/^due-/).filter({ hasText: "¥50,000.00" })).toContainText("overdue");
  await shot(page, "maturity-falling-due");
  await due.getByRole("link", { name: "Repay" }).click();
  await page.getByLabel("Amount (CNY)").fill("80,000.00");
  await page.getByLabel("Payment reference").fill("HX-MAT-0001");
  await page.getByRole("button", { name: "Sign and record repayment" }).click();
  await unlockIfAsked(page, "core");
  await expect(page.getByText("This issuance is fully repaid.")).toBeVisible();
  const tree = page.getByTestId("tree");
  await expect(tree).toContainText("China Merchants Trade Bank");
  await expect(tree).not.toContainText("overdue");
  await expect(tree).toContainText("settled");
  await shot(page, "maturity-repaid-in-full");
});

test("a partial repayment after maturity leaves the rest overdue, and the lender sees its recourse", async ({ page }) => {
  test.setTimeout(120_000);
  await startWithKey(page, "core");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Issued claims" }).click();
  await page.getByTestId(/^due-/).filter({ hasText: "¥50,000.00" }).getByRole("link", { name: "Repay" }).click();
  await page.getByLabel("Amount (CNY)").fill("20,000.00");
  await page.getByLabel("Payment reference").fill("HX-MAT-0002");
  await page.getByRole("button", { name: "Sign and record repayment" }).click();
  await unlockIfAsked(page, "core");
  await expect(page.getByTestId("repayment-notice")).toContainText("Repayment of ¥20,000.00 recorded");
  const tree = page.getByTestId("tree");
  await expect(tree).toContainText("overdue");
  await expect(tree).not.toContainText("settled");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Issued claims" }).click();
  const rest = page.getByTestId(/^due-/).filter({ hasText: "¥30,000.00" });
  await expect(rest).toContainText("overdue ¥30,000.00");
  await signOut(page);

  await startWithKey(page, "factor");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Financing desk" }).click();
  await page.getByTestId(/^financing-/).filter({ hasText: "Lingnan PCB Manufacturing Co." }).filter({ hasText: "disbursed" }).getByRole("link").click();
  await expect(page.getByTestId("financing-panel")).toContainText("Overdue — recourse to Lingnan PCB Manufacturing Co.");
  await shot(page, "maturity-recourse");
});
