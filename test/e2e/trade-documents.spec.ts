import { createHash } from "node:crypto";
import { test, type Page } from "@playwright/test";
import { expect, shot, signIn } from "./helpers";

/*
 * Trade documents that can be checked: the issuance's page shows the SHA-256 of its invoice,
 * purchase contract and delivery note, and a file dropped on it is hashed in the browser and
 * compared with them. The seed's main invoice is the text below (server/seed/ledger-seed.ts
 * DEMO_INVOICE_TEXT), so a file holding exactly that text is the invoice.
 */
const INVOICE_TEXT = "Invoice HX-2026-0418: 2,000 mainboard assemblies";

/** Drops a file on the drop zone the way a browser does: a drop event whose DataTransfer holds it. */
async function dropFile(page: Page, name: string, text: string): Promise<void> {
  const transfer = await page.evaluateHandle(
    ([fileName, content]) => {
      const data = new DataTransfer();
      data.items.add(new File([content], fileName, { type: "text/plain" }));
      return data;
    },
    [name, text] as const,
  );
  const zone = page.getByTestId("trade-document-drop");
  await zone.dispatchEvent("dragover", { dataTransfer: transfer });
  await zone.dispatchEvent("drop", { dataTransfer: transfer });
}

test("a dropped invoice that matches is named, one that does not is refused with its own hash", async ({ page }) => {
  await signIn(page, "core");
  await page.waitForURL("**/dashboard");
  await page.goto("/issuances");
  // The seed's issuance of 1,000,000.00 whose invoice is INVOICE_TEXT: other specs (the journey) issue the same amount with other documents.
  const hrefs = await page.getByTestId(/^issuance-/).filter({ hasText: "¥1,000,000.00" }).locator('a[href^="/issuances/c_"]').evaluateAll((links) => links.map((link) => link.getAttribute("href")!));
  const expected = createHash("sha256").update(INVOICE_TEXT).digest("hex");
  const invoiceHash = page.getByTestId("document-hash-invoiceSha256");
  let found = false;
  for (const href of hrefs) {
    await page.goto(href);
    await expect(invoiceHash).toHaveText(/^[0-9a-f]{64}$/);
    if ((await invoiceHash.textContent()) === expected) {
      found = true;
      break;
    }
  }
  expect(found, "the seed's issuance with the demo invoice is listed").toBe(true);
  const documents = page.getByTestId("trade-documents");
  await expect(documents).toContainText("Purchase contract");

  await dropFile(page, "HX-2026-0418.txt", INVOICE_TEXT);
  const result = page.getByTestId("trade-document-result");
  await expect(result).toContainText("HX-2026-0418.txt matches the Invoice on the ledger");
  await expect(documents.getByText("Matches", { exact: true })).toHaveCount(1);
  await shot(page, "trade-documents-match");

  // One character changed (a re-typed total): another fingerprint, matching none.
  await dropFile(page, "HX-2026-0418-edited.txt", INVOICE_TEXT.replace("2,000", "2,001"));
  await expect(result).toContainText("HX-2026-0418-edited.txt matches none of these documents");
  await expect(result).toContainText(/[0-9a-f]{64}/);
  await expect(documents.getByText("Matches", { exact: true })).toHaveCount(0);
  await shot(page, "trade-documents-no-match");

  // Picking the file instead of dropping it checks it the same way.
  await page.getByLabel("File to check against the trade documents").setInputFiles({ name: "invoice.txt", mimeType: "text/plain", buffer: Buffer.from(INVOICE_TEXT) });
  await expect(result).toContainText("invoice.txt matches the Invoice on the ledger");
});

test("a tier-2 holder checks a file against its piece's issuance on the claim page, in Chinese", async ({ browser }) => {
  const context = await browser.newContext({ locale: "zh-CN" });
  const page = await context.newPage();
  await page.goto("/signin");
  await page.getByLabel("工作邮箱").fill("tier2@demo.doublechain.cn");
  await page.getByLabel("密码").fill("doublechain-demo");
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await page.waitForURL("**/dashboard");
  await page.goto("/claims");
  await page.locator('a[href^="/claims/c_"]:not([href$="/split"]):not([href$="/finance"])').first().click();
  await page.waitForURL(/\/claims\/c_/);
  const documents = page.getByTestId("trade-documents");
  await expect(documents).toContainText("采购合同");
  await expect(page.getByTestId("document-hash-invoiceSha256")).toHaveText(/^[0-9a-f]{64}$/);
  await dropFile(page, "不相关.txt", "not the invoice");
  await expect(page.getByTestId("trade-document-result")).toContainText("不相关.txt 与以上单据均不一致");
  await shot(page, "trade-documents-zh-no-match");
  await context.close();
});
