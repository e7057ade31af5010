/**
 * The browser's keystore: a user's Ed25519 signing key, kept encrypted under a passphrase.
 *
 * The private key is generated here (crypto.getRandomValues) and never leaves the browser
 * unencrypted: it is stored in localStorage, and exported as a backup file, only as
 * AES-GCM ciphertext under a key that scrypt derives from the passphrase. The server only
 * ever sees the public key and signatures.
 *
 * Key file (version 1), the same in localStorage and in a backup file:
 *
 *   { version: 1, orgId, keyId, publicKeyHex,
 *     kdf: { name: "scrypt", N, r, p, saltHex },            // 16-byte random salt
 *     cipher: { name: "AES-GCM", ivHex, ciphertextHex },    // 12-byte random IV; 32-byte key + 16-byte tag
 *     createdAtMs, label }
 *
 * scrypt hashes the UTF-8 bytes of the NFKC-normalised passphrase into a 32-byte AES-256
 * key. AES-GCM's tag is what tells a wrong passphrase from a right one. The encryption
 * functions use only WebCrypto and @noble/hashes, so they also run in Node (the demo key
 * script and the tests); the storage functions take a `KeyStorage`, localStorage by default.
 */
import { scryptAsync } from "@noble/hashes/scrypt.js";
import { z } from "zod";
import { buildSigned, identityFor, toWire, type SigningIdentity } from "@/contracts/client";
import { bytesToHex, hexToBytes, isLowerHex, utf8ToBytes } from "@/contracts/hex";
import { keyIdSchema, orgIdSchema, publicKeyHexSchema, type WireSignedTransaction } from "@/contracts/ledger/schema";
import type { KeyRole, OrganisationRole } from "@/contracts/ledger/types";
import { generatePrivateKey, keyIdFor } from "@/contracts/signing";

export const KEY_FILE_VERSION = 1;
/**
 * 128 MiB of memory per derivation (N = 2^17, r = 8): a second or two in a browser, and four
 * times the cost of the earlier 2^15 for anyone guessing passphrases of a stolen key file.
 * Files name their own parameters, so keys encrypted under 2^15 still open.
 */
export const SCRYPT_PARAMS = { N: 2 ** 17, r: 8, p: 1 } as const;
export const MIN_PASSPHRASE_LENGTH = 12;
export const MAX_LABEL_LENGTH = 200;

const PRIVATE_KEY_BYTES = 32;
const SALT_BYTES = 16;
const IV_BYTES = 12;
const GCM_TAG_BYTES = 16;
/** A key file names its own scrypt cost, so a hostile file must not make the browser allocate gigabytes. */
const MAX_SCRYPT_MEMORY_BYTES = 256 * 1024 * 1024;

export type KeystoreErrorCode =
  | "no_key"
  | "wrong_passphrase"
  | "passphrase_too_short"
  | "invalid_key_file"
  | "damaged_key_file"
  | "wrong_organisation"
  | "key_already_stored"
  | "storage_unavailable"
  | "crypto_unavailable";

/**
 * An expected failure of the keystore; `message` is written for the person at the keyboard
 * (in English), and the interface shows the catalogue's words for `code` with `params`
 * (app/_lib/errors.ts, messages/*.json keystore).
 */
export class KeystoreError extends Error {
  constructor(
    readonly code: KeystoreErrorCode,
    message: string,
    readonly params: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = "KeystoreError";
  }
}

/** Called with the fraction (0..1) of the scrypt derivation done. */
export type ProgressListener = (fraction: number) => void;

function lowerHex(minBytes: number, maxBytes = minBytes) {
  return z.string().regex(new RegExp(`^(?:[0-9a-f]{2}){${minBytes},${maxBytes}}$`), `expected ${minBytes === maxBytes ? minBytes : `${minBytes}-${maxBytes}`} bytes of lowercase hex`);
}

const isPowerOfTwo = (value: number) => value > 1 && (value & (value - 1)) === 0;

const kdfSchema = z
  .object({
    name: z.literal("scrypt"),
    N: z.int().min(2 ** 14).max(2 ** 20).refine(isPowerOfTwo, "N must be a power of two"),
    r: z.int().min(1).max(32),
    p: z.int().min(1).max(16),
    saltHex: lowerHex(SALT_BYTES, 64),
  })
  .strict()
  .refine((kdf) => 128 * kdf.N * kdf.r <= MAX_SCRYPT_MEMORY_BYTES, "scrypt parameters need too much memory");

const cipherSchema = z
  .object({
    name: z.literal("AES-GCM"),
    ivHex: lowerHex(IV_BYTES),
    ciphertextHex: lowerHex(PRIVATE_KEY_BYTES + GCM_TAG_BYTES),
  })
  .strict();

export const keyFileSchema = z
  .object({
    version: z.literal(KEY_FILE_VERSION),
    orgId: orgIdSchema,
    keyId: keyIdSchema,
    publicKeyHex: publicKeyHexSchema,
    kdf: kdfSchema,
    cipher: cipherSchema,
    createdAtMs: z.int().min(0),
    label: z.string().max(MAX_LABEL_LENGTH),
  })
  .strict()
  .refine((file) => isLowerHex(file.publicKeyHex, 32) && keyIdFor(hexToBytes(file.publicKeyHex, 32)) === file.keyId, {
    message: "keyId does not name publicKeyHex",
    path: ["keyId"],
  });

export type KeyFile = z.infer<typeof keyFileSchema>;

// ---------------------------------------------------------------------------------------
// Randomness and WebCrypto.

function webCrypto(): Crypto {
  const candidate = globalThis.crypto;
  if (!candidate?.subtle || typeof candidate.getRandomValues !== "function") {
    throw new KeystoreError("crypto_unavailable", "This browser does not offer WebCrypto here. Open Double-chain over https (or on localhost) in a current browser.");
  }
  return candidate;
}

export function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  return webCrypto().getRandomValues(new Uint8Array(length));
}

/** 16 random bytes as 32 lowercase hex characters: the nonce of a ledger transaction. */
export function randomNonce(): string {
  return bytesToHex(randomBytes(16));
}

/** A fresh signing identity for `orgId`; its private key exists only in this page's memory. */
export function generateIdentity(orgId: string): SigningIdentity & { publicKeyHex: string } {
  const seed = randomBytes(PRIVATE_KEY_BYTES);
  const identity = identityFor(orgId, generatePrivateKey(seed));
  seed.fill(0);
  return identity;
}

/** Why `passphrase` is not acceptable for a new key, or null. */
export function passphraseProblem(passphrase: string): string | null {
  if ([...passphrase.normalize("NFKC")].length < MIN_PASSPHRASE_LENGTH) {
    return `Use at least ${MIN_PASSPHRASE_LENGTH} characters; a few unrelated words are easy to remember and hard to guess.`;
  }
  return null;
}

async function deriveAesKey(passphrase: string, kdf: KeyFile["kdf"], onProgress?: ProgressListener): Promise<CryptoKey> {
  const salt = hexToBytes(kdf.saltHex);
  const derived = await scryptAsync(utf8ToBytes(passphrase.normalize("NFKC")), salt, {
    N: kdf.N,
    r: kdf.r,
    p: kdf.p,
    dkLen: 32,
    maxmem: MAX_SCRYPT_MEMORY_BYTES + 4096,
    ...(onProgress ? { onProgress } : {}),
  });
  try {
    return await webCrypto().subtle.importKey("raw", new Uint8Array(derived), { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
  } finally {
    derived.fill(0);
  }
}

// ---------------------------------------------------------------------------------------
// Encrypting and decrypting key files (pure apart from randomness; runs in Node too).

export interface EncryptOptions {
  orgId: string;
  passphrase: string;
  label: string;
  createdAtMs: number;
  onProgress?: ProgressListener;
  /** Test and script hook; browsers always use SCRYPT_PARAMS. */
  scrypt?: { N: number; r: number; p: number };
}

/** Encrypts a 32-byte Ed25519 private key into a key file. */
export async function encryptPrivateKey(privateKey: Uint8Array, options: EncryptOptions): Promise<KeyFile> {
  const problem = passphraseProblem(options.passphrase);
  if (problem) throw new KeystoreError("passphrase_too_short", problem);
  const identity = identityFor(options.orgId, privateKey);
  const params = options.scrypt ?? SCRYPT_PARAMS;
  const kdf = { name: "scrypt" as const, N: params.N, r: params.r, p: params.p, saltHex: bytesToHex(randomBytes(SALT_BYTES)) };
  const aesKey = await deriveAesKey(options.passphrase, kdf, options.onProgress);
  const iv = randomBytes(IV_BYTES);
  const ciphertext = await webCrypto().subtle.encrypt({ name: "AES-GCM", iv }, aesKey, new Uint8Array(privateKey));
  return parseKeyFile({
    version: KEY_FILE_VERSION,
    orgId: options.orgId,
    keyId: identity.keyId,
    publicKeyHex: identity.publicKeyHex,
    kdf,
    cipher: { name: "AES-GCM", ivHex: bytesToHex(iv), ciphertextHex: bytesToHex(new Uint8Array(ciphertext)) },
    createdAtMs: options.createdAtMs,
    label: options.label.trim().slice(0, MAX_LABEL_LENGTH),
  });
}

/**
 * Decrypts a key file into a signing identity. A wrong passphrase fails AES-GCM's tag check
 * and is reported as such; a file whose key does not match its own keyId is damaged.
 */
export async function decryptKeyFile(file: KeyFile, passphrase: string, onProgress?: ProgressListener): Promise<SigningIdentity> {
  const aesKey = await deriveAesKey(passphrase, file.kdf, onProgress);
  let plaintext: Uint8Array;
  try {
    const iv = hexToBytes(file.cipher.ivHex, IV_BYTES);
    const decrypted = await webCrypto().subtle.decrypt({ name: "AES-GCM", iv: new Uint8Array(iv) }, aesKey, new Uint8Array(hexToBytes(file.cipher.ciphertextHex)));
    plaintext = new Uint8Array(decrypted);
  } catch {
    throw new KeystoreError("wrong_passphrase", "Wrong passphrase. Check it and try again (it is case-sensitive).");
  }
  if (plaintext.length !== PRIVATE_KEY_BYTES) {
    plaintext.fill(0);
    throw new KeystoreError("damaged_key_file", "The key file is damaged: it does not hold a 32-byte key.");
  }
  const identity = identityFor(file.orgId, plaintext);
  if (identity.keyId !== file.keyId || identity.publicKeyHex !== file.publicKeyHex) {
    plaintext.fill(0);
    throw new KeystoreError("damaged_key_file", `The key file is damaged: its key is not key ${file.keyId}.`, { keyId: file.keyId });
  }
  return { orgId: identity.orgId, keyId: identity.keyId, privateKey: identity.privateKey };
}

/** Validates a key file (from storage, a backup or the network); throws invalid_key_file. */
export function parseKeyFile(json: unknown): KeyFile {
  const parsed = keyFileSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const first = parsed.error.issues[0];
  const detail = first?.path.length ? `${first.path.join(".")}: ${first.message}` : (first?.message ?? "");
  throw new KeystoreError("invalid_key_file", `This is not a Double-chain key file${detail ? ` (${detail})` : ""}.`, detail ? { detail } : {});
}

export function parseKeyFileText(text: string): KeyFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new KeystoreError("invalid_key_file", "This is not a Double-chain key file (it is not JSON).", { detail: "not_json" });
  }
  return parseKeyFile(json);
}

/** The backup file's contents: the key file as readable JSON. */
export function serializeKeyFile(file: KeyFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

export function backupFileName(file: KeyFile): string {
  return `double-chain-key-${file.orgId}-${file.keyId.slice(0, 8)}.json`;
}

/** Saves the (encrypted) key file through the browser's download dialog. */
export function downloadKeyFile(file: KeyFile): void {
  const url = URL.createObjectURL(new Blob([serializeKeyFile(file)], { type: "application/json" }));
  const anchor = document.createElement("a");
  anchor.href = url;
  anchor.download = backupFileName(file);
  anchor.rel = "noopener";
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  // Revoking at once can cancel the download in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// ---------------------------------------------------------------------------------------
// The key registration a new key signs for itself.

export interface OrganisationProfile {
  orgId: string;
  orgName: string;
  role: OrganisationRole;
  /** The person who will hold the key (the signed-in user) and the role the key gets on the ledger. */
  holderUserId: string;
  keyRole: KeyRole;
}

/**
 * key.register signed by the new key itself, for the ledger of `networkId`, in wire form (the
 * operator cosigns an organisation's first key on approval, an admin's key every later one).
 */
export function signKeyRegistration(identity: SigningIdentity, org: OrganisationProfile, nowMs: number, networkId: string): WireSignedTransaction {
  const { publicKeyHex, keyId } = identityFor(identity.orgId, identity.privateKey);
  const body = { orgId: org.orgId, orgName: org.orgName, role: org.role, publicKeyHex, keyId, keyRole: org.keyRole, holderUserId: org.holderUserId };
  return toWire(buildSigned(identity, "key.register", body, { networkId, nonce: randomNonce(), createdAtMs: nowMs }));
}

// ---------------------------------------------------------------------------------------
// Storage: one key per user (email) per browser.

/** The part of the Web Storage API the keystore uses, so tests can pass a Map-backed one. */
export type KeyStorage = Pick<Storage, "getItem" | "setItem" | "removeItem">;

export function storageKeyFor(email: string): string {
  return `double-chain:signing-key:v1:${email.trim().toLowerCase()}`;
}

function browserStorage(): KeyStorage {
  try {
    if (typeof window !== "undefined" && window.localStorage) return window.localStorage;
  } catch {
    // Some privacy modes throw on the very access to localStorage.
  }
  throw new KeystoreError("storage_unavailable", "This browser does not let Double-chain store data (private mode or blocked storage), so it cannot keep a signing key.");
}

export interface CreatedKey {
  file: KeyFile;
  /** The new key, unlocked: sign its registration with it, then let it go. */
  identity: SigningIdentity & { publicKeyHex: string };
}

/** One user's keystore in one browser. */
export interface Keystore {
  readonly storageKey: string;
  /** The stored key file, or null when there is none (or what is stored is unreadable). */
  load(): KeyFile | null;
  save(file: KeyFile): void;
  remove(): void;
  /** Generates, encrypts and stores a new key; refuses if one is already stored. */
  create(options: { orgId: string; passphrase: string; label: string; nowMs: number; onProgress?: ProgressListener }): Promise<CreatedKey>;
  /** Stores a backup file's key for this user; the passphrase is asked later, when signing. */
  importBackup(json: unknown, expectedOrgId: string): KeyFile;
  /** Decrypts the stored key; rejects with no key stored or a wrong passphrase. */
  unlock(passphrase: string, onProgress?: ProgressListener): Promise<SigningIdentity>;
}

export function openKeystore(email: string, storage?: KeyStorage): Keystore {
  const storageKey = storageKeyFor(email);
  const store = () => storage ?? browserStorage();
  const load = (): KeyFile | null => {
    const text = store().getItem(storageKey);
    if (text === null) return null;
    try {
      return parseKeyFileText(text);
    } catch {
      return null;
    }
  };
  const refuseIfStored = () => {
    const existing = load();
    if (existing) {
      throw new KeystoreError("key_already_stored", `This browser already holds your key ${existing.keyId}. Remove it first (download its backup before you do).`, { keyId: existing.keyId });
    }
  };
  const save = (file: KeyFile) => {
    try {
      store().setItem(storageKey, JSON.stringify(file));
    } catch (error) {
      if (error instanceof KeystoreError) throw error;
      throw new KeystoreError("storage_unavailable", "The browser refused to store the key (storage full or blocked).", { when: "write" });
    }
  };
  return {
    storageKey,
    load,
    save,
    remove: () => store().removeItem(storageKey),
    async create({ orgId, passphrase, label, nowMs, onProgress }) {
      refuseIfStored();
      const identity = generateIdentity(orgId);
      const file = await encryptPrivateKey(identity.privateKey, { orgId, passphrase, label, createdAtMs: nowMs, ...(onProgress ? { onProgress } : {}) });
      save(file);
      return { file, identity };
    },
    importBackup(json, expectedOrgId) {
      const file = parseKeyFile(json);
      if (file.orgId !== expectedOrgId) {
        throw new KeystoreError("wrong_organisation", `This key belongs to organisation ${file.orgId}, not to yours (${expectedOrgId}).`, { orgId: file.orgId, expectedOrgId });
      }
      const existing = load();
      if (existing?.keyId === file.keyId) return existing;
      refuseIfStored();
      save(file);
      return file;
    },
    async unlock(passphrase, onProgress) {
      const file = load();
      if (!file) throw new KeystoreError("no_key", "There is no signing key in this browser.");
      return decryptKeyFile(file, passphrase, onProgress);
    },
  };
}
