import { randomBytes } from "node:crypto";
import { test, type Page } from "@playwright/test";
import { sha256 } from "@noble/hashes/sha2.js";
import { buildSigned, identityFor, toWire } from "@/contracts/client";
import { utf8ToBytes } from "@/contracts/hex";
import { expect, shot, startWithKey } from "./helpers";

/*
 * The Keys page checks the organisation's key set the ledger committed to (issue 14,
 * deliverable 1). Tier 1's browser learns its organisation's keys; then a key enters the
 * ledger from outside this browser (submitted straight to the API with the organisation's admin
 * key, as an operator holding a stolen or coerced admin key would), and the page names it as a
 * key this browser does not know.
 */

const pearlAdmin = identityFor("org_pearl", sha256(utf8ToBytes("double-chain demo signing key org_pearl")));

async function keySetOutcome(page: Page, outcome: "clean" | "warnings") {
  await expect(page.getByTestId("key-set-check")).toHaveAttribute("data-outcome", outcome, { timeout: 30_000 });
}

/** Marks every key the check names as unknown as known (the person checked with their holders). */
async function markAllKnown(page: Page) {
  const buttons = page.getByRole("button", { name: "I have checked: this key is known" });
  while ((await buttons.count()) > 0) await buttons.first().click();
}

test("the Keys page verifies the committed key set and names a key added outside this browser", async ({ page }) => {
  await startWithKey(page, "tier1");
  await expect(page.getByTestId("key-set-check")).toHaveAttribute("data-outcome", /clean|warnings/, { timeout: 30_000 });
  await markAllKnown(page);
  await keySetOutcome(page, "clean");
  await expect(page.getByTestId("key-set-check")).toContainText("against the operator's signature only");
  await shot(page, "key-set-clean");

  // A further maker key, registered without this browser: the new key signs, the admin key cosigns.
  const added = identityFor("org_pearl", new Uint8Array(randomBytes(32)));
  const body = { orgId: "org_pearl", orgName: "Pearl River Assembly Ltd.", role: "supplier" as const, publicKeyHex: added.publicKeyHex, keyId: added.keyId, keyRole: "maker" as const, holderUserId: "usr_pearl_1" };
  const wire = toWire(buildSigned(added, "key.register", body, { nonce: randomBytes(16).toString("hex"), createdAtMs: Date.now(), cosigners: [pearlAdmin] }));
  const response = await page.request.post("/api/trpc/ledger.submit", { data: { json: wire } });
  expect(response.ok(), await response.text()).toBe(true);

  await page.reload();
  await keySetOutcome(page, "warnings");
  const warning = page.getByTestId(`unknown-key-${added.keyId}`);
  await expect(warning).toBeVisible();
  await expect(page.getByText("1 key of your organisation on the ledger is not known to this browser")).toBeVisible();
  await shot(page, "key-set-unknown-key");
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, "key-set-unknown-key-390");

  await page.setViewportSize({ width: 1280, height: 800 });
  await warning.getByRole("button", { name: "I have checked: this key is known" }).click();
  await keySetOutcome(page, "clean");
});

test.describe("in Chinese", () => {
  test.use({ locale: "zh-CN" });
  test("the key-set check reads in Chinese", async ({ page }) => {
    await page.goto("/signin");
    await page.getByLabel("工作邮箱").fill("tier1@demo.doublechain.cn");
    await page.getByLabel("密码").fill("doublechain-demo");
    await page.getByRole("button", { name: "登录", exact: true }).click();
    await page.waitForURL("**/dashboard");
    await page.goto("/keys");
    await keySetOutcome(page, "warnings");
    await expect(page.getByTestId("key-set-check")).toContainText("本浏览器不认识");
    await shot(page, "key-set-zh");
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, "key-set-zh-390");
    await page.goto("/settings/sign-in");
    await expect(page.getByRole("heading", { level: 1, name: "登录方式" })).toBeVisible();
    await expect(page.getByText("还没有登录用通行密钥")).toBeVisible();
    await shot(page, "sign-in-settings-zh-390");
    await page.setViewportSize({ width: 1280, height: 800 });
    await shot(page, "sign-in-settings-zh");
  });
});
