// Takes screenshots of the main pages for each demo role, in Chinese and in English:
// `npx tsx scripts/screenshots.ts [baseUrl] [outDir] [locales, e.g. zh-CN,en]`.
// The browser asks for each language through Accept-Language; sign-in goes by field ids,
// which do not change with the language.
import { chromium } from "playwright-core";

const base = process.argv[2] ?? "http://localhost:3000";
const out = process.argv[3] ?? "test-results/screenshots";
const locales = (process.argv[4] ?? "zh-CN,en").split(",");
const logins = ["operator", "core", "tier1", "tier3", "bank", "auditor"];
const pages: Record<string, string[]> = {
  operator: ["/dashboard", "/operator/organisations", "/settings/users"],
  tier1: ["/dashboard", "/claims", "/financing", "/nowhere"],
  core: ["/dashboard", "/issue", "/issuances"],
  bank: ["/dashboard", "/financing"],
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
for (const locale of locales) {
  const anonymous = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale });
  await anonymous.goto(`${base}/signin`);
  await anonymous.screenshot({ path: `${out}/${locale}/signin.png` });
  for (const login of logins) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale });
    await page.goto(`${base}/signin`);
    await page.locator("#email").fill(`${login}@demo.doublechain.cn`);
    await page.locator("#password").fill("doublechain-demo");
    await page.locator("form button[type=submit]").click();
    await page.waitForURL("**/dashboard");
    for (const path of pages[login] ?? ["/dashboard"]) {
      await page.goto(`${base}${path}`);
      await page.waitForLoadState("networkidle");
      await page.screenshot({ path: `${out}/${locale}/${login}${path.replaceAll("/", "_")}.png`, fullPage: true });
    }
    await page.close();
  }
  const mobile = await browser.newPage({ viewport: { width: 390, height: 844 }, locale });
  await mobile.goto(`${base}/signin`);
  await mobile.screenshot({ path: `${out}/${locale}/signin-mobile.png` });
}
await browser.close();
console.log(`Screenshots in ${out}`);
