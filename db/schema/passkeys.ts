import { sql } from "drizzle-orm";
import { bigint, check, index, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { users } from "./users";
import { PASSKEY_NAME_MAX_LENGTH } from "../enums";

const ms = (name: string) => bigint(name, { mode: "number" });

/**
 * Passkeys that sign a person in (WebAuthn, verified with @simplewebauthn/server). The same
 * passkey may also be a ledger signing key; that side lives on the ledger (signing_keys).
 */
export const passkeyCredentials = pgTable(
  "passkey_credentials",
  {
    /** The credential id, base64url, as the browser reports it. */
    credentialId: text("credential_id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    /** The COSE public key, base64url. */
    publicKey: text("public_key").notNull(),
    /** The authenticator's signature counter, to notice a cloned authenticator. */
    counter: ms("counter").notNull(),
    transports: jsonb("transports").$type<string[]>().notNull(),
    createdAtMs: ms("created_at_ms").notNull(),
    lastUsedAtMs: ms("last_used_at_ms"),
    /** What the person calls it on the settings page ("work laptop"); null until named. */
    name: text("name"),
  },
  (t) => [
    index("passkey_credentials_user_idx").on(t.userId),
    check("passkey_credentials_counter_check", sql`${t.counter} >= 0`),
    check("passkey_credentials_name_length", sql`${t.name} is null or char_length(${t.name}) between 1 and ${sql.raw(String(PASSKEY_NAME_MAX_LENGTH))}`),
  ],
);

/**
 * Challenges the server handed out for a passkey ceremony. Each is used at most once: the
 * answer deletes its row (DELETE ... RETURNING), so a replayed answer finds nothing.
 */
export const webauthnChallenges = pgTable(
  "webauthn_challenges",
  {
    challenge: text("challenge").primaryKey(),
    purpose: text("purpose").$type<"registration" | "authentication">().notNull(),
    /** Who asked, for a registration; null for a sign-in (nobody is signed in yet). */
    userId: text("user_id").references(() => users.id),
    expiresAtMs: ms("expires_at_ms").notNull(),
  },
  (t) => [
    check("webauthn_challenges_purpose_check", sql`${t.purpose} in ('registration','authentication')`),
    check("webauthn_challenges_registration_has_user", sql`(${t.purpose} = 'registration') = (${t.userId} is not null)`),
    index("webauthn_challenges_expiry_idx").on(t.expiresAtMs),
  ],
);
