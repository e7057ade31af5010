import { createHash, randomBytes } from "node:crypto";
import { and, desc, eq, isNull } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { apiAudit, apiKeys, organisations } from "@/db/schema";
import type { Actor } from "../actor";
import { assertAllowed, canManageApiKeys } from "../authz";
import { badRequest, notFound } from "../errors";
import { newId } from "../ids";
import { writeNotifications, type NotificationDraft } from "./notifications";

/*
 * Machine credentials (issue 16): an organisation's admin creates API keys for its systems.
 * The token is shown once and kept only as its SHA-256; a key has scopes (read, submit), an
 * expiry, can be revoked, and records when it was last used. A key authenticates the caller
 * as its organisation; it never signs: a submission still carries the organisation's own
 * Ed25519 signature, built by the integrator's system with the organisation's key.
 */

export const API_KEY_SCOPES = ["read", "submit"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** Tokens start with this, so a leaked one is recognisable (secret scanners). */
const TOKEN_PREFIX = "dck_";
const MAX_LIFETIME_DAYS = 366;

export const hashToken = (token: string) => createHash("sha256").update(token, "utf8").digest("hex");

export interface NewApiKey {
  name: string;
  scopes: ApiKeyScope[];
  expiresInDays: number;
}

export async function createApiKey(db: DbOrTx, actor: Actor, input: NewApiKey, nowMs = Date.now()) {
  assertAllowed(canManageApiKeys(actor), "Only an admin of your organisation manages API keys.");
  const name = input.name.trim();
  if (!name || name.length > 100) throw badRequest("api_key_name_invalid", "Name the key (1 to 100 characters), after the system that uses it.");
  if (!Number.isInteger(input.expiresInDays) || input.expiresInDays < 1 || input.expiresInDays > MAX_LIFETIME_DAYS) {
    throw badRequest("api_key_expiry_invalid", `A key expires after 1 to ${MAX_LIFETIME_DAYS} days.`);
  }
  const scopes = [...new Set(input.scopes)].filter((s) => (API_KEY_SCOPES as readonly string[]).includes(s));
  if (scopes.length === 0) throw badRequest("api_key_scopes_invalid", "Choose at least one scope: read, submit.");
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  const id = newId("key");
  const row = {
    id,
    orgId: actor.orgId,
    name,
    prefix: token.slice(0, TOKEN_PREFIX.length + 6),
    tokenHash: hashToken(token),
    scopes,
    createdByUserId: actor.userId,
    createdAtMs: nowMs,
    expiresAtMs: nowMs + input.expiresInDays * 24 * 60 * 60 * 1000,
  };
  await db.transaction(async (tx) => {
    await tx.insert(apiKeys).values(row);
    await writeNotifications(tx, [apiKeyNotice(actor, "apiKeyCreated", { id, name, prefix: row.prefix }, nowMs)], nowMs);
  });
  // The token itself is in this answer only; the database keeps its hash.
  return { id, name, prefix: row.prefix, scopes, expiresAtMs: row.expiresAtMs, token };
}

export async function listApiKeys(db: DbOrTx, actor: Actor, nowMs = Date.now()) {
  assertAllowed(canManageApiKeys(actor), "Only an admin of your organisation manages API keys.");
  const rows = await db.select().from(apiKeys).where(eq(apiKeys.orgId, actor.orgId)).orderBy(desc(apiKeys.createdAtMs));
  return rows.map((key) => ({
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes,
    createdAtMs: key.createdAtMs,
    expiresAtMs: key.expiresAtMs,
    revokedAtMs: key.revokedAtMs,
    lastUsedAtMs: key.lastUsedAtMs,
    status: key.revokedAtMs !== null ? ("revoked" as const) : nowMs >= key.expiresAtMs ? ("expired" as const) : ("active" as const),
  }));
}

export async function revokeApiKey(db: DbOrTx, actor: Actor, keyId: string, nowMs = Date.now()) {
  assertAllowed(canManageApiKeys(actor), "Only an admin of your organisation manages API keys.");
  await db.transaction(async (tx) => {
    const [revoked] = await tx
      .update(apiKeys)
      .set({ revokedAtMs: nowMs })
      .where(and(eq(apiKeys.id, keyId), eq(apiKeys.orgId, actor.orgId), isNull(apiKeys.revokedAtMs)))
      .returning({ id: apiKeys.id, name: apiKeys.name, prefix: apiKeys.prefix });
    if (!revoked) throw notFound("api_key_not_found", "No such active API key in your organisation.");
    await writeNotifications(tx, [apiKeyNotice(actor, "apiKeyRevoked", revoked, nowMs)], nowMs);
  });
}

/** The organisation's other admins hear of a new or revoked API key (machine credentials act for it). */
function apiKeyNotice(actor: Actor, kind: "apiKeyCreated" | "apiKeyRevoked", key: { id: string; name: string; prefix: string }, nowMs: number): NotificationDraft {
  return {
    orgId: actor.orgId,
    category: "organisation",
    kind,
    subject: "apiKeys",
    subjectId: null,
    params: { actor: actor.name, name: key.name, prefix: key.prefix },
    dedupeKey: `api-key:${key.id}:${kind}`,
    occurredAtMs: nowMs,
    exceptUserId: actor.userId,
  };
}

export interface ApiCaller {
  keyId: string;
  scopes: ApiKeyScope[];
  /** The organisation acting: read models and authorisation see it as a member with the key's scopes. */
  actor: Actor;
}

/**
 * The caller a bearer token stands for, or null (unknown, revoked, expired, or its
 * organisation no longer approved). Records the key's last use.
 */
export async function authenticateApiKey(db: DbOrTx, token: string, nowMs = Date.now()): Promise<ApiCaller | null> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
  const [row] = await db
    .select({ key: apiKeys, org: organisations })
    .from(apiKeys)
    .innerJoin(organisations, eq(organisations.id, apiKeys.orgId))
    .where(eq(apiKeys.tokenHash, hashToken(token)));
  if (!row || row.key.revokedAtMs !== null || nowMs >= row.key.expiresAtMs || row.org.status !== "approved") return null;
  await db.update(apiKeys).set({ lastUsedAtMs: nowMs }).where(eq(apiKeys.id, row.key.id));
  const scopes = row.key.scopes as ApiKeyScope[];
  return {
    keyId: row.key.id,
    scopes,
    actor: {
      // The key stands in for a person: its id is the actor's, so nothing it does is attributed to a user.
      userId: row.key.id,
      email: "",
      name: `API key ${row.key.name}`,
      // Submit lets a system make what a maker makes; changing credit lines and policies stays with people (admins).
      permission: scopes.includes("submit") ? "maker" : "viewer",
      orgId: row.org.id,
      orgName: row.org.name,
      orgRole: row.org.role,
      orgStatus: row.org.status,
    },
  };
}

/**
 * Whether a token kept by a process of the organisation (the lender's settlement agent) still
 * authenticates for `scope` and stays valid for at least `marginMs`; records no use. Lets such a
 * process reuse its key across restarts instead of making (and announcing) a new one each time.
 */
export async function apiKeyStillValid(db: DbOrTx, token: string, orgId: string, scope: ApiKeyScope, marginMs: number, nowMs = Date.now()): Promise<boolean> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return false;
  const [key] = await db.select().from(apiKeys).where(and(eq(apiKeys.tokenHash, hashToken(token)), eq(apiKeys.orgId, orgId)));
  return key !== undefined && key.revokedAtMs === null && nowMs + marginMs < key.expiresAtMs && (key.scopes as ApiKeyScope[]).includes(scope);
}

export async function recordApiCall(db: DbOrTx, call: { orgId: string; keyId: string; method: string; path: string; status: number; code: string | null }, nowMs = Date.now()) {
  await db.insert(apiAudit).values({ id: newId("call"), atMs: nowMs, ...call, path: call.path.slice(0, 500) });
}

/** The audit log of the organisation's API calls, newest first. */
export async function listApiAudit(db: DbOrTx, actor: Actor, limit = 200) {
  assertAllowed(canManageApiKeys(actor), "Only an admin of your organisation reads the API audit log.");
  return db.select().from(apiAudit).where(eq(apiAudit.orgId, actor.orgId)).orderBy(desc(apiAudit.atMs)).limit(Math.min(Math.max(limit, 1), 1000));
}
