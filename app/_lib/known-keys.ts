/**
 * The keys of its organisation this browser knows (issue 14): the Keys page checks the
 * committed key set against them and warns about any other. Kept per organisation in local
 * storage, beside the key file; a key enters when an admin confirms it here, or when the person
 * marks it known after checking with its holder. The browser's own key and passkey are known
 * without being listed. Nothing here is sent to the server: it is this browser's memory, so the
 * operator cannot add to it.
 */
import { z } from "zod";
import type { KeyStorage } from "./keystore";

const knownKeysSchema = z.array(z.string().min(1).max(128)).max(1000);

export function knownKeysStorageKey(orgId: string): string {
  return `double-chain.known-keys.${orgId}`;
}

/** The stored key ids; an entry that no longer parses counts as none. */
export function loadKnownKeys(storage: KeyStorage, orgId: string): Set<string> {
  const text = storage.getItem(knownKeysStorageKey(orgId));
  if (text === null) return new Set();
  try {
    const parsed = knownKeysSchema.safeParse(JSON.parse(text));
    return new Set(parsed.success ? parsed.data : []);
  } catch {
    return new Set();
  }
}

export function rememberKnownKeys(storage: KeyStorage, orgId: string, keyIds: readonly string[]): Set<string> {
  const known = loadKnownKeys(storage, orgId);
  for (const keyId of keyIds) known.add(keyId);
  storage.setItem(knownKeysStorageKey(orgId), JSON.stringify([...known].sort()));
  return known;
}
