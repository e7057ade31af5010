import { test, type Page } from "@playwright/test";
import { expect, openNav, shot, signOut, startWithKey, unlockIfAsked } from "./helpers";

/*
 * Maker-checker (复核, issue 14): the demo's core enterprise needs an approver above
 * 1,000,000.00 (its policy on the ledger). Chen Jing issues 1,500,000.00: the ledger wants an
 * approval, so the signed issuance waits in the approvals queue. Wu Fang, the approver, signs
 * in with his own approver key, reads exactly what was signed (amount in figures and in
 * capitals), and approves: his key cosigns it in the browser and the claim is issued.
 */

test.describe.configure({ mode: "serial" });

const MATURITY = new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10);
const AMOUNT = "¥1,500,000.00";

async function queueShots(page: Page, name: string) {
  for (const [locale, accept] of [["en", "en-GB"], ["zh", "zh-CN"]] as const) {
    await page.context().setExtraHTTPHeaders({ "accept-language": accept });
    await page.context().addCookies([{ name: "NEXT_LOCALE", value: accept === "en-GB" ? "en" : "zh-CN", url: page.url() }]);
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await page.reload();
      await expect(page.getByTestId("approval-item").first()).toBeVisible({ timeout: 20_000 });
      await shot(page, `${name}-${locale}-${width}`);
    }
  }
  await page.context().setExtraHTTPHeaders({ "accept-language": "en-GB" });
  await page.context().addCookies([{ name: "NEXT_LOCALE", value: "en", url: page.url() }]);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.reload();
}

test("the core enterprise's maker issues 1,500,000.00, above its approval policy: it waits for an approver", async ({ page }) => {
  await startWithKey(page, "core");
  await openNav(page, "Issue a claim");
  await page.waitForURL("**/issue");
  await page.getByLabel("Tier-1 supplier").selectOption("org_pearl");
  await page.getByLabel("Amount (CNY)").fill("1,500,000.00");
  await page.getByLabel("Maturity date").fill(MATURITY);
  await page.getByLabel("Document reference").fill("PO-2026-1201");
  await page.getByRole("button", { name: "Preview" }).click();
  await page.getByRole("button", { name: "Sign and issue" }).click();
  await unlockIfAsked(page, "core");
  await page.waitForURL("**/approvals?held=*");
  await expect(page.getByRole("status").filter({ hasText: "waiting for approval" })).toBeVisible();
  const mine = page.getByTestId("approval-item").filter({ hasText: AMOUNT });
  await expect(mine).toContainText("Waiting");
  await expect(mine).toContainText("Prepared by Chen Jing");
  // The maker cannot approve his own: he may only withdraw it.
  await expect(mine.getByRole("button", { name: "Approve…" })).toHaveCount(0);
  await expect(mine.getByRole("button", { name: "Withdraw" })).toBeVisible();
  await shot(page, "approvals-maker-waiting");
  await signOut(page);
});

test("the approver sees it in his queue, reads what he signs, approves, and the claim is issued", async ({ page }) => {
  await startWithKey(page, "core.approver");
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByTestId("approvals-waiting")).toHaveText("1");
  await openNav(page, "Approvals");
  await page.waitForURL("**/approvals");
  const item = page.getByRole("region", { name: "Waiting for your approval" }).getByTestId("approval-item").filter({ hasText: AMOUNT });
  await expect(item).toBeVisible();
  await expect(item).toContainText("Issue a claim");
  await expect(item).toContainText("Prepared by Chen Jing");
  await expect(item).toContainText("Pearl River Assembly Ltd.");
  await expect(item).toContainText(/China Merchants Trade Bank|Greater Bay Factoring/); // the credit line, by its lender
  await expect(item.getByTestId("approval-amountMinor")).toHaveText(AMOUNT);
  await expect(item.getByTestId("approval-amountMinor-capitals")).toHaveText("壹佰伍拾万元整");
  await item.getByText("Transaction id and signed body (JSON)").click();
  await expect(item.locator("pre")).toContainText('"amountMinor": "150000000"');
  await queueShots(page, "approvals-queue");

  const waiting = page.getByRole("region", { name: "Waiting for your approval" }).getByTestId("approval-item").filter({ hasText: AMOUNT });
  await waiting.getByRole("button", { name: "Approve…" }).click();
  await expect(waiting.getByRole("group", { name: "Approve with your key?" })).toContainText("Your key cosigns transaction");
  await waiting.getByRole("button", { name: "Sign the approval" }).click();
  await unlockIfAsked(page, "core.approver");
  const decided = page.getByRole("region", { name: "Decided lately" }).getByTestId("approval-item").filter({ hasText: AMOUNT });
  await expect(decided).toContainText("Approved");
  await expect(decided).toContainText("Approved: the ledger accepted it.");
  // The ledger entry's number is there for whoever opens the signed body, not in the sentence.
  await decided.getByText("Transaction id and signed body (JSON)").click();
  await expect(decided).toContainText(/Ledger entry: #\d+/);
  await expect(page.getByText("Nothing waits for your approval.")).toBeVisible();
  await shot(page, "approvals-approved");
  await signOut(page);
});

test("the maker sees the approval and the issued claim", async ({ page }) => {
  await startWithKey(page, "core");
  await openNav(page, "Approvals");
  await expect(page.getByTestId("approval-item").filter({ hasText: AMOUNT })).toContainText("Approved: Wu Fang");
  await openNav(page, "Issued claims");
  await page.waitForURL("**/issuances");
  await expect(page.getByTestId(/^issuance-/).filter({ hasText: AMOUNT }).filter({ hasText: "awaiting acceptance" })).toHaveCount(1);
});

test("a transaction held for approval reaches the approver's badge without a reload, and leaves it when withdrawn", async ({ page, browser }) => {
  test.setTimeout(180_000);
  await startWithKey(page, "core.approver");
  const badge = page.getByRole("navigation", { name: "Main" }).getByTestId("approvals-waiting");
  await expect(badge).toHaveCount(0);

  const maker = await (await browser.newContext({ extraHTTPHeaders: { "accept-language": "en-GB" } })).newPage();
  await startWithKey(maker, "core");
  await openNav(maker, "Issue a claim");
  await maker.waitForURL("**/issue");
  await maker.getByLabel("Tier-1 supplier").selectOption("org_pearl");
  await maker.getByLabel("Amount (CNY)").fill("1,200,000.00");
  await maker.getByLabel("Maturity date").fill(MATURITY);
  await maker.getByRole("button", { name: "Preview" }).click();
  await maker.getByRole("button", { name: "Sign and issue" }).click();
  await unlockIfAsked(maker, "core");
  await maker.waitForURL("**/approvals?held=*");

  // The shell asks every 30 s: the approver's open page counts it without navigating.
  await expect(badge).toHaveText("1", { timeout: 45_000 });
  const held = maker.getByTestId("approval-item").filter({ hasText: "¥1,200,000.00" });
  await held.getByRole("button", { name: "Withdraw" }).click();
  // Nothing happens until the maker confirms: the item still waits.
  await expect(held.getByRole("group", { name: "Withdraw this transaction?" })).toBeVisible();
  await expect(badge).toHaveText("1");
  await held.getByRole("button", { name: "Withdraw it" }).click();
  await expect(held).toContainText("Withdrawn");
  await expect(badge).toHaveCount(0, { timeout: 45_000 });
  await maker.context().close();
});
