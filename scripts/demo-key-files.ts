/**
 * Writes the demo organisations' signing keys as encrypted backup files, in exactly the
 * browser keystore's format (app/_lib/keystore.ts), to public/demo-keys/<login>.json:
 * `npx tsx scripts/demo-key-files.ts [--force]`.
 *
 * The demo keys are derived from a public label (server/seed/ledger-seed.ts demoIdentity),
 * and the seed registers them on the ledger, so these files protect nothing: they let a
 * demo user sign in any browser, through the same unlock path as a real key. The passphrase
 * of <login>.json is `demo-key-<login>`.
 *
 * Salts and IVs are random, so a rewrite changes every byte; an existing file that still
 * decrypts to the right key under its passphrase is therefore kept unless --force is given,
 * which keeps `git diff` empty on reruns.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { decryptKeyFile, encryptPrivateKey, parseKeyFileText, serializeKeyFile } from "@/app/_lib/keystore";
import { DEMO_ORGS } from "@/server/seed/demo-data";
import { demoApproverIdentity, demoIdentity } from "@/server/seed/ledger-seed";

const OUTPUT_DIR = path.join(process.cwd(), "public", "demo-keys");
/** Organisations that sign: the operator signs with the platform key, the auditor only reads. */
const SIGNING_ROLES = new Set(["core_enterprise", "supplier", "lender"]);

const demoPassphrase = (login: string) => `demo-key-${login}`;

/** login (the local part of the email) -> organisation and key, for every demo organisation's admin that signs, and its approver if it has one. */
function demoKeyLogins(): { login: string; orgId: string; orgName: string; identity: ReturnType<typeof demoIdentity> }[] {
  return DEMO_ORGS.filter((org) => org.status === "approved" && SIGNING_ROLES.has(org.role)).flatMap((org) => {
    const admin = org.users.find((user) => user.permission === "admin");
    const approver = org.users.find((user) => user.permission === "approver");
    return [
      ...(admin ? [{ login: admin.email.split("@")[0]!, orgId: org.id, orgName: org.name, identity: demoIdentity(org.id) }] : []),
      ...(approver ? [{ login: approver.email.split("@")[0]!, orgId: org.id, orgName: org.name, identity: demoApproverIdentity(org.id) }] : []),
    ];
  });
}

async function isCurrent(file: string, login: string, keyId: string): Promise<boolean> {
  if (!existsSync(file)) return false;
  try {
    const stored = parseKeyFileText(readFileSync(file, "utf8"));
    const identity = await decryptKeyFile(stored, demoPassphrase(login));
    return stored.keyId === keyId && identity.keyId === keyId;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const force = process.argv.includes("--force");
  mkdirSync(OUTPUT_DIR, { recursive: true });
  for (const { login, orgId, orgName, identity } of demoKeyLogins()) {
    const file = path.join(OUTPUT_DIR, `${login}.json`);
    if (!force && (await isCurrent(file, login, identity.keyId))) {
      console.log(`  ${login}.json  kept     ${orgId} ${identity.keyId}`);
      continue;
    }
    const keyFile = await encryptPrivateKey(identity.privateKey, {
      orgId,
      passphrase: demoPassphrase(login),
      label: `Demo key of ${orgName} (public, for the demo only)`,
      createdAtMs: Date.now(),
    });
    writeFileSync(file, serializeKeyFile(keyFile));
    console.log(`  ${login}.json  written  ${orgId} ${identity.keyId}`);
  }
}

await main();
