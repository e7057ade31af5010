// Takes screenshots of the main pages for each demo role, in Chinese and in English:
// `npx tsx scripts/screenshots.ts [baseUrl] [outDir] [locales, e.g. zh-CN,en]`.
// The browser asks for each language through Accept-Language; sign-in goes by field ids,
// which do not change with the language.
import { chromium } from "playwright-core";
import { openPlanned, ROLE_PAGES, signInByIds } from "./screenshot-plan";

const base = process.argv[2] ?? "http://localhost:3000";
const out = process.argv[3] ?? "test-results/screenshots";
const locales = (process.argv[4] ?? "zh-CN,en").split(",");
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
for (const locale of locales) {
  const anonymous = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale });
  await anonymous.goto(`${base}/signin`);
  await anonymous.screenshot({ path: `${out}/${locale}/signin.png` });
  for (const [login, entries] of Object.entries(ROLE_PAGES)) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale });
    await signInByIds(page, base, login);
    for (const entry of entries) {
      const name = await openPlanned(page, base, entry);
      await page.screenshot({ path: `${out}/${locale}/${login}_${name}.png`, fullPage: true });
    }
    await page.close();
  }
  const mobile = await browser.newPage({ viewport: { width: 390, height: 844 }, locale });
  await mobile.goto(`${base}/signin`);
  await mobile.screenshot({ path: `${out}/${locale}/signin-mobile.png` });
}
await browser.close();
console.log(`Screenshots in ${out}`);
