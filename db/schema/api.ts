import { sql } from "drizzle-orm";
import { bigint, check, index, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { organisations } from "./organisations";
import { users } from "./users";

const ms = (name: string) => bigint(name, { mode: "number" });

/**
 * Machine credentials of an organisation (issue 16): a bearer token shown once, kept only as
 * its SHA-256 (the token is 256 random bits, so a slow hash adds nothing), scoped, expiring,
 * revocable. A key authenticates its organisation's systems; it never signs a transaction.
 */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => organisations.id),
    name: text("name").notNull(),
    /** The token's first characters, to tell keys apart in a list without revealing them. */
    prefix: text("prefix").notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    /** "read" and/or "submit". */
    scopes: text("scopes").array().notNull(),
    createdByUserId: text("created_by_user_id")
      .notNull()
      .references(() => users.id),
    createdAtMs: ms("created_at_ms").notNull(),
    expiresAtMs: ms("expires_at_ms").notNull(),
    revokedAtMs: ms("revoked_at_ms"),
    lastUsedAtMs: ms("last_used_at_ms"),
  },
  (t) => [
    index("api_keys_org_idx").on(t.orgId),
    check("api_keys_scopes_known", sql`${t.scopes} <@ array['read','submit']::text[] and cardinality(${t.scopes}) > 0`),
    check("api_keys_expiry_after_creation", sql`${t.expiresAtMs} > ${t.createdAtMs}`),
  ],
);

/** Every call made with an API key, for the organisation's admin to read and export. */
export const apiAudit = pgTable(
  "api_audit",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => organisations.id),
    keyId: text("key_id")
      .notNull()
      .references(() => apiKeys.id),
    atMs: ms("at_ms").notNull(),
    method: text("method").notNull(),
    path: text("path").notNull(),
    status: integer("status").notNull(),
    /** The problem type's code when the call failed or was refused. */
    code: text("code"),
  },
  (t) => [index("api_audit_org_at_idx").on(t.orgId, t.atMs)],
);

/**
 * Answers to writes sent with an Idempotency-Key, per organisation: the same key with the same
 * request gets the first answer again; with a different request it is refused (422).
 */
export const apiIdempotency = pgTable(
  "api_idempotency",
  {
    orgId: text("org_id")
      .notNull()
      .references(() => organisations.id),
    key: text("key").notNull(),
    requestHash: text("request_hash").notNull(),
    status: integer("status").notNull(),
    body: text("body").notNull(),
    createdAtMs: ms("created_at_ms").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.key] })],
);
