import { test, type Page } from "@playwright/test";
import { expect, shot, signIn } from "./helpers";

/*
 * Issue 15: the tier-3 supplier shares its piece's e-voucher; a visitor without an account
 * opens the link and the page verifies the claim in the visitor's own browser. A bundle
 * altered on its way and a changed token are refused, and so is the link once revoked.
 */

/** Keys this deployment does not sign with (as in financing.spec.ts): no checkpoint of it satisfies them. */
const FOREIGN_POLICY = JSON.stringify({
  format: "double-chain-trust-policy/1",
  origin: "double-chain.example/ledger",
  operatorKeys: ["double-chain.example/ledger+5580922e+ARV3nrt8aqQNshljqByxWP3+Vp5rd/TkIzrZmc2ecqJY"],
  witnesses: ["witness.bank.example+83e4e604+BKkkFXym9NeJ569zdoByDtnLIntI4R5LkMb35fhCqrdx", "witness.factor.example+1bdc6b3c+BFveVQI2hQqhzLWgkCybHtOTtHFbMC1GWPNryRdfxP/6"],
  quorum: 1,
});

async function heldTier3Piece(page: Page): Promise<string> {
  await page.goto("/claims");
  const split = page.locator('a[href^="/claims/c_"][href$="/split"]').first();
  await expect(split).toBeVisible();
  const href = (await split.getAttribute("href")) ?? "";
  return href.split("/")[2] ?? "";
}

test("a shared voucher verifies on the public page; a tampered bundle, a changed token and a revoked link are refused", async ({ page, browser }) => {
  await signIn(page, "tier3");
  await page.waitForURL("**/dashboard");
  const claimId = await heldTier3Piece(page);
  expect(claimId).toMatch(/^c_[0-9a-f]+$/);

  await page.goto(`/claims/${claimId}`);
  await page.getByTestId("claim-voucher-link").click();
  await page.waitForURL(`**/claims/${claimId}/voucher`);
  await expect(page.getByTestId("voucher-claim-id")).toContainText(claimId);
  await expect(page.getByTestId("voucher-holder")).toHaveText("Chengdu Xinyuan Components");
  const capitals = (await page.getByTestId("voucher-capitals").textContent()) ?? "";
  expect(capitals).toMatch(/元/);

  await page.getByTestId("voucher-share").click();
  const link = (await page.getByTestId("voucher-share-link").textContent())?.trim() ?? "";
  expect(link).toMatch(/\/verify\/[A-Za-z0-9_-]{43}$/);
  // The page reloads with the token: its QR code and its PDF now carry the share link.
  await page.waitForURL(/\/voucher\?share=/);
  await expect(page.getByTestId("voucher-qr")).toHaveAttribute("data-url", link);
  const pdf = await page.request.get(`/claims/${claimId}/voucher/pdf`);
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()["content-type"]).toBe("application/pdf");
  await shot(page, "voucher-en");

  // A visitor: a fresh browser context, no session.
  const visitor = await browser.newContext({ locale: "zh-CN" });
  const open = await visitor.newPage();
  const path = new URL(link).pathname;
  await open.goto(path);
  await expect(open.getByTestId("verify-ok")).toBeVisible({ timeout: 30_000 });
  await expect(open.getByTestId("verify-claim-id")).toHaveText(claimId);
  await expect(open.getByTestId("verify-holder")).toHaveText("Chengdu Xinyuan Components");
  await expect(open.getByTestId("verify-capitals")).toHaveText(capitals);
  await expect(open.getByTestId("verify-trust")).toContainText("/trust-policy.json");
  await shot(open, "verify-zh-CN");

  // The visitor's own policy replaces the published one: keys this ledger never signed with fail.
  await open.getByLabel("您的信任策略（JSON）").fill(FOREIGN_POLICY);
  await open.getByRole("button", { name: "按此策略核验" }).click();
  await expect(open.getByTestId("verify-failed")).toHaveAttribute("data-code", "log_signature_missing", { timeout: 30_000 });
  await open.getByRole("button", { name: "删除我的策略" }).click();
  await expect(open.getByTestId("verify-ok")).toBeVisible({ timeout: 30_000 });

  // The same link, its bundle altered on the way: the claim's amount in the state section.
  const tampered = await visitor.newPage();
  await tampered.route("**/api/verify/**", async (route) => {
    const response = await route.fetch();
    const body = await response.json();
    body.bundle.state.claim.leaf.amountMinor = String(BigInt(body.bundle.state.claim.leaf.amountMinor) * 100n);
    await route.fulfill({ response, json: body });
  });
  await tampered.goto(path);
  await expect(tampered.getByTestId("verify-failed")).toBeVisible({ timeout: 30_000 });
  await expect(tampered.getByTestId("verify-ok")).toHaveCount(0);

  // A changed token opens nothing.
  const token = path.split("/").at(-1) ?? "";
  await open.goto(`/verify/${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`);
  await expect(open.getByTestId("verify-refused")).toHaveAttribute("data-code", "voucher_share_not_found");

  // The holder revokes; the link is refused from then on.
  await page.getByTestId("voucher-revoke").first().click();
  await expect(page.getByTestId("voucher-shares")).toContainText("revoked");
  await open.goto(path);
  await expect(open.getByTestId("verify-refused")).toHaveAttribute("data-code", "voucher_share_revoked");
  await shot(open, "verify-revoked-zh-CN");
  await visitor.close();
});
