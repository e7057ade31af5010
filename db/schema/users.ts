import { sql } from "drizzle-orm";
import { bigint, check, index, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { organisations } from "./organisations";

import type { Permission, UserStatus } from "../enums";

export const users = pgTable(
  "users",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => organisations.id),
    email: text("email").notNull(),
    name: text("name").notNull(),
    passwordHash: text("password_hash"),
    permission: text("permission").$type<Permission>().notNull(),
    status: text("status").$type<UserStatus>().notNull().default("invited"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("users_email_unique").on(t.email),
    index("users_org_idx").on(t.orgId),
    check("users_permission_check", sql`${t.permission} in ('viewer','maker','approver','admin')`),
    check("users_status_check", sql`${t.status} in ('invited','active','disabled')`),
    check("users_email_lowercase", sql`${t.email} = lower(${t.email})`),
    // An active user can always sign in: a password must exist once the invite is accepted.
    check("users_active_has_password", sql`${t.status} <> 'active' or ${t.passwordHash} is not null`),
  ],
);

export const invites = pgTable("invites", {
  tokenHash: text("token_hash").primaryKey(),
  userId: text("user_id")
    .notNull()
    .references(() => users.id),
  expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  usedAt: timestamp("used_at", { withTimezone: true }),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Password resets: a one-time link sent by email. Only the token's SHA-256 is kept; a reset
 * is used at most once (used_at) and only before it expires. The rows of the last hour also
 * bound how many links one account may be sent (server/commands/password-reset.ts).
 */
export const passwordResets = pgTable(
  "password_resets",
  {
    tokenHash: text("token_hash").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    createdAtMs: bigint("created_at_ms", { mode: "number" }).notNull(),
    expiresAtMs: bigint("expires_at_ms", { mode: "number" }).notNull(),
    usedAtMs: bigint("used_at_ms", { mode: "number" }),
  },
  (t) => [index("password_resets_user_idx").on(t.userId, t.createdAtMs), check("password_resets_expiry_after_creation", sql`${t.expiresAtMs} > ${t.createdAtMs}`)],
);
