import { test, type Page } from "@playwright/test";
import { expect, shot, signIn, signOut, startWithKey, unlockIfAsked } from "./helpers";

/*
 * The journey of issue #4, in a real browser with keys that never leave it: the core
 * enterprise issues 1,000,000.00 to tier 1, which keeps 700,000.00 and passes 300,000.00 to
 * tier 2, which passes 200.00 to the Chengdu vendor, who sees a green provenance check.
 */

test.describe.configure({ mode: "serial" });

const MATURITY = new Date(Date.now() + 120 * 86_400_000).toISOString().slice(0, 10);

async function openClaims(page: Page) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Claims" }).click();
  await page.waitForURL("**/claims");
}

async function acceptOffer(page: Page, login: string, amount: string) {
  await openClaims(page);
  const offer = page.getByTestId(/^inbox-/).filter({ hasText: amount }).first();
  await expect(offer).toBeVisible();
  await offer.getByRole("button", { name: "Accept" }).click();
  await unlockIfAsked(page, login);
  await expect(page.getByTestId("claims-notice")).toContainText(`Accepted ${amount}`);
}

async function split(page: Page, login: string, holding: string, parts: { to: string; amount: string }[]) {
  await openClaims(page);
  await page.getByTestId(/^holding-/).filter({ hasText: holding }).first().getByRole("link", { name: "Split & transfer" }).click();
  await page.waitForURL("**/split");
  for (const [i, part] of parts.entries()) {
    if (i > 0) await page.getByRole("button", { name: "Add a part" }).click();
    await page.getByLabel(`Recipient ${i + 1}`).selectOption(part.to);
    await page.getByLabel(`Amount ${i + 1}`).fill(part.amount);
  }
  await page.getByRole("button", { name: "Preview" }).click();
  await shot(page, `journey-split-preview-${login}`);
  await page.getByRole("button", { name: "Sign and submit" }).click();
  await unlockIfAsked(page, login);
  await page.waitForURL("**/claims?done=split");
}

test("the core enterprise issues 1,000,000.00 to tier 1", async ({ page }) => {
  await startWithKey(page, "core");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Issue a claim" }).click();
  await page.waitForURL("**/issue");
  await page.getByLabel("Tier-1 supplier").selectOption("org_pearl");
  await page.getByLabel("Amount (CNY)").fill("1,000,000.00");
  await page.getByLabel("Maturity date").fill(MATURITY);
  await page.getByLabel("Document reference").fill("PO-2026-1125");
  await page.getByLabel("Invoice file").setInputFiles({ name: "invoice.pdf", mimeType: "application/pdf", buffer: Buffer.from("Invoice HX-2026-1125") });
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.getByTestId("issue-preview")).toContainText("¥1,000,000.00");
  await shot(page, "journey-issue-preview");
  await page.getByRole("button", { name: "Sign and issue" }).click();
  await unlockIfAsked(page, "core");
  await page.waitForURL("**/issuances?done=issued");
  await expect(page.getByTestId(/^issuance-/).filter({ hasText: "¥1,000,000.00" }).filter({ hasText: "awaiting acceptance" })).toHaveCount(1);
  await shot(page, "journey-issuances");
});

test("tier 1 accepts, keeps 700,000.00 and passes 300,000.00 to tier 2", async ({ page }) => {
  await startWithKey(page, "tier1");
  await acceptOffer(page, "tier1", "¥1,000,000.00");
  await split(page, "tier1", "¥1,000,000.00", [{ to: "org_lingnan", amount: "300,000.00" }]);
  await expect(page.getByTestId(/^holding-/).filter({ hasText: "¥700,000.00" }).filter({ hasText: "held" })).toHaveCount(2);
  await expect(page.getByTestId(/^holding-/).filter({ hasText: "¥300,000.00" })).toContainText("offered to Lingnan PCB");
  await shot(page, "journey-tier1-after-split");
});

test("a split whose parts do not sum is refused with a clear message", async ({ page }) => {
  await startWithKey(page, "tier1");
  await openClaims(page);
  await page.getByTestId(/^holding-/).filter({ hasText: "¥700,000.00" }).first().getByRole("link", { name: "Split & transfer" }).click();
  await page.getByLabel("Recipient 1").selectOption("org_lingnan");
  await page.getByLabel("Amount 1").fill("100.00");
  await page.getByLabel("Keep the remainder myself").uncheck();
  await expect(page.getByTestId("split-problems")).toContainText("The parts must add up exactly to ¥700,000.00: ¥699,900.00 is not assigned.");
  await expect(page.getByRole("button", { name: "Preview" })).toBeDisabled();
  await page.getByLabel("Amount 1").fill("800,000.00");
  await expect(page.getByTestId("split-problems")).toContainText("The parts exceed the claim by ¥100,000.00.");
  await page.getByLabel("Amount 1").fill("1.001");
  // A part's own problem sits under its field, not in the summary.
  await expect(page.getByTestId("part-0-amount-error")).toContainText("Use at most two decimals");
  await shot(page, "journey-split-refused");
});

test("tier 2 accepts and passes 200.00 to the Chengdu vendor", async ({ page }) => {
  await startWithKey(page, "tier2");
  await acceptOffer(page, "tier2", "¥300,000.00");
  await split(page, "tier2", "¥300,000.00", [{ to: "org_xinyuan", amount: "200.00" }]);
  await expect(page.getByTestId(/^holding-/).filter({ hasText: "¥299,800.00" }).first()).toBeVisible();
});

test("tier 3 accepts and sees a green provenance check back to the core enterprise", async ({ page }) => {
  await startWithKey(page, "tier3");
  await acceptOffer(page, "tier3", "¥200.00");
  await page.getByTestId(/^holding-/).filter({ hasText: "¥200.00" }).filter({ hasText: "held" }).first().getByRole("link", { name: "Provenance" }).click();
  await expect(page.getByTestId("provenance-ok")).toBeVisible({ timeout: 30_000 });
  const lineage = page.getByTestId("lineage");
  await expect(lineage).toContainText("Issued · ¥1,000,000.00");
  await expect(lineage).toContainText("signed by Huaxin Electronics Co., Ltd.");
  await expect(lineage).toContainText("signed by Pearl River Assembly Ltd.");
  await expect(lineage).toContainText("signed by Lingnan PCB Manufacturing Co.");
  await expect(lineage).toContainText("signed by Chengdu Xinyuan Components");
  await shot(page, "journey-provenance-green");
});

test("an offer that is rejected returns to its sender", async ({ page }) => {
  await startWithKey(page, "tier2");
  await split(page, "tier2", "¥299,800.00", [{ to: "org_xinyuan", amount: "1,000.00" }]);
  await signOut(page);

  await startWithKey(page, "tier3");
  await openClaims(page);
  const offer = page.getByTestId(/^inbox-/).filter({ hasText: "¥1,000.00" }).first();
  await offer.getByRole("button", { name: "Reject…" }).click();
  await offer.getByLabel("Reason for rejecting").fill("No purchase order for this delivery");
  await offer.getByRole("button", { name: "Reject offer" }).click();
  await unlockIfAsked(page, "tier3");
  await expect(page.getByTestId("claims-notice")).toContainText("went back to the sender");
  await signOut(page);

  await signIn(page, "tier2");
  await page.waitForURL("**/dashboard");
  await openClaims(page);
  await expect(page.getByTestId(/^holding-/).filter({ hasText: "¥1,000.00" }).filter({ hasText: "held" })).toHaveCount(1);
  await shot(page, "journey-rejected-returned");
});
