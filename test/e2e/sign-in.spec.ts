import { test } from "@playwright/test";
import { expect, shot, signIn } from "./helpers";

const ROLES = [
  { login: "operator", org: "Double-chain Operations", role: "Platform operator", dashboard: "operator", heading: "Platform operations" },
  { login: "core", org: "Huaxin Electronics Co., Ltd.", role: "Core enterprise", dashboard: "core_enterprise", heading: "Credit and issued claims" },
  { login: "tier1", org: "Pearl River Assembly Ltd.", role: "Supplier", dashboard: "supplier", heading: "Your receivables" },
  { login: "tier2", org: "Lingnan PCB Manufacturing Co.", role: "Supplier", dashboard: "supplier", heading: "Your receivables" },
  { login: "tier3", org: "Chengdu Xinyuan Components", role: "Supplier", dashboard: "supplier", heading: "Your receivables" },
  { login: "bank", org: "China Merchants Trade Bank", role: "Lender", dashboard: "lender", heading: "Financing desk" },
  { login: "factor", org: "Greater Bay Factoring Co.", role: "Lender", dashboard: "lender", heading: "Financing desk" },
  { login: "auditor", org: "Zhengxin Audit & Assurance", role: "Auditor", dashboard: "auditor", heading: "Audit overview" },
];

for (const r of ROLES) {
  test(`${r.login} signs in and sees the ${r.dashboard} dashboard`, async ({ page }) => {
    await signIn(page, r.login);
    await page.waitForURL("**/dashboard");
    await expect(page.getByTestId(`dashboard-${r.dashboard}`)).toBeVisible();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(r.heading);
    await expect(page.getByTestId("header-org")).toHaveText(r.org);
    await expect(page.getByTestId("header-role")).toContainText(r.role);
    await shot(page, `dashboard-${r.login}`);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("**/signin");
  });
}

test.describe("before the page is interactive", () => {
  test.use({ javaScriptEnabled: false });
  test("the browser submits the sign-in form by POST, never putting the password in the address", async ({ page }) => {
    await page.goto("/signin");
    await page.getByLabel("Work email").fill("tier1@demo.doublechain.cn");
    await page.getByLabel("Password").fill("a-password-that-must-not-leak");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForLoadState();
    expect(page.url()).not.toContain("a-password-that-must-not-leak");
    expect(new URL(page.url()).search).toBe("");
  });
});

test("a wrong password is refused with a clear message", async ({ page }) => {
  await signIn(page, "tier1", "not-the-password");
  await expect(page.getByRole("alert").filter({ hasText: /\S/ })).toHaveText("Wrong email or password. Check both and try again.");
  await expect(page).toHaveURL(/\/signin/);
  await shot(page, "signin-wrong-password");
});

test("pages behind sign-in send visitors to the sign-in page", async ({ page }) => {
  await page.goto("/dashboard");
  await page.waitForURL("**/signin");
  await expect(page.getByRole("heading", { name: "Sign in to Double-chain" })).toBeVisible();
});

test("the operator approves a pending organisation, whose admin then sees an approved dashboard", async ({ page }) => {
  await signIn(page, "pending");
  await page.waitForURL("**/dashboard");
  await expect(page.getByText("Your organisation is awaiting review")).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL("**/signin");

  await signIn(page, "operator");
  await page.waitForURL("**/dashboard");
  await page.getByRole("link", { name: "Organisations" }).first().click();
  const row = page.getByTestId("org-row-org_metalworks");
  await expect(row).toBeVisible();
  await shot(page, "operator-organisations");
  await row.getByRole("button", { name: "Approve" }).click();
  await expect(row).toHaveCount(0);
  await page.getByRole("tab", { name: "approved" }).click();
  await expect(page.getByTestId("org-row-org_metalworks")).toContainText("approved");
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL("**/signin");

  await signIn(page, "pending");
  await page.waitForURL("**/dashboard");
  await expect(page.getByText("Your organisation is awaiting review")).toHaveCount(0);
});
