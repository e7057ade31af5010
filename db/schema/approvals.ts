import { sql } from "drizzle-orm";
import { bigint, check, index, integer, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { organisations } from "./organisations";
import { users } from "./users";

const ms = (name: string) => bigint(name, { mode: "number" });

/**
 * Where a prepared transaction stands: waiting for an approver (复核), submitted with the
 * approvals it needed, rejected by an approver, withdrawn by its maker, past the ledger's 24-hour
 * window for its signature (expired), or refused by the ledger for a reason an approval cannot
 * cure, because something that happened since changed the state it was prepared against (superseded).
 */
export const PENDING_APPROVAL_STATUSES = ["pending", "approved", "rejected", "withdrawn", "expired", "superseded"] as const;
export type PendingApprovalStatus = (typeof PENDING_APPROVAL_STATUSES)[number];

/**
 * Transactions a maker signed that his organisation's approval policy says need an approval
 * (contracts/ledger/approvals.ts): the signed envelope waits here, off the ledger, until an
 * approver of the same organisation cosigns it in his browser and the server submits it. The
 * ledger stays the judge: nothing here is state, and an approved row names the leaf the ledger
 * gave the transaction. Cosignatures gathered so far (a change needing several admins) are kept
 * in the stored envelope.
 */
export const pendingApprovals = pgTable(
  "pending_approvals",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => organisations.id),
    preparedByUserId: text("prepared_by_user_id")
      .notNull()
      .references(() => users.id),
    /** The id of the signed transaction (the digest every approver cosigns). */
    txId: text("tx_id").notNull(),
    type: text("type").notNull(),
    /** Wire form of the signed transaction, with the cosignatures gathered so far. */
    signedTransaction: jsonb("signed_transaction").$type<unknown>().notNull(),
    /** What the queue shows beside the body: names of the organisations the body refers to. */
    summary: jsonb("summary").$type<Record<string, string>>().notNull(),
    status: text("status").$type<PendingApprovalStatus>().notNull().default("pending"),
    /** The envelope's createdAtMs: the ledger refuses the transaction 24 hours after it. */
    signedAtMs: ms("signed_at_ms").notNull(),
    createdAtMs: ms("created_at_ms").notNull(),
    decidedAtMs: ms("decided_at_ms"),
    decidedByUserId: text("decided_by_user_id").references(() => users.id),
    /** A rejection's reason, in the approver's words. */
    reason: text("reason"),
    /** The ledger's refusal code that superseded (or expired) it. */
    refusalCode: text("refusal_code"),
    /** The log leaf the ledger gave it, once approved. */
    leafIndex: integer("leaf_index"),
  },
  (t) => [
    uniqueIndex("pending_approvals_tx_id_unique").on(t.txId),
    index("pending_approvals_org_status_idx").on(t.orgId, t.status),
    check("pending_approvals_status_check", sql`${t.status} in ('pending','approved','rejected','withdrawn','expired','superseded')`),
    check("pending_approvals_tx_id_format", sql`${t.txId} ~ '^[0-9a-f]{64}$'`),
    // A decision has a time; a pending one has none and no decider.
    check("pending_approvals_decision_recorded", sql`(${t.status} = 'pending') = (${t.decidedAtMs} is null) and (${t.status} <> 'pending' or ${t.decidedByUserId} is null)`),
    check("pending_approvals_rejection_has_reason", sql`(${t.status} = 'rejected') = (${t.reason} is not null)`),
    check("pending_approvals_approved_has_leaf", sql`(${t.status} = 'approved') = (${t.leafIndex} is not null)`),
  ],
);
