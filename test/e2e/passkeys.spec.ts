import { test, type CDPSession, type Page } from "@playwright/test";
import { expect, openNav, shot, signOut, startWithKey, unlockIfAsked } from "./helpers";

/*
 * A person signs with a passkey, driven through Chromium's virtual authenticator (the
 * DevTools WebAuthn domain): user verification is on, as a fingerprint reader's would be.
 * Browsers refuse an IP address as a passkey's rpId, so this spec opens the app on
 * localhost, which scripts/e2e-server.mjs names as the deployment's WebAuthn site.
 */

const PORT = Number(process.env.E2E_PORT ?? 3210);
test.use({ baseURL: `http://localhost:${PORT}` });

const MATURITY = new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10);
const AMOUNT = "¥4,321.00";

interface VirtualCredential {
  credentialId: string;
  signCount: number;
}

async function virtualAuthenticator(page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return { cdp, authenticatorId };
}

async function credentials(cdp: CDPSession, authenticatorId: string): Promise<VirtualCredential[]> {
  return (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials;
}

async function issueToTier1(page: Page) {
  await startWithKey(page, "core");
  await openNav(page, "Issue a claim");
  await page.waitForURL("**/issue");
  await page.getByLabel("Tier-1 supplier").selectOption("org_pearl");
  await page.getByLabel("Amount (CNY)").fill("4,321.00");
  await page.getByLabel("Maturity date").fill(MATURITY);
  await page.getByLabel("Document reference").fill("PO-PASSKEY-1");
  await page.getByLabel("Invoice file").setInputFiles({ name: "invoice.pdf", mimeType: "application/pdf", buffer: Buffer.from(`Invoice passkey ${Date.now()}`) });
  await page.getByRole("button", { name: "Preview" }).click();
  await page.getByRole("button", { name: "Sign and issue" }).click();
  await unlockIfAsked(page, "core");
  await page.waitForURL("**/issuances?done=issued");
  await signOut(page);
}

test("an admin registers a passkey as a signing key, confirms it with the organisation's key, and accepts a claim with it", async ({ page }) => {
  const { cdp, authenticatorId } = await virtualAuthenticator(page);
  await issueToTier1(page);

  // Tier 1's admin holds the organisation's demo key, and creates a passkey beside it: the
  // authenticator makes it, then signs its registration (proof of possession).
  await startWithKey(page, "tier1");
  const panel = page.getByTestId("passkey-panel");
  await panel.getByRole("button", { name: "Create a passkey and request registration" }).click();
  await expect(panel.getByText("An admin of your organisation confirms it")).toBeVisible();
  await expect(panel.getByTestId("passkey-status")).toHaveText("Waiting for an admin's confirmation");
  const keyId = (await panel.getByTestId("passkey-key-id").textContent())?.trim() ?? "";
  expect(keyId).toMatch(/^[0-9a-f]{32}$/);
  // One credential, used so far to make it and to sign its registration.
  const [credential, ...others] = await credentials(cdp, authenticatorId);
  expect(others).toHaveLength(0);
  const signedSoFar = credential?.signCount ?? 0;
  expect(signedSoFar).toBeGreaterThan(0);
  await shot(page, "passkey-requested");

  // A further key of the organisation is confirmed by one of its active keys (the demo key).
  await page.getByTestId(`org-key-${keyId}`).getByRole("button", { name: "Confirm with my key" }).click();
  await unlockIfAsked(page, "tier1");
  await expect(panel.getByTestId("passkey-status")).toHaveText("Registered on the ledger");
  await expect(page.getByTestId(`org-key-${keyId}`)).toContainText("Active");
  await shot(page, "passkey-registered");

  // Accepting the offer is signed with the passkey: the authenticator signs once more.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Claims" }).click();
  await page.waitForURL("**/claims");
  const offer = page.getByTestId(/^inbox-/).filter({ hasText: AMOUNT }).first();
  await offer.getByRole("button", { name: "Accept" }).click();
  await expect(page.getByTestId("claims-notice")).toContainText(`Accepted ${AMOUNT}`);
  expect((await credentials(cdp, authenticatorId))[0]?.signCount).toBe(signedSoFar + 1);

  // The ledger's own record: the acceptance's signer is the passkey, and it carries the assertion.
  const response = await page.request.get("/api/ledger/entries?start=0&end=1000");
  const { entries } = (await response.json()) as { entries: { signed: { transaction: { type: string; signer: { keyId: string } }; assertion?: { clientDataJSONHex: string } } }[] };
  const accepted = entries.filter((entry) => entry.signed.transaction.type === "claim.accept" && entry.signed.transaction.signer.keyId === keyId);
  expect(accepted).toHaveLength(1);
  const clientData = JSON.parse(Buffer.from(accepted[0]!.signed.assertion!.clientDataJSONHex, "hex").toString("utf8")) as { type: string; origin: string };
  expect(clientData).toMatchObject({ type: "webauthn.get", origin: `http://localhost:${PORT}` });

  // The same passkey signs the admin in, without the password.
  await signOut(page);
  // Sign-out lands on NEXTAUTH_URL's host (127.0.0.1), which has no passkeys: back to localhost.
  await page.goto("/signin");
  await page.getByRole("button", { name: "Use a passkey instead" }).click();
  await page.waitForURL("**/dashboard");
  expect((await credentials(cdp, authenticatorId))[0]?.signCount).toBe(signedSoFar + 2);
  await openNav(page, "Signing keys");
  await expect(page.getByTestId("passkey-key-id")).toHaveText(keyId);
  await shot(page, "passkey-signed-in");

  // Settings > Sign-in lists the passkey that signed in; it is renamed, then removed after a confirmation.
  await openNav(page, "Sign-in");
  await page.waitForURL("**/settings/sign-in");
  const row = page.getByTestId("sign-in-passkey");
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId("passkey-name")).toHaveText("Unnamed passkey");
  await expect(row).toContainText("last used");
  await row.getByRole("button", { name: "Rename" }).click();
  await row.getByLabel("Name").fill("Virtual authenticator");
  await row.getByRole("button", { name: "Save" }).click();
  await expect(row.getByTestId("passkey-name")).toHaveText("Virtual authenticator");
  await shot(page, "sign-in-passkeys");
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, "sign-in-passkeys-390");
  await page.setViewportSize({ width: 1280, height: 800 });
  await row.getByRole("button", { name: "Remove" }).click();
  await expect(page.getByRole("alertdialog", { name: "Remove the passkey “Virtual authenticator”?" })).toBeVisible();
  await shot(page, "sign-in-passkey-remove");
  await page.getByRole("button", { name: "Remove it" }).click();
  await expect(page.getByText("No sign-in passkeys yet")).toBeVisible();
});

test("a passkey the site does not know does not sign anyone in", async ({ page }) => {
  const { cdp, authenticatorId } = await virtualAuthenticator(page);
  await page.goto("/signin");
  // A discoverable credential for this site that was never registered with the server.
  const privateKey = await page.evaluate(async () => {
    const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign"]);
    const pkcs8 = await crypto.subtle.exportKey("pkcs8", pair.privateKey);
    return btoa(String.fromCharCode(...new Uint8Array(pkcs8)));
  });
  await cdp.send("WebAuthn.addCredential", {
    authenticatorId,
    credential: { credentialId: Buffer.from("unknown-passkey-1").toString("base64"), isResidentCredential: true, rpId: "localhost", privateKey, userHandle: Buffer.from("nobody").toString("base64"), signCount: 0 },
  });
  await page.getByRole("button", { name: "Use a passkey instead" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "This passkey was not accepted here" })).toBeVisible();
  await expect(page).toHaveURL(/\/signin/);
});
