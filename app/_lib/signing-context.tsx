"use client";

/**
 * The signed-in user's signing key, for the pages that sign ledger transactions.
 *
 * The encrypted key lives in localStorage (keystore.ts); once the user types the passphrase
 * the decrypted key lives only in this provider's memory, never in storage, state that
 * React could serialise, or the network. It is forgotten (and its bytes zeroed) on
 * `lock()`, after IDLE_TIMEOUT_MS without keyboard, pointer or touch activity, when the
 * session ends, when the stored key changes (another tab removed or replaced it), and when
 * the provider unmounts (sign-out navigates away from the app layout).
 *
 *   const signer = useSigner();
 *   const identity = await signer.requireIdentity({ reason: "to accept claim c_…" });
 *   const signed = buildSigned(identity, "claim.accept", body, { networkId: signer.networkId, nonce: randomNonce(), createdAtMs: Date.now() });
 *
 * `requireIdentity` resolves at once when the key is unlocked, and otherwise opens the
 * unlock dialog. It rejects with a SignerError whose message can be shown as is: "no_key"
 * (send the user to the Signing keys page), "wrong_organisation" or "cancelled". Use the
 * identity right away and do not keep it: locking zeroes the key.
 */
import { useSession } from "next-auth/react";
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, useSyncExternalStore, type ReactNode } from "react";
import { buildSigned, type SigningIdentity } from "@/contracts/client";
import { bytesToHex } from "@/contracts/hex";
import { signDigest } from "@/contracts/signing";
import type { Cosignature } from "@/contracts/transaction";
import type { SignedLedgerTransaction, TransactionBodies, TransactionType } from "@/contracts/ledger/types";
import { UnlockDialog } from "../_components/unlock-dialog";
import { openKeystore, parseKeyFileText, randomNonce, type KeyFile, type Keystore, type ProgressListener } from "./keystore";
import { cosignWithPasskey, passkeyRecordSchema, passkeyStorageKeyFor, removePasskey, savePasskey, signWithPasskey, type PasskeyRecord } from "./passkeys";

export const IDLE_TIMEOUT_MS = 15 * 60 * 1000;
/** Where a user without a key is sent. */
export const SIGNING_KEYS_PATH = "/keys";

export type SignerStatus = "loading" | "no_key" | "locked" | "unlocked";
export type SignerErrorCode = "no_key" | "wrong_organisation" | "cancelled" | "key_changed";

export class SignerError extends Error {
  constructor(
    readonly code: SignerErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "SignerError";
  }
}

export interface RequireIdentityOptions {
  /** Shown in the unlock dialog, e.g. "to accept claim c_1a2b…"; completes "Enter your passphrase …". */
  reason?: string;
}

export interface Signer {
  /** "loading" until the browser's storage has been read (server render and hydration). */
  status: SignerStatus;
  /** This browser's key for the signed-in user (encrypted), or null. */
  keyFile: KeyFile | null;
  /** The keystore of the signed-in user; its writes update `keyFile` at once. */
  keystore: Keystore;
  /** The unlocked identity, opening the unlock dialog if needed. */
  requireIdentity(options?: RequireIdentityOptions): Promise<SigningIdentity>;
  /** Forgets the unlocked key now. */
  lock(): void;
  /** The network (deployment) id the ledger is configured with: every transaction signed here names it. */
  networkId: string;
  /** This browser's passkey signing key for the signed-in user (public data only), or null. */
  passkey: PasskeyRecord | null;
  savePasskey(record: PasskeyRecord): void;
  removePasskey(): void;
  /**
   * Signs a ledger transaction with the user's key, whichever kind it is: the passkey when
   * this browser holds one for the user's organisation (the person verifies at the
   * authenticator), else the passphrase-protected Ed25519 key (unlocking it if needed).
   * Pages call this and need not know which.
   */
  sign<K extends TransactionType>(type: K, body: TransactionBodies[K], options?: RequireIdentityOptions): Promise<SignedLedgerTransaction<K>>;
  /**
   * Approves a transaction another person signed: a cosignature over its id (the 32-byte
   * digest) by the user's key, passkey or Ed25519 like `sign`. The caller decodes and shows the
   * transaction first, so the key signs what the person read.
   */
  cosign(digest: Uint8Array, options?: RequireIdentityOptions): Promise<Cosignature>;
}

const SigningContext = createContext<Signer | null>(null);

/** The signer of the nearest SigningProvider. */
export function useSigner(): Signer {
  const signer = useContext(SigningContext);
  if (!signer) throw new Error("useSigner() needs a <SigningProvider> above it (app/(app)/layout.tsx).");
  return signer;
}

interface ProviderProps {
  userEmail: string;
  orgId: string;
  /** The server's network id (server/network.ts ledgerNetworkId). */
  networkId: string;
  children: ReactNode;
  idleTimeoutMs?: number;
}

/**
 * Provides useSigner(). Mount it once around the signed-in pages; a nested provider defers
 * to the outer one, so a page may also wrap itself without splitting the unlocked key.
 */
export function SigningProvider(props: ProviderProps) {
  const outer = useContext(SigningContext);
  if (outer) return <>{props.children}</>;
  return <SigningProviderRoot {...props} />;
}

const LOCAL_CHANGE_EVENT = "double-chain:keystore-change";

function readStored(storageKey: string): string | null {
  try {
    return window.localStorage.getItem(storageKey);
  } catch {
    return null;
  }
}

function parseOrNull(text: string | null | undefined): KeyFile | null {
  if (text == null) return null;
  try {
    return parseKeyFileText(text);
  } catch {
    return null;
  }
}

/**
 * One local-storage entry's text as an external store (undefined until the browser has read it):
 * other tabs' writes arrive as storage events, this tab's as LOCAL_CHANGE_EVENT.
 */
function useStoredText(storageKey: string): string | null | undefined {
  const subscribe = useCallback(
    (onChange: () => void) => {
      const onStorage = (event: StorageEvent) => {
        if (event.key === null || event.key === storageKey) onChange();
      };
      window.addEventListener("storage", onStorage);
      window.addEventListener(LOCAL_CHANGE_EVENT, onChange);
      return () => {
        window.removeEventListener("storage", onStorage);
        window.removeEventListener(LOCAL_CHANGE_EVENT, onChange);
      };
    },
    [storageKey],
  );
  const text = useSyncExternalStore(subscribe, () => readStored(storageKey), () => undefined);
  return text;
}

/** The stored key file, read through useStoredText. */
function useStoredKeyFile(storageKey: string): { ready: boolean; keyFile: KeyFile | null } {
  const text = useStoredText(storageKey);
  const keyFile = useMemo(() => parseOrNull(text), [text]);
  return { ready: text !== undefined, keyFile };
}

/** The stored passkey record, read like the key file. */
function useStoredPasskey(storageKey: string): PasskeyRecord | null {
  const text = useStoredText(storageKey);
  return useMemo(() => {
    if (text == null) return null;
    try {
      const parsed = passkeyRecordSchema.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }, [text]);
}

/** The user's keystore, announcing its writes so every reader in this tab re-renders. */
function notifyingKeystore(base: Keystore): Keystore {
  const notify = () => window.dispatchEvent(new Event(LOCAL_CHANGE_EVENT));
  return {
    ...base,
    save(file) {
      base.save(file);
      notify();
    },
    remove() {
      base.remove();
      notify();
    },
    async create(options) {
      const created = await base.create(options);
      notify();
      return created;
    },
    importBackup(json, expectedOrgId) {
      const file = base.importBackup(json, expectedOrgId);
      notify();
      return file;
    },
  };
}

interface Waiter {
  resolve: (identity: SigningIdentity) => void;
  reject: (error: Error) => void;
}

interface PendingUnlock {
  keyFile: KeyFile;
  reason: string | undefined;
  waiters: Waiter[];
}

const ACTIVITY_EVENTS = ["pointerdown", "keydown", "touchstart", "wheel"] as const;
const IDLE_CHECK_INTERVAL_MS = 10_000;

function SigningProviderRoot({ userEmail, orgId, networkId, children, idleTimeoutMs = IDLE_TIMEOUT_MS }: ProviderProps) {
  const keystore = useMemo(() => notifyingKeystore(openKeystore(userEmail)), [userEmail]);
  const { ready, keyFile } = useStoredKeyFile(keystore.storageKey);
  const session = useSession();
  const signedOut = session.status === "unauthenticated";

  const identityRef = useRef<SigningIdentity | null>(null);
  const lastActivityRef = useRef(0);
  const pendingRef = useRef<PendingUnlock | null>(null);
  // The key file (as read from storage) that was unlocked: a new read of storage is a new
  // object, so a key removed and put back (or replaced) needs its passphrase again.
  const [unlockedFile, setUnlockedFile] = useState<KeyFile | null>(null);
  const [pending, setPending] = useState<PendingUnlock | null>(null);

  const forget = useCallback(() => {
    identityRef.current?.privateKey.fill(0);
    identityRef.current = null;
  }, []);

  const lock = useCallback(() => {
    forget();
    setUnlockedFile(null);
  }, [forget]);

  // The unlocked key counts only while it is still this browser's key and the session lives.
  const unlocked = unlockedFile !== null && unlockedFile === keyFile && !signedOut;
  const status: SignerStatus = !ready ? "loading" : !keyFile ? "no_key" : unlocked ? "unlocked" : "locked";

  useEffect(() => {
    if (!unlocked) forget();
  }, [unlocked, forget]);
  useEffect(
    () => () => {
      // Leaving the signed-in pages: forget the key and release anyone still waiting.
      forget();
      const waiting = pendingRef.current;
      pendingRef.current = null;
      for (const waiter of waiting?.waiters ?? []) waiter.reject(new SignerError("cancelled", "Signing was cancelled; nothing was sent."));
    },
    [forget],
  );

  useEffect(() => {
    if (!unlocked) return;
    const touch = () => {
      lastActivityRef.current = Date.now();
    };
    const check = () => {
      if (Date.now() - lastActivityRef.current >= idleTimeoutMs) lock();
    };
    for (const name of ACTIVITY_EVENTS) window.addEventListener(name, touch, { passive: true, capture: true });
    document.addEventListener("visibilitychange", check);
    const timer = window.setInterval(check, Math.min(IDLE_CHECK_INTERVAL_MS, idleTimeoutMs));
    return () => {
      for (const name of ACTIVITY_EVENTS) window.removeEventListener(name, touch, { capture: true });
      document.removeEventListener("visibilitychange", check);
      window.clearInterval(timer);
    };
  }, [unlocked, idleTimeoutMs, lock]);

  const settle = useCallback((outcome: { identity: SigningIdentity } | { error: Error }) => {
    const current = pendingRef.current;
    pendingRef.current = null;
    setPending(null);
    for (const waiter of current?.waiters ?? []) {
      if ("identity" in outcome) waiter.resolve(outcome.identity);
      else waiter.reject(outcome.error);
    }
  }, []);

  const requireIdentity = useCallback(
    (options: RequireIdentityOptions = {}): Promise<SigningIdentity> => {
      const file = keystore.load();
      if (!file) {
        return Promise.reject(new SignerError("no_key", "There is no signing key for you in this browser. Open Signing keys to create one or restore your backup file."));
      }
      if (file.orgId !== orgId) {
        return Promise.reject(new SignerError("wrong_organisation", "The signing key in this browser belongs to another organisation. Open Signing keys to replace it."));
      }
      const identity = identityRef.current;
      if (identity && identity.keyId === file.keyId && !signedOut) {
        lastActivityRef.current = Date.now();
        return Promise.resolve(identity);
      }
      return new Promise<SigningIdentity>((resolve, reject) => {
        const waiter = { resolve, reject };
        if (pendingRef.current && pendingRef.current.keyFile.keyId === file.keyId) {
          pendingRef.current.waiters.push(waiter);
          return;
        }
        // A dialog for another key (replaced meanwhile) is moot: its callers start again.
        for (const stale of pendingRef.current?.waiters ?? []) stale.reject(new SignerError("key_changed", "Your signing key changed; try again."));
        const next: PendingUnlock = { keyFile: file, reason: options.reason, waiters: [waiter] };
        pendingRef.current = next;
        setPending(next);
      });
    },
    [keystore, orgId, signedOut],
  );

  const unlockWith = useCallback(
    async (passphrase: string, onProgress: ProgressListener) => {
      const request = pendingRef.current;
      if (!request) return;
      const identity = await keystore.unlock(passphrase, onProgress);
      if (pendingRef.current !== request || identity.keyId !== keyFile?.keyId) {
        // Cancelled (or the key was replaced) while scrypt ran: nobody asked for this any more.
        identity.privateKey.fill(0);
        return;
      }
      forget();
      identityRef.current = identity;
      lastActivityRef.current = Date.now();
      setUnlockedFile(keyFile);
      settle({ identity });
    },
    [keystore, keyFile, forget, settle],
  );

  const cancel = useCallback(() => settle({ error: new SignerError("cancelled", "Signing was cancelled; nothing was sent.") }), [settle]);

  const passkey = useStoredPasskey(passkeyStorageKeyFor(userEmail));
  const passkeyStore = useMemo(() => {
    const notify = () => window.dispatchEvent(new Event(LOCAL_CHANGE_EVENT));
    return {
      save: (record: PasskeyRecord) => (savePasskey(window.localStorage, userEmail, record), notify()),
      remove: () => (removePasskey(window.localStorage, userEmail), notify()),
    };
  }, [userEmail]);

  const sign = useCallback(
    async <K extends TransactionType>(type: K, body: TransactionBodies[K], options: RequireIdentityOptions = {}): Promise<SignedLedgerTransaction<K>> => {
      const envelope = { networkId, nonce: randomNonce(), createdAtMs: Date.now() };
      if (passkey !== null && passkey.orgId === orgId) return signWithPasskey(passkey, type, body, envelope);
      const identity = await requireIdentity(options);
      return buildSigned(identity, type, body, envelope);
    },
    [passkey, orgId, networkId, requireIdentity],
  );

  const cosign = useCallback(
    async (digest: Uint8Array, options: RequireIdentityOptions = {}): Promise<Cosignature> => {
      if (passkey !== null && passkey.orgId === orgId) return cosignWithPasskey(passkey, digest);
      const identity = await requireIdentity(options);
      return { orgId: identity.orgId, keyId: identity.keyId, signatureHex: bytesToHex(signDigest(identity.privateKey, digest)) };
    },
    [passkey, orgId, requireIdentity],
  );

  const signer = useMemo<Signer>(
    () => ({ status, keyFile, keystore, requireIdentity, lock, networkId, passkey, savePasskey: passkeyStore.save, removePasskey: passkeyStore.remove, sign, cosign }),
    [status, keyFile, keystore, requireIdentity, lock, networkId, passkey, passkeyStore, sign, cosign],
  );

  return (
    <SigningContext.Provider value={signer}>
      {children}
      {pending ? <UnlockDialog keyFile={pending.keyFile} reason={pending.reason} idleMinutes={Math.round(idleTimeoutMs / 60_000)} onUnlock={unlockWith} onCancel={cancel} /> : null}
    </SigningContext.Provider>
  );
}
