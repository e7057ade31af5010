/**
 * The organisation's trust policy and the last checkpoint this browser accepted, kept in
 * IndexedDB (issue 13). The policy is set by an admin on the Trust page, out of band, and is
 * never taken from a response being verified; changing it is an explicit act on that page.
 * The last accepted checkpoint is what a newer one must prove consistency with.
 *
 * One record per organisation (a browser shared by two organisations' users keeps both apart).
 */
import { acceptedCheckpointSchema, trustPolicyFileSchema, type AcceptedCheckpoint, type TrustPolicyFile } from "@/contracts/trust-policy";

const DATABASE = "double-chain-trust";
const STORE = "trust";

export interface StoredTrust {
  orgId: string;
  policy: TrustPolicyFile | null;
  /** When the policy was pinned, and by whom (an email), for the page to show. */
  pinnedAtMs: number | null;
  pinnedBy: string | null;
  lastAccepted: AcceptedCheckpoint | null;
}

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "orgId" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("IndexedDB unavailable"));
  });
}

async function run<T>(mode: IDBTransactionMode, action: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const database = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const request = action(database.transaction(STORE, mode).objectStore(STORE));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error("IndexedDB request failed"));
    });
  } finally {
    database.close();
  }
}

/** The stored record, re-validated: a record that no longer parses counts as none. */
export async function loadTrust(orgId: string): Promise<StoredTrust> {
  const empty: StoredTrust = { orgId, policy: null, pinnedAtMs: null, pinnedBy: null, lastAccepted: null };
  const raw = (await run("readonly", (store) => store.get(orgId))) as Partial<StoredTrust> | undefined;
  if (raw === undefined) return empty;
  const policy = trustPolicyFileSchema.safeParse(raw.policy);
  const lastAccepted = acceptedCheckpointSchema.safeParse(raw.lastAccepted);
  return {
    orgId,
    policy: policy.success ? policy.data : null,
    pinnedAtMs: typeof raw.pinnedAtMs === "number" ? raw.pinnedAtMs : null,
    pinnedBy: typeof raw.pinnedBy === "string" ? raw.pinnedBy : null,
    lastAccepted: lastAccepted.success ? lastAccepted.data : null,
  };
}

async function save(record: StoredTrust): Promise<void> {
  await run("readwrite", (store) => store.put(record));
}

/**
 * Pins a policy (the admin's explicit act). The last accepted checkpoint is kept: a new policy
 * must not become a way to forget what this browser already saw of the same log.
 */
export async function pinPolicy(orgId: string, policy: TrustPolicyFile, pinnedBy: string): Promise<StoredTrust> {
  const current = await loadTrust(orgId);
  const record = { ...current, policy, pinnedAtMs: Date.now(), pinnedBy };
  await save(record);
  return record;
}

/** Remembers a checkpoint the browser accepted; never goes back to a smaller one. */
export async function rememberAccepted(orgId: string, accepted: AcceptedCheckpoint): Promise<void> {
  const current = await loadTrust(orgId);
  if (current.lastAccepted !== null && current.lastAccepted.origin === accepted.origin && current.lastAccepted.size >= accepted.size) return;
  await save({ ...current, lastAccepted: accepted });
}
