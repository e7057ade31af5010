import { sql } from "drizzle-orm";
import { check, index, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { organisations } from "./organisations";
import { users } from "./users";

/*
 * Requests to register a signing key on the ledger. The browser signs the key.register with
 * the new key itself; the stored transaction waits here, without a cosignature, until an
 * operator approver reviews it. Approving cosigns it with the platform key and submits it
 * to the ledger, whose signing_keys row is then the truth about the key.
 */

export const KEY_REQUEST_STATUSES = ["pending", "approved", "rejected"] as const;
export type KeyRequestStatus = (typeof KEY_REQUEST_STATUSES)[number];

export const keyRequests = pgTable(
  "key_requests",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => organisations.id),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    keyId: text("key_id").notNull(),
    publicKeyHex: text("public_key_hex").notNull(),
    /** Wire form of the self-signed key.register, exactly as the browser signed it (no cosignature). */
    signedTransaction: jsonb("signed_transaction").$type<unknown>().notNull(),
    status: text("status").$type<KeyRequestStatus>().notNull().default("pending"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    decidedAt: timestamp("decided_at", { withTimezone: true }),
    decidedByUserId: text("decided_by_user_id").references(() => users.id),
    /** The ledger transaction that registered the key, once approved. */
    txId: text("tx_id"),
  },
  (t) => [
    uniqueIndex("key_requests_key_id_unique").on(t.keyId),
    index("key_requests_org_idx").on(t.orgId),
    index("key_requests_status_idx").on(t.status),
    check("key_requests_status_check", sql`${t.status} in ('pending','approved','rejected')`),
    check("key_requests_key_id_format", sql`${t.keyId} ~ '^[0-9a-f]{32}$'`),
    // An Ed25519 key (32 bytes) or a passkey's compressed P-256 key (33 bytes).
    check("key_requests_public_key_format", sql`${t.publicKeyHex} ~ '^([0-9a-f]{64}|0[23][0-9a-f]{64})$'`),
    // A decision has a time and a decider; a pending request has neither.
    check(
      "key_requests_decision_recorded",
      sql`(${t.status} = 'pending') = (${t.decidedAt} is null) and (${t.status} = 'pending') = (${t.decidedByUserId} is null)`,
    ),
    // Exactly the approved requests name the ledger transaction that registered the key.
    check("key_requests_approved_has_tx", sql`(${t.status} = 'approved') = (${t.txId} is not null)`),
  ],
);
