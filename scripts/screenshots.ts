// Takes screenshots of the main pages for each demo role: `npx tsx scripts/screenshots.ts [baseUrl] [outDir]`.
import { chromium } from "playwright-core";

const base = process.argv[2] ?? "http://localhost:3000";
const out = process.argv[3] ?? "test-results/screenshots";
const logins = ["operator", "core", "tier1", "tier3", "bank", "auditor"];
const pages: Record<string, string[]> = { operator: ["/dashboard", "/operator/organisations", "/settings/users"] };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const anonymous = await browser.newPage({ viewport: { width: 1280, height: 800 } });
await anonymous.goto(`${base}/signin`);
await anonymous.screenshot({ path: `${out}/signin.png` });
for (const login of logins) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${base}/signin`);
  await page.getByLabel("Work email").fill(`${login}@demo.doublechain.cn`);
  await page.getByLabel("Password").fill("doublechain-demo");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL("**/dashboard");
  for (const path of pages[login] ?? ["/dashboard"]) {
    await page.goto(`${base}${path}`);
    await page.waitForLoadState("networkidle");
    await page.screenshot({ path: `${out}/${login}${path.replaceAll("/", "_")}.png`, fullPage: true });
  }
  await page.close();
}
const mobile = await browser.newPage({ viewport: { width: 390, height: 844 } });
await mobile.goto(`${base}/signin`);
await mobile.screenshot({ path: `${out}/signin-mobile.png` });
await browser.close();
console.log(`Screenshots in ${out}`);
