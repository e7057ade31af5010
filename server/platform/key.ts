import { createHash, randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { platformKeys, signingKeys } from "@/db/schema";
import { bytesToHex, hexToBytes } from "@/contracts/hex";
import { keyIdFor, publicKeyFromPrivate } from "@/contracts/signing";
import { OPERATOR_KEY_ROLES, type OperatorKeyRole } from "@/contracts/ledger/types";

/**
 * The platform operator's own Ed25519 key: it signs checkpoints and co-signs key
 * registrations after onboarding review. It is the platform's key, not a user's; users'
 * private keys never reach the server. OPERATOR_SIGNING_KEY_HEX (a 32-byte seed) wins when
 * set (production keeps it in a secret store); otherwise one is generated once and kept in
 * the database so every process of one deployment signs with the same key.
 */
export interface PlatformKey {
  keyId: string;
  privateKey: Uint8Array;
  publicKey: Uint8Array;
  publicKeyHex: string;
}

// Deriving the public key costs a scalar multiplication; every submission needs the key, so
// each private key is derived once per process.
const derived = new Map<string, PlatformKey>();

function fromPrivate(privateKey: Uint8Array): PlatformKey {
  const cacheKey = bytesToHex(privateKey);
  const cached = derived.get(cacheKey);
  if (cached) return cached;
  const publicKey = publicKeyFromPrivate(privateKey);
  const key = { keyId: keyIdFor(publicKey), privateKey, publicKey, publicKeyHex: bytesToHex(publicKey) };
  derived.set(cacheKey, key);
  return key;
}

/** The stored key of each database (a process may serve several: the tests), read once: the key never changes under a running process. */
const storedKeys = new WeakMap<object, PlatformKey>();

export async function loadPlatformKey(db: DbOrTx, env: NodeJS.ProcessEnv = process.env): Promise<PlatformKey> {
  if (env.OPERATOR_SIGNING_KEY_HEX) return fromPrivate(hexToBytes(env.OPERATOR_SIGNING_KEY_HEX, 32));
  const cached = storedKeys.get(db);
  if (cached) return cached;
  const key = await loadStoredKey(db);
  storedKeys.set(db, key);
  return key;
}

async function loadStoredKey(db: DbOrTx): Promise<PlatformKey> {
  const [row] = await db.select().from(platformKeys).limit(1);
  if (row) return fromPrivate(hexToBytes(row.privateKeyHex, 32));
  const key = fromPrivate(new Uint8Array(randomBytes(32)));
  await db
    .insert(platformKeys)
    .values({ keyId: key.keyId, privateKeyHex: bytesToHex(key.privateKey), publicKeyHex: key.publicKeyHex, createdAtMs: Date.now() })
    .onConflictDoNothing();
  // Two processes racing here: the first insert wins and both use the stored key.
  const [stored] = await db.select().from(platformKeys).limit(1);
  return stored ? fromPrivate(hexToBytes(stored.privateKeyHex, 32)) : key;
}

/** The environment variable that holds the operator's private key of each role (a 32-byte seed, hex). */
export const OPERATOR_ROLE_KEY_ENV = {
  checkpoint: "OPERATOR_CHECKPOINT_KEY_HEX",
  onboarding: "OPERATOR_ONBOARDING_KEY_HEX",
  overdue: "OPERATOR_OVERDUE_KEY_HEX",
} as const satisfies { [R in OperatorKeyRole]: string };

/**
 * The operator's key of `role` (contracts/ledger/roles.ts OPERATOR_ROLE_DUTIES): from its
 * environment variable (OPERATOR_ROLE_KEY_ENV; production requires it, production-guard.ts),
 * else derived from the operator's admin key (loadPlatformKey) by a hash naming the role, so a
 * demo or a development database has distinct keys per role without storing more secrets.
 * Derived once per process like every key here.
 */
export async function loadOperatorRoleKey(db: DbOrTx, role: OperatorKeyRole, env: NodeJS.ProcessEnv = process.env): Promise<PlatformKey> {
  const fromEnv = env[OPERATOR_ROLE_KEY_ENV[role]];
  if (fromEnv) return fromPrivate(hexToBytes(fromEnv, 32));
  const admin = await loadPlatformKey(db, env);
  const seed = createHash("sha256").update(`double-chain operator ${role} key v1\u0000`).update(admin.privateKey).digest();
  return fromPrivate(new Uint8Array(seed));
}

/** Every operator role key, in OPERATOR_KEY_ROLES order. */
export async function loadOperatorRoleKeys(db: DbOrTx, env: NodeJS.ProcessEnv = process.env): Promise<Record<OperatorKeyRole, PlatformKey>> {
  const keys = await Promise.all(OPERATOR_KEY_ROLES.map((role) => loadOperatorRoleKey(db, role, env)));
  return Object.fromEntries(OPERATOR_KEY_ROLES.map((role, index) => [role, keys[index]!])) as Record<OperatorKeyRole, PlatformKey>;
}

/**
 * The key the operator signs a duty of `role` with: its role key once the ledger holds an
 * active key of that role for the operator, else its admin key, which holds every role the
 * operator has no key for (contracts/ledger/roles.ts operatorKeysFor). A ledger written before
 * the roles existed keeps working; one whose role key is not ours has the transaction refused.
 */
export async function operatorKeyFor(db: DbOrTx, operatorOrgId: string, role: OperatorKeyRole, env: NodeJS.ProcessEnv = process.env): Promise<PlatformKey> {
  return (await hasActiveOperatorKey(db, operatorOrgId, role)) ? loadOperatorRoleKey(db, role, env) : loadPlatformKey(db, env);
}

/** Whether the ledger (as `db` sees it: a transaction sees its own block) holds an active operator key of `role`. */
export async function hasActiveOperatorKey(db: DbOrTx, operatorOrgId: string, role: OperatorKeyRole): Promise<boolean> {
  const [registered] = await db
    .select({ keyId: signingKeys.keyId })
    .from(signingKeys)
    .where(and(eq(signingKeys.orgId, operatorOrgId), eq(signingKeys.role, role), eq(signingKeys.status, "active")))
    .limit(1);
  return registered !== undefined;
}
