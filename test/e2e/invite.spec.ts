import { test } from "@playwright/test";
import { expect, signIn } from "./helpers";

/*
 * An admin invites a person and the person activates the account through the one-time link:
 * a password shorter than the rule is refused by its field, in words that say what to do,
 * before anything is sent; a valid one activates the account, which then signs in.
 */
test("an invited person sets a password: too short is refused by the field, then the account activates and signs in", async ({ page, browser }) => {
  const email = `invitee.${Date.now()}@tier1.example`;
  await signIn(page, "tier1");
  await page.waitForURL("**/dashboard");
  await page.goto("/settings/users");
  await page.getByLabel("Name").fill("Wu Mei");
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Create invitation" }).click();
  const link = (await page.getByTestId("invite-link").textContent())!.trim();
  expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]+$/);

  const invitee = await browser.newPage();
  await invitee.goto(link);
  const password = invitee.getByLabel("New password");
  await expect(invitee.getByText("you are invited to")).toBeVisible();
  await password.fill("short");
  await invitee.getByRole("button", { name: "Activate account" }).click();
  await expect(invitee.getByText("Use at least 10 characters: add a few more.")).toBeVisible();
  await expect(password).toHaveAttribute("aria-invalid", "true");
  await expect(invitee.getByText("Your account is active")).toHaveCount(0);

  await password.fill("wu-mei-tier1-2026");
  await invitee.getByRole("button", { name: "Activate account" }).click();
  await expect(invitee.getByText(`Your account is active. Sign in with ${email}.`)).toBeVisible();
  await invitee.getByRole("link", { name: "Go to sign in" }).click();
  await invitee.getByLabel("Work email").fill(email);
  await invitee.getByLabel("Password").fill("wu-mei-tier1-2026");
  await invitee.getByRole("button", { name: "Sign in", exact: true }).click();
  await invitee.waitForURL("**/dashboard");
  await invitee.close();
});
