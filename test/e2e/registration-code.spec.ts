import { test } from "@playwright/test";
import { expect, signIn } from "./helpers";

/*
 * The unified social credit code (GB 32100 check character) is checked where it is typed: at
 * sign-up, and at onboarding, where the operator approves with the code from the licence.
 * Either way the reason shows under the field.
 */
test("a wrong check character is named under the field at sign-up and at onboarding, and a right code onboards", async ({ page }) => {
  const suffix = Date.now().toString(36);
  const orgName = `Shunde Hinges ${suffix}`;

  await page.goto("/apply");
  const code = page.getByLabel("Unified social credit code");
  await code.fill("91350100M000100Y44");
  await code.blur();
  await expect(page.locator("#registrationNumber-error")).toHaveText("The check character does not match: check the code against the business licence.");
  await expect(code).toHaveAttribute("aria-invalid", "true");
  // Left empty (the code is optional when applying), the application goes through.
  await code.fill("");
  await page.getByLabel("Organisation name").fill(orgName);
  await page.getByLabel("Your name").fill("Mai Lan");
  await page.getByLabel("Work email").fill(`mai.lan.${suffix}@shunde-hinges.cn`);
  await page.getByLabel("Password").fill("shunde-hinges-2026");
  await page.getByRole("button", { name: "Send application" }).click();
  await expect(page.getByText("Application received")).toBeVisible();

  await signIn(page, "operator");
  await page.waitForURL("**/dashboard");
  await page.goto("/operator/organisations");
  const row = page.getByRole("row").filter({ hasText: orgName });
  await row.getByRole("button", { name: "Approve" }).click();
  await expect(row).toContainText("Enter the unified social credit code from the business licence");
  const licenceCode = row.getByLabel(`Unified social credit code of ${orgName}, from its business licence`);
  await licenceCode.fill("91350100M000100Y44");
  await row.getByRole("button", { name: "Approve" }).click();
  await expect(row).toContainText("The check character does not match");
  await licenceCode.fill("91350100M000100Y43");
  await row.getByRole("button", { name: "Approve" }).click();
  await page.getByRole("tab", { name: "approved" }).click();
  await expect(page.getByRole("row").filter({ hasText: orgName })).toContainText("91350100M000100Y43");
});
