import { randomBytes } from "node:crypto";
import { and, desc, eq } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { enqueueWebhookDeliveries, usesJobQueue } from "@/db/job-queue";
import { webhookDeliveries, webhookEndpoints } from "@/db/schema";
import type { Actor } from "../actor";
import { assertAllowed, canManageApiKeys } from "../authz";
import { badRequest, notFound } from "../errors";
import { newId } from "../ids";

/*
 * An organisation's webhook endpoints and their deliveries (issue 16, item 3). The same
 * admins who manage API keys manage endpoints. Deliveries are made from the ledger's outbox
 * (server/jobs/webhooks.ts), sent by graphile-worker on PostgreSQL and by the schedule on
 * PGlite, and signed as Standard Webhooks says.
 */

/** The ledger events an endpoint may choose: the LedgerEvent types an integrator acts on. */
export const WEBHOOK_EVENTS = [
  "claim.offered",
  "claim.accepted",
  "claim.rejected",
  "claim.settled",
  "claim.overdue",
  "claim.pledged",
  "pledge.released",
  "financing.requested",
  "financing.autoApproved",
  "financing.offered",
  "financing.accepted",
  "financing.declined",
  "financing.disbursed",
  "repayment.recorded",
  "key.registered",
  "key.rotated",
  "key.revoked",
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

const allowed = (actor: Actor) => assertAllowed(canManageApiKeys(actor), "Only an admin of your organisation manages webhooks.");

/**
 * Endpoints must be https: the platform would otherwise post its customers' events in clear,
 * and an http URL on the platform's own network is an SSRF lever. Local development and the
 * test suite allow http with WEBHOOKS_ALLOW_HTTP=true.
 */
function checkUrl(raw: string, allowHttp: boolean): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw badRequest("webhook_url_invalid", "Enter the endpoint's full URL, https://…");
  }
  if (url.protocol !== "https:" && !(allowHttp && url.protocol === "http:")) throw badRequest("webhook_url_not_https", "Webhook endpoints must use https.");
  if (url.username || url.password) throw badRequest("webhook_url_invalid", "Put no credentials in the URL; verify our signature instead.");
  return url.toString();
}

export async function createWebhookEndpoint(
  db: DbOrTx,
  actor: Actor,
  input: { url: string; events: string[] },
  options: { nowMs?: number; allowHttp?: boolean } = {},
) {
  allowed(actor);
  const url = checkUrl(input.url, options.allowHttp ?? process.env.WEBHOOKS_ALLOW_HTTP === "true");
  const events = [...new Set(input.events)].filter((e): e is WebhookEvent => (WEBHOOK_EVENTS as readonly string[]).includes(e));
  if (events.length === 0) throw badRequest("webhook_events_invalid", "Choose at least one event.");
  const id = newId("whe");
  const secret = `whsec_${randomBytes(24).toString("base64")}`;
  await db.insert(webhookEndpoints).values({ id, orgId: actor.orgId, url, secret, events, createdAtMs: options.nowMs ?? Date.now() });
  // The secret is shown here and on the endpoint's page to admins: the receiver needs it to verify.
  return { id, url, events, secret };
}

export async function listWebhookEndpoints(db: DbOrTx, actor: Actor) {
  allowed(actor);
  return db.select().from(webhookEndpoints).where(eq(webhookEndpoints.orgId, actor.orgId)).orderBy(desc(webhookEndpoints.createdAtMs));
}

export async function setWebhookEndpointEnabled(db: DbOrTx, actor: Actor, endpointId: string, enabled: boolean) {
  allowed(actor);
  const rows = await db.update(webhookEndpoints).set({ enabled }).where(and(eq(webhookEndpoints.id, endpointId), eq(webhookEndpoints.orgId, actor.orgId))).returning({ id: webhookEndpoints.id });
  if (rows.length === 0) throw notFound("webhook_endpoint_not_found", "No such webhook endpoint in your organisation.");
}

export async function listWebhookDeliveries(db: DbOrTx, actor: Actor, limit = 100) {
  allowed(actor);
  return db
    .select({
      id: webhookDeliveries.id,
      endpointId: webhookDeliveries.endpointId,
      url: webhookEndpoints.url,
      eventType: webhookDeliveries.eventType,
      status: webhookDeliveries.status,
      attempts: webhookDeliveries.attempts,
      nextAttemptAtMs: webhookDeliveries.nextAttemptAtMs,
      lastAttemptAtMs: webhookDeliveries.lastAttemptAtMs,
      lastResponseStatus: webhookDeliveries.lastResponseStatus,
      lastResponseBody: webhookDeliveries.lastResponseBody,
      createdAtMs: webhookDeliveries.createdAtMs,
    })
    .from(webhookDeliveries)
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
    .where(eq(webhookDeliveries.orgId, actor.orgId))
    .orderBy(desc(webhookDeliveries.createdAtMs))
    .limit(Math.min(Math.max(limit, 1), 500));
}

/**
 * Sends a delivery again (a dead letter, or a success the receiver lost): due now, attempts
 * counted afresh. On PostgreSQL its job is queued in the same transaction as the reset row
 * (replacing any job still waiting for it); on PGlite the schedule finds the row due.
 */
export async function redeliverWebhook(db: DbOrTx, actor: Actor, deliveryId: string, nowMs = Date.now(), options: { queue?: boolean } = {}) {
  allowed(actor);
  const queue = options.queue ?? usesJobQueue();
  await db.transaction(async (tx) => {
    const rows = await tx
      .update(webhookDeliveries)
      .set({ status: "pending", attempts: 0, nextAttemptAtMs: nowMs })
      .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.orgId, actor.orgId)))
      .returning({ id: webhookDeliveries.id });
    if (rows.length === 0) throw notFound("webhook_delivery_not_found", "No such webhook delivery in your organisation.");
    if (queue) await enqueueWebhookDeliveries(tx, [{ id: deliveryId, runAtMs: nowMs }]);
  });
}
