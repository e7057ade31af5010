import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, integer, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { organisations } from "./organisations";

const ms = (name: string) => bigint(name, { mode: "number" });

/**
 * The ledger's event outbox: one row per event of an accepted transaction, written by the
 * engine in the same database transaction as the log append (server/ledger/outbox.ts). So an
 * event exists exactly when its transaction committed: nothing is lost after a crash and
 * nothing is announced for a write that rolled back. The webhook job fans rows out to the
 * endpoints that asked for them and stamps dispatchedAtMs.
 */
export const ledgerOutbox = pgTable(
  "ledger_outbox",
  {
    /** `<txId>:<event index>`: stable, so a fan-out that runs twice creates nothing twice. */
    id: text("id").primaryKey(),
    txId: text("tx_id").notNull(),
    leafIndex: bigint("leaf_index", { mode: "number" }).notNull(),
    type: text("type").notNull(),
    signerOrgId: text("signer_org_id").notNull(),
    /** The event as JSON, amounts as decimal strings. */
    payload: text("payload").notNull(),
    createdAtMs: ms("created_at_ms").notNull(),
    dispatchedAtMs: ms("dispatched_at_ms"),
  },
  (t) => [index("ledger_outbox_undispatched_idx").on(t.leafIndex).where(sql`${t.dispatchedAtMs} is null`)],
);

/** An organisation's webhook endpoint and the event types it chose. */
export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => organisations.id),
    url: text("url").notNull(),
    /** Standard Webhooks secret (whsec_…): the HMAC key, so it is kept as is. */
    secret: text("secret").notNull(),
    events: text("events").array().notNull(),
    enabled: boolean("enabled").notNull().default(true),
    createdAtMs: ms("created_at_ms").notNull(),
  },
  (t) => [index("webhook_endpoints_org_idx").on(t.orgId), check("webhook_endpoints_events_nonempty", sql`cardinality(${t.events}) > 0`)],
);

/** One event for one endpoint: retried with backoff, then dead-lettered; redelivery resets it. */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    /** The Standard Webhooks webhook-id: the same on every retry, so receivers deduplicate. */
    id: text("id").primaryKey(),
    endpointId: text("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id),
    orgId: text("org_id")
      .notNull()
      .references(() => organisations.id),
    outboxId: text("outbox_id")
      .notNull()
      .references(() => ledgerOutbox.id),
    eventType: text("event_type").notNull(),
    /** The exact JSON body sent (and signed). */
    body: text("body").notNull(),
    status: text("status").notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAtMs: ms("next_attempt_at_ms"),
    lastAttemptAtMs: ms("last_attempt_at_ms"),
    lastResponseStatus: integer("last_response_status"),
    lastResponseBody: text("last_response_body"),
    createdAtMs: ms("created_at_ms").notNull(),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_once").on(t.endpointId, t.outboxId),
    index("webhook_deliveries_due_idx").on(t.nextAttemptAtMs).where(sql`${t.status} = 'pending'`),
    index("webhook_deliveries_org_idx").on(t.orgId, t.createdAtMs),
    check("webhook_deliveries_status_check", sql`${t.status} in ('pending','succeeded','dead')`),
    check("webhook_deliveries_pending_has_time", sql`(${t.status} = 'pending') = (${t.nextAttemptAtMs} is not null)`),
  ],
);
