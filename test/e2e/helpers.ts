import { expect, type Page } from "@playwright/test";

export const DEMO_PASSWORD = "doublechain-demo";

export async function signIn(page: Page, login: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto("/signin");
  await page.getByLabel("Work email").fill(`${login}@demo.doublechain.cn`);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
}

export { expect };

/**
 * Signs in and makes sure this browser holds the organisation's demo signing key (encrypted
 * under demo-key-<login>). The key stays in the browser between sign-ins, so it is imported
 * only the first time.
 */
export async function startWithKey(page: Page, login: string): Promise<void> {
  await signIn(page, login);
  await page.waitForURL("**/dashboard");
  await openNav(page, "Signing keys");
  await page.waitForURL("**/keys");
  const useDemo = page.getByRole("button", { name: "Use the demo key" });
  await expect(useDemo.or(page.getByTestId("browser-key-status"))).toBeVisible();
  if (await useDemo.isVisible()) await useDemo.click();
  await expect(page.getByTestId("browser-key-status")).toHaveText("Registered on the ledger");
}

/** Answers the unlock dialog with the demo passphrase when signing asks for it. */
export async function unlockIfAsked(page: Page, login: string): Promise<void> {
  const dialog = page.getByRole("dialog", { name: "Unlock your signing key" });
  const asked = await dialog.waitFor({ state: "visible", timeout: 5_000 }).then(
    () => true,
    () => false,
  );
  if (!asked) return;
  await dialog.getByLabel("Passphrase").fill(`demo-key-${login}`);
  await dialog.getByRole("button", { name: "Unlock" }).click();
  await expect(dialog).toBeHidden({ timeout: 30_000 });
}

export async function openNav(page: Page, label: string): Promise<void> {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: label }).click();
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL("**/signin");
}
