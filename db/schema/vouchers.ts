import { sql } from "drizzle-orm";
import { bigint, check, index, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { claims } from "./ledger";
import { organisations } from "./organisations";
import { users } from "./users";

/*
 * Issue 15: a holder's share of a claim's e-voucher. The link's token is shown once, when the
 * share is made; only its SHA-256 is kept, so a copy of this table opens no voucher. A share
 * is revoked by setting revoked_at_ms, never deleted, so the holder can see what it gave out.
 */
export const voucherShares = pgTable(
  "voucher_shares",
  {
    id: text("id").primaryKey(),
    tokenHash: text("token_hash").notNull(),
    claimId: text("claim_id")
      .notNull()
      .references(() => claims.id),
    /** The organisation that shared it: the claim's holder when the share was made. */
    orgId: text("org_id")
      .notNull()
      .references(() => organisations.id),
    createdByUserId: text("created_by_user_id")
      .notNull()
      .references(() => users.id),
    createdAtMs: bigint("created_at_ms", { mode: "number" }).notNull(),
    revokedAtMs: bigint("revoked_at_ms", { mode: "number" }),
  },
  (t) => [
    uniqueIndex("voucher_shares_token_hash_unique").on(t.tokenHash),
    index("voucher_shares_claim_idx").on(t.claimId, t.orgId),
    check("voucher_shares_token_hash_hex", sql`${t.tokenHash} ~ '^[0-9a-f]{64}$'`),
    check("voucher_shares_revoked_after_creation", sql`${t.revokedAtMs} is null or ${t.revokedAtMs} >= ${t.createdAtMs}`),
  ],
);
