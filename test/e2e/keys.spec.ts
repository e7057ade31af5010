import { test, type Page } from "@playwright/test";
import { expect, shot, signIn, signOut } from "./helpers";

const TIER1_DEMO_KEY_ID = "55b775030dd4669d4f3ac15e498ed4dc";

async function openSigningKeys(page: Page) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Signing keys" }).click();
  await page.waitForURL("**/keys");
  await expect(page.getByRole("heading", { level: 1, name: "Signing keys" })).toBeVisible();
}

async function signInAs(page: Page, email: string, password: string) {
  await page.goto("/signin");
  await page.getByLabel("Work email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL("**/dashboard");
}

test("tier 1 uses the demo key, which is registered, and unlocks it with its passphrase", async ({ page }) => {
  // A controllable clock (running at normal speed until fast-forwarded) for the idle lock.
  await page.clock.install();
  await signIn(page, "tier1");
  await page.waitForURL("**/dashboard");
  await openSigningKeys(page);
  await expect(page.getByText("No signing key in this browser")).toBeVisible();
  await expect(page.getByText("demo-key-tier1")).toBeVisible();
  await shot(page, "keys-no-key");

  await page.getByRole("button", { name: "Use the demo key" }).click();
  await expect(page.getByTestId("browser-key-id")).toHaveText(TIER1_DEMO_KEY_ID);
  await expect(page.getByTestId("browser-key-status")).toHaveText("Registered on the ledger");
  const row = page.getByTestId(`org-key-${TIER1_DEMO_KEY_ID}`);
  await expect(row).toContainText("Active");
  await expect(row).toContainText("this browser");
  await shot(page, "keys-demo-registered");

  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download backup file" }).click();
  expect((await download).suggestedFilename()).toBe(`double-chain-key-org_pearl-${TIER1_DEMO_KEY_ID.slice(0, 8)}.json`);

  // The unlock dialog: labelled, focus kept inside, Esc cancels.
  await page.getByRole("button", { name: "Unlock", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Unlock your signing key" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel("Passphrase")).toBeFocused();
  for (let i = 0; i < 5; i++) {
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.closest("dialog") !== null)).toBe(true);
  }
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(page.getByText("Locked", { exact: true })).toBeVisible();

  await page.getByRole("button", { name: "Unlock", exact: true }).click();
  await dialog.getByLabel("Passphrase").fill("demo-key-tier2");
  await dialog.getByRole("button", { name: "Unlock" }).click();
  await expect(dialog.getByRole("alert")).toHaveText(/^Wrong passphrase/);
  await shot(page, "keys-unlock-wrong-passphrase");
  await dialog.getByLabel("Passphrase").fill("demo-key-tier1");
  await dialog.getByRole("button", { name: "Unlock" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText("Unlocked", { exact: true })).toBeVisible();
  await shot(page, "keys-demo-unlocked");

  // Fifteen minutes without activity forget the unlocked key.
  await page.clock.fastForward("14:00");
  await expect(page.getByText("Unlocked", { exact: true })).toBeVisible();
  await page.clock.fastForward("01:30");
  await expect(page.getByText("Locked", { exact: true })).toBeVisible();

  // Signing out forgets the unlocked key; the encrypted key stays in this browser.
  await signOut(page);
  await signIn(page, "tier1");
  await page.waitForURL("**/dashboard");
  await openSigningKeys(page);
  await expect(page.getByTestId("browser-key-id")).toHaveText(TIER1_DEMO_KEY_ID);
  await expect(page.getByText("Locked", { exact: true })).toBeVisible();
});

test("a new organisation's admin creates a key in the browser and the operator approves it", async ({ page }) => {
  const suffix = Date.now().toString(36);
  const orgName = `Foshan Castings ${suffix}`;
  const email = `li.hua.${suffix}@foshan-castings.cn`;
  const password = "foshan-castings-2026";
  const passphrase = "copper kiln river lantern";

  await page.goto("/apply");
  await page.getByLabel("Organisation name").fill(orgName);
  await page.getByLabel("City").fill("Foshan");
  await page.getByLabel("Unified social credit code").fill("91350100M000100Y43");
  await page.getByLabel("Your name").fill("Li Hua");
  await page.getByLabel("Work email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Send application" }).click();
  await expect(page.getByText("Application received")).toBeVisible();

  await signIn(page, "operator");
  await page.waitForURL("**/dashboard");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Organisations" }).click();
  await page.getByRole("row").filter({ hasText: orgName }).getByRole("button", { name: "Approve" }).click();
  await expect(page.getByRole("row").filter({ hasText: orgName })).toHaveCount(0);
  await signOut(page);

  await signInAs(page, email, password);
  await openSigningKeys(page);
  await expect(page.getByRole("button", { name: "Use the demo key" })).toHaveCount(0);
  await expect(page.getByText("No keys yet")).toBeVisible();
  await page.getByRole("button", { name: "Create a key" }).click();
  await page.getByLabel("Passphrase", { exact: true }).fill("too short");
  await page.getByLabel("Repeat the passphrase").fill("too shorter");
  await page.getByRole("button", { name: "Create key and request registration" }).click();
  await expect(page.getByText("Use at least 12 characters")).toBeVisible();
  await expect(page.getByText("The two passphrases differ.")).toBeVisible();
  await shot(page, "keys-create-form-errors");

  await page.getByLabel("Passphrase", { exact: true }).fill(passphrase);
  await page.getByLabel("Repeat the passphrase").fill(passphrase);
  await page.getByRole("button", { name: "Create key and request registration" }).click();
  const progress = page.getByRole("progressbar", { name: "Encrypting the key (scrypt)" });
  await expect(progress).toBeVisible();
  await expect(page.getByText("waiting for operator approval")).toBeVisible();
  await expect(progress).toHaveAttribute("aria-valuenow", "100");
  await shot(page, "keys-create-progress");
  await page.getByRole("button", { name: "Done" }).click();
  await expect(page.getByTestId("browser-key-status")).toHaveText("Waiting for operator approval");
  const keyId = (await page.getByTestId("browser-key-id").textContent())?.trim() ?? "";
  expect(keyId).toMatch(/^[0-9a-f]{32}$/);
  await expect(page.getByTestId(`org-key-${keyId}`)).toContainText("Waiting for approval");
  await shot(page, "keys-waiting-for-approval");
  await signOut(page);

  await signIn(page, "operator");
  await page.waitForURL("**/dashboard");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Key requests" }).click();
  await page.waitForURL("**/operator/keys");
  const request = page.getByTestId(`key-request-${keyId}`);
  await expect(request).toContainText(orgName);
  await expect(request).toContainText("Li Hua");
  await shot(page, "keys-operator-queue");
  await request.getByRole("button", { name: "Approve" }).click();
  await expect(page.getByText(/is registered on the ledger \(leaf \d+\)/)).toBeVisible();
  await expect(request).toHaveCount(0);
  await shot(page, "keys-operator-approved");
  await signOut(page);

  await signInAs(page, email, password);
  await openSigningKeys(page);
  await expect(page.getByTestId("browser-key-status")).toHaveText("Registered on the ledger");
  await expect(page.getByTestId(`org-key-${keyId}`)).toContainText("Active");
  await shot(page, "keys-new-org-registered");
  // Removing the key asks first; the ledger keeps the registration.
  await page.getByRole("button", { name: "Remove from this browser" }).click();
  await page.getByRole("button", { name: "Remove it" }).click();
  await expect(page.getByText("No signing key in this browser")).toBeVisible();
  await expect(page.getByTestId(`org-key-${keyId}`)).toContainText("Active");
});

test("restoring a backup of another organisation's key is refused", async ({ page }) => {
  await signIn(page, "tier2");
  await page.waitForURL("**/dashboard");
  await openSigningKeys(page);
  const response = await page.request.get("/demo-keys/tier1.json");
  await page.getByLabel("Restore from a backup file").setInputFiles({ name: "tier1.json", mimeType: "application/json", buffer: Buffer.from(await response.body()) });
  await expect(page.getByRole("alert").filter({ hasText: /belongs to organisation org_pearl/ })).toBeVisible();
  await expect(page.getByText("No signing key in this browser")).toBeVisible();
  await shot(page, "keys-restore-wrong-org");
});
