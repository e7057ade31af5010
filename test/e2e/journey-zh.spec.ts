import { test, type Page } from "@playwright/test";
import { catalogue } from "./catalogue";
import { DEMO_PASSWORD, expect, shot } from "./helpers";

/*
 * The journey of issue #4 again, as the Chinese-speaking users it is built for see it (issue
 * 15): the browser asks for zh-CN, and every label is found by the words of the zh-CN
 * catalogue. Amounts are typed the way people write them (50万, 12万, 200元). The core
 * enterprise issues 500,000.00 to tier 1, which passes 120,000.00 to tier 2, which passes
 * 200.00 to the Chengdu vendor, who checks its provenance and is paid at once by the factor's
 * auto-financing policy. The amounts differ from journey.spec.ts so the two journeys never
 * pick each other's claims.
 */

test.describe.configure({ mode: "serial" });
test.use({ locale: "zh-CN" });

const t = catalogue("zh-CN");
const MATURITY = new Date(Date.now() + 120 * 86_400_000).toISOString().slice(0, 10);

async function signIn(page: Page, login: string): Promise<void> {
  await page.goto("/signin");
  await page.getByLabel(t("signin.email")).fill(`${login}@demo.doublechain.cn`);
  await page.getByLabel(t("signin.password")).fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: t("signin.submit"), exact: true }).click();
  await page.waitForURL("**/dashboard");
}

async function openNav(page: Page, key: string): Promise<void> {
  await page.getByRole("navigation", { name: t("shell.mainNavigation") }).getByRole("link", { name: t(key), exact: true }).click();
}

/** Signs in and makes sure this browser holds the organisation's demo key (helpers.ts startWithKey, in Chinese). */
async function startWithKey(page: Page, login: string): Promise<void> {
  await signIn(page, login);
  await openNav(page, "nav.keys");
  await page.waitForURL("**/keys");
  const useDemo = page.getByRole("button", { name: t("keys.none.useDemo") });
  await expect(useDemo.or(page.getByTestId("browser-key-status"))).toBeVisible();
  if (await useDemo.isVisible()) await useDemo.click();
  await expect(page.getByTestId("browser-key-status")).toHaveText(t("keys.status.registered"));
}

async function unlockIfAsked(page: Page, login: string): Promise<void> {
  const dialog = page.getByRole("dialog", { name: t("unlock.title") });
  const asked = await dialog.waitFor({ state: "visible", timeout: 5_000 }).then(
    () => true,
    () => false,
  );
  if (!asked) return;
  await dialog.getByLabel(t("unlock.passphrase")).fill(`demo-key-${login}`);
  await dialog.getByRole("button", { name: t("unlock.unlock"), exact: true }).click();
  await expect(dialog).toBeHidden({ timeout: 30_000 });
}

/** Accepts the offer of this amount in the inbox and returns the claim's id. */
async function acceptOffer(page: Page, login: string, amount: string, from: string): Promise<string> {
  await openNav(page, "nav.claims");
  await page.waitForURL("**/claims");
  const offer = page.getByTestId(/^inbox-/).filter({ hasText: amount }).first();
  await expect(offer).toBeVisible();
  const claimId = ((await offer.getAttribute("data-testid")) ?? "").replace("inbox-", "");
  await offer.getByRole("button", { name: t("claims.accept"), exact: true }).click();
  await unlockIfAsked(page, login);
  await expect(page.getByTestId("claims-notice")).toContainText(t("claims.accepted", { amount, name: from }));
  return claimId;
}

async function split(page: Page, login: string, holding: string, to: string, amountText: string, amountShown: string) {
  await openNav(page, "nav.claims");
  await page.waitForURL("**/claims");
  const row = page.getByTestId(/^holding-/).filter({ hasText: holding }).filter({ hasText: t("states.held") }).first();
  await row.getByRole("link", { name: t("claims.split") }).click();
  await page.waitForURL("**/split");
  await page.getByLabel(t("split.recipient", { part: 1 })).selectOption(to);
  await page.getByLabel(t("split.amountOf", { part: 1 })).fill(amountText);
  await page.getByRole("button", { name: t("split.preview") }).click();
  await expect(page.getByText(amountShown).first()).toBeVisible();
  await shot(page, `journey-zh-split-preview-${login}`);
  await page.getByRole("button", { name: t("split.sign") }).click();
  await unlockIfAsked(page, login);
  await page.waitForURL("**/claims?done=split");
  await expect(page.getByTestId("done-notice")).toContainText(t("claims.doneSplit"));
}

test("核心企业签发 50万 给一级供应商 (the core enterprise issues 500,000.00, typed as 50万)", async ({ page }) => {
  await startWithKey(page, "core");
  await openNav(page, "nav.issue");
  await page.waitForURL("**/issue");
  await page.getByLabel(t("issue.supplier")).selectOption("org_pearl");
  await page.getByLabel(t("issue.amount")).fill("50万");
  await expect(page.getByText(`${t("issue.capitals")}: 伍拾万元整`)).toBeVisible();
  await page.getByLabel(t("issue.maturity")).fill(MATURITY);
  await page.getByLabel(t("issue.reference")).fill("PO-2026-1203");
  await page.getByLabel(t("issue.file", { document: t("issue.documents.invoiceSha256") })).setInputFiles({ name: "发票.pdf", mimeType: "application/pdf", buffer: Buffer.from("发票 HX-2026-1203") });
  await page.getByRole("button", { name: t("issue.preview") }).click();
  const preview = page.getByTestId("issue-preview");
  await expect(preview).toContainText("¥500,000.00");
  await expect(page.getByTestId("issue-capitals")).toHaveText("伍拾万元整");
  await shot(page, "journey-zh-issue-preview");
  await page.getByRole("button", { name: t("issue.sign") }).click();
  await unlockIfAsked(page, "core");
  await page.waitForURL("**/issuances?done=issued");
  await expect(page.getByTestId("done-notice")).toContainText(t("issuances.doneIssued"));
  await expect(page.getByTestId(/^issuance-/).filter({ hasText: "¥500,000.00" }).filter({ hasText: t("issuances.awaitingAcceptance") })).toHaveCount(1);
  await shot(page, "journey-zh-issuances");
});

test("一级供应商签收，并将 12万 转给二级供应商 (tier 1 accepts and passes 120,000.00 to tier 2)", async ({ page }) => {
  await startWithKey(page, "tier1");
  await acceptOffer(page, "tier1", "¥500,000.00", "Huaxin Electronics Co., Ltd.");
  await split(page, "tier1", "¥500,000.00", "org_lingnan", "12万", "¥120,000.00");
  await expect(page.getByTestId(/^holding-/).filter({ hasText: "¥380,000.00" }).filter({ hasText: t("states.held") })).toHaveCount(1);
  await expect(page.getByTestId(/^holding-/).filter({ hasText: "¥120,000.00" })).toContainText(t("claims.offeredTo", { name: "Lingnan PCB Manufacturing Co." }));
  await shot(page, "journey-zh-tier1-after-split");
});

test("二级供应商签收，并将 200元 转给成都的三级供应商 (tier 2 passes 200.00, typed as 200元)", async ({ page }) => {
  await startWithKey(page, "tier2");
  await acceptOffer(page, "tier2", "¥120,000.00", "Pearl River Assembly Ltd.");
  await split(page, "tier2", "¥120,000.00", "org_xinyuan", "200元", "¥200.00");
  await expect(page.getByTestId(/^holding-/).filter({ hasText: "¥119,800.00" })).toHaveCount(1);
});

test("三级供应商签收，核验来源链，并凭自动融资方案当即收款 (tier 3 checks provenance and is paid for its 200.00)", async ({ page }) => {
  await startWithKey(page, "tier3");
  const claimId = await acceptOffer(page, "tier3", "¥200.00", "Lingnan PCB Manufacturing Co.");
  const held = () => page.getByTestId(`holding-${claimId}`);
  await expect(held()).toContainText(t("states.held"));
  await held().getByRole("link", { name: t("claims.provenance") }).click();
  await expect(page.getByTestId("provenance-ok")).toContainText(t("provenance.verified"), { timeout: 30_000 });
  const lineage = page.getByTestId("lineage");
  await expect(lineage).toContainText(`${t("provenance.steps.claim.issue")} · ¥500,000.00`);
  await expect(lineage).toContainText(t("provenance.signedBy", { name: "Huaxin Electronics Co., Ltd." }));
  await expect(lineage).toContainText(t("provenance.signedBy", { name: "Chengdu Xinyuan Components" }));
  await expect(page.getByTestId("claim-capitals")).toHaveText("贰佰元整");
  await shot(page, "journey-zh-provenance-green");

  await openNav(page, "nav.claims");
  await held().getByRole("link", { name: t("claims.finance") }).click();
  await page.waitForURL("**/finance");
  const offer = page.getByTestId("instant-offer-org_gbfactor");
  await expect(offer).toBeVisible();
  await shot(page, "journey-zh-instant-offer");
  await offer.getByRole("button", { name: t("finance.getPaid") }).click();
  await unlockIfAsked(page, "tier3");
  const [paidPrefix] = t("financing.autoPaid").split("{");
  await expect(page.getByTestId("auto-notice")).toContainText(paidPrefix as string, { timeout: 30_000 });
  await expect(page.getByTestId("auto-notice")).toContainText("Greater Bay Factoring Co.");
  await shot(page, "journey-zh-paid");
});
