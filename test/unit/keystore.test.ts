import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { identityFor } from "@/contracts/client";
import { decodeSignedTransaction } from "@/contracts/ledger/schema";
import { nobleVerifier } from "@/contracts/signing";
import { checkTransactionSignature } from "@/contracts/transaction";
import { hexToBytes } from "@/contracts/hex";
import { demoIdentity } from "@/server/seed/ledger-seed";
import {
  decryptKeyFile,
  encryptPrivateKey,
  KeystoreError,
  openKeystore,
  parseKeyFile,
  parseKeyFileText,
  passphraseProblem,
  SCRYPT_PARAMS,
  serializeKeyFile,
  signKeyRegistration,
  storageKeyFor,
  type KeyFile,
  type KeyStorage,
} from "@/app/_lib/keystore";

const PASSPHRASE = "correct horse battery staple";
const privateKey = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const expected = identityFor("org_pearl", privateKey);

function memoryStorage(): KeyStorage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
}

async function codeOf(promise: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof promise === "function" ? promise() : promise);
    return "OK";
  } catch (error) {
    if (error instanceof KeystoreError) return error.code;
    throw error;
  }
}

let sharedFile: Promise<KeyFile> | undefined;
const encrypted = () => (sharedFile ??= encryptPrivateKey(privateKey, { orgId: "org_pearl", passphrase: PASSPHRASE, label: "  Li Na's laptop ", createdAtMs: 1_800_000_000_000 }));

describe("key files", () => {
  it("encrypt with scrypt (N=2^15, r=8, p=1) and AES-GCM, in the documented format", async () => {
    const progress: number[] = [];
    const file = await encryptPrivateKey(privateKey, { orgId: "org_pearl", passphrase: PASSPHRASE, label: "x", createdAtMs: 1, onProgress: (f) => progress.push(f) });
    expect(Object.keys(file).sort()).toEqual(["cipher", "createdAtMs", "kdf", "keyId", "label", "orgId", "publicKeyHex", "version"]);
    expect(file).toMatchObject({ version: 1, orgId: "org_pearl", keyId: expected.keyId, publicKeyHex: expected.publicKeyHex, kdf: { name: "scrypt", ...SCRYPT_PARAMS }, cipher: { name: "AES-GCM" } });
    expect(file.kdf.saltHex).toMatch(/^[0-9a-f]{32}$/);
    expect(file.cipher.ivHex).toMatch(/^[0-9a-f]{24}$/);
    expect(file.cipher.ciphertextHex).toMatch(/^[0-9a-f]{96}$/);
    expect(serializeKeyFile(file)).not.toContain(Buffer.from(privateKey).toString("hex"));
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toBe(1);
  });

  it("decrypt with the right passphrase to the same identity", async () => {
    const file = await encrypted();
    expect(file.label).toBe("Li Na's laptop");
    const identity = await decryptKeyFile(file, PASSPHRASE);
    expect(identity).toEqual({ orgId: "org_pearl", keyId: expected.keyId, privateKey });
  });

  it("refuse a wrong passphrase through the AES-GCM tag", async () => {
    const error = await decryptKeyFile(await encrypted(), "correct horse battery stapler").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeystoreError);
    expect((error as KeystoreError).code).toBe("wrong_passphrase");
    expect((error as KeystoreError).message).toMatch(/^Wrong passphrase/);
  });

  it("detect a file whose ciphertext holds another key than it names", async () => {
    const file = await encrypted();
    const other = await encryptPrivateKey(new Uint8Array(32).fill(7), { orgId: "org_pearl", passphrase: PASSPHRASE, label: "", createdAtMs: 1 });
    const swapped = { ...other, keyId: file.keyId, publicKeyHex: file.publicKeyHex };
    expect(await codeOf(decryptKeyFile(swapped, PASSPHRASE))).toBe("damaged_key_file");
  });

  it("refuse passphrases under 12 characters", async () => {
    expect(passphraseProblem("short pass!")).toMatch(/at least 12/);
    expect(passphraseProblem("twelve chars")).toBeNull();
    expect(await codeOf(encryptPrivateKey(privateKey, { orgId: "org_pearl", passphrase: "short", label: "", createdAtMs: 1 }))).toBe("passphrase_too_short");
  });

  it.each([
    ["not JSON", "{", "invalid_key_file"],
    ["another version", { version: 2 }, "invalid_key_file"],
    ["uppercase hex", "upper", "invalid_key_file"],
    ["keyId of another key", "keyId", "invalid_key_file"],
    ["a memory bomb", "N", "invalid_key_file"],
    ["an extra field", "extra", "invalid_key_file"],
  ])("refuse %s", async (_name, change, code) => {
    const file = await encrypted();
    const variants: Record<string, unknown> = {
      upper: { ...file, publicKeyHex: file.publicKeyHex.toUpperCase() },
      keyId: { ...file, keyId: "0".repeat(32) },
      N: { ...file, kdf: { ...file.kdf, N: 2 ** 20, r: 32 } },
      extra: { ...file, privateKeyHex: "00" },
    };
    const input = typeof change === "string" && change in variants ? JSON.stringify(variants[change]) : typeof change === "string" ? change : JSON.stringify(change);
    expect(await codeOf(() => parseKeyFileText(input))).toBe(code);
  });

  it("round-trip through the backup text", async () => {
    const file = await encrypted();
    expect(parseKeyFileText(serializeKeyFile(file))).toEqual(file);
    expect(parseKeyFile(JSON.parse(serializeKeyFile(file)))).toEqual(file);
  });
});

describe("the per-user keystore", () => {
  it("keeps one key per user email, and unlocks it", async () => {
    const storage = memoryStorage();
    const keystore = openKeystore(" Tier1@Demo.DoubleChain.cn ", storage);
    expect(keystore.storageKey).toBe(storageKeyFor("tier1@demo.doublechain.cn"));
    expect(keystore.load()).toBeNull();
    expect(await codeOf(keystore.unlock(PASSPHRASE))).toBe("no_key");
    const created = await keystore.create({ orgId: "org_pearl", passphrase: PASSPHRASE, label: "laptop", nowMs: 5 });
    expect(keystore.load()).toEqual(created.file);
    expect(openKeystore("tier2@demo.doublechain.cn", storage).load()).toBeNull();
    const unlocked = await keystore.unlock(PASSPHRASE);
    expect(unlocked.keyId).toBe(created.identity.keyId);
    expect(unlocked.privateKey).toEqual(created.identity.privateKey);
    expect(await codeOf(keystore.create({ orgId: "org_pearl", passphrase: PASSPHRASE, label: "", nowMs: 6 }))).toBe("key_already_stored");
    keystore.remove();
    expect(keystore.load()).toBeNull();
  });

  it("imports a backup of the user's own organisation only", async () => {
    const file = await encrypted();
    const keystore = openKeystore("tier1@demo.doublechain.cn", memoryStorage());
    expect(await codeOf(() => keystore.importBackup(file, "org_lingnan"))).toBe("wrong_organisation");
    expect(keystore.importBackup(file, "org_pearl")).toEqual(file);
    expect(keystore.importBackup(file, "org_pearl")).toEqual(file);
    const other = await encryptPrivateKey(new Uint8Array(32).fill(9), { orgId: "org_pearl", passphrase: PASSPHRASE, label: "", createdAtMs: 1 });
    expect(await codeOf(() => keystore.importBackup(other, "org_pearl"))).toBe("key_already_stored");
  });

  it("treats unreadable stored data as no key", () => {
    const storage = memoryStorage();
    storage.setItem(storageKeyFor("a@b.cn"), "{broken");
    expect(openKeystore("a@b.cn", storage).load()).toBeNull();
  });
});

describe("signKeyRegistration", () => {
  it("builds a key.register signed by the new key itself, for the network it is given", () => {
    const identity = identityFor("org_pearl", privateKey);
    const wire = signKeyRegistration(identity, { orgId: "org_pearl", orgName: "Pearl River Assembly Ltd.", role: "supplier", holderUserId: "usr_pearl_2", keyRole: "maker" }, 1_800_000_000_000, "bank-pilot");
    const decoded = decodeSignedTransaction(wire);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.value.transaction).toMatchObject({ type: "key.register", networkId: "bank-pilot", signer: { orgId: "org_pearl", keyId: identity.keyId }, createdAtMs: 1_800_000_000_000 });
    expect(decoded.value.transaction.body).toEqual({ orgId: "org_pearl", orgName: "Pearl River Assembly Ltd.", role: "supplier", publicKeyHex: identity.publicKeyHex, keyId: identity.keyId, keyRole: "maker", holderUserId: "usr_pearl_2" });
    expect(decoded.value.cosignatures).toEqual([]);
    expect(checkTransactionSignature(decoded.value, hexToBytes(identity.publicKeyHex, 32), nobleVerifier).ok).toBe(true);
  });
});

describe("the demo key files in public/demo-keys", () => {
  it.each([
    ["core", "org_huaxin"],
    ["tier1", "org_pearl"],
    ["tier2", "org_lingnan"],
    ["tier3", "org_xinyuan"],
    ["bank", "org_cmtb"],
    ["factor", "org_gbfactor"],
  ])("%s.json holds the seed's key of %s, unlocked by the login's demo passphrase", async (login, orgId) => {
    const file = parseKeyFileText(readFileSync(path.join(process.cwd(), "public", "demo-keys", `${login}.json`), "utf8"));
    const expectedKey = demoIdentity(orgId);
    // The demo files were written under the earlier N = 2^15 (their passphrases are public
    // anyway); a file names its own cost, so they open as new 2^17 files do.
    expect(file).toMatchObject({ orgId, keyId: expectedKey.keyId, publicKeyHex: expectedKey.publicKeyHex, kdf: { N: 2 ** 15, r: 8, p: 1 } });
    expect(await decryptKeyFile(file, `demo-key-${login}`)).toEqual({ orgId, keyId: expectedKey.keyId, privateKey: expectedKey.privateKey });
  });
});
