import { randomBytes } from "node:crypto";
import type { DbOrTx } from "@/db/client";
import { platformKeys } from "@/db/schema";
import { bytesToHex, hexToBytes } from "@/contracts/hex";
import { keyIdFor, publicKeyFromPrivate } from "@/contracts/signing";

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

// A stored key is never changed or deleted once written (nothing here updates platform_keys), so
// each database handle reads it once: ledger.operatorKey and every co-signature then cost no
// round trip (issue 17). A transaction's handle is a new object, so inside one it is read again.
const storedFor = new WeakMap<object, PlatformKey>();

export async function loadPlatformKey(db: DbOrTx, env: NodeJS.ProcessEnv = process.env): Promise<PlatformKey> {
  if (env.OPERATOR_SIGNING_KEY_HEX) return fromPrivate(hexToBytes(env.OPERATOR_SIGNING_KEY_HEX, 32));
  const known = storedFor.get(db);
  if (known) return known;
  const [row] = await db.select().from(platformKeys).limit(1);
  if (row) {
    const key = fromPrivate(hexToBytes(row.privateKeyHex, 32));
    storedFor.set(db, key);
    return key;
  }
  const key = fromPrivate(new Uint8Array(randomBytes(32)));
  await db
    .insert(platformKeys)
    .values({ keyId: key.keyId, privateKeyHex: bytesToHex(key.privateKey), publicKeyHex: key.publicKeyHex, createdAtMs: Date.now() })
    .onConflictDoNothing();
  // Two processes racing here: the first insert wins and both use the stored key.
  const [stored] = await db.select().from(platformKeys).limit(1);
  return stored ? fromPrivate(hexToBytes(stored.privateKeyHex, 32)) : key;
}
