import { and, asc, eq, inArray, isNull, lte, sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import type { Db } from "@/db/client";
import { enqueueWebhookDeliveries, JOB_QUEUE_SCHEMA, usesJobQueue, WEBHOOK_DELIVERY_TASK } from "@/db/job-queue";
import { claims, financings, ledgerOutbox, webhookDeliveries, webhookEndpoints } from "@/db/schema";
import { newId } from "../ids";
import { defineJob } from "./scheduler";

/*
 * Webhooks (issue 16, item 3): the ledger's outbox (written in the append's own database
 * transaction, server/ledger/outbox.ts) is fanned out to the endpoints of the organisations an
 * event concerns, one delivery per (endpoint, event), idempotently; each delivery is signed as
 * Standard Webhooks says (webhook-id, webhook-timestamp, webhook-signature), retried after a
 * failure on the schedule RETRY_DELAYS_MS (about a day), then dead-lettered. webhook_deliveries
 * is the record of each: what the settings page lists, with responses, and what redelivery resets.
 *
 * Who sends them depends on the database:
 *  - PostgreSQL: graphile-worker, a maintained Postgres job queue (db/job-queue.ts; runner in
 *    webhook-worker.ts, started by the runtime in every instance). The fan-out adds one job per
 *    new delivery in the same transaction that inserts the delivery rows, so a delivery exists
 *    exactly when its job does. Each attempt is a job of its own, due at its own time, under the
 *    delivery's job key: an attempt that fails records itself and, in the same transaction, adds
 *    the next attempt's job at the time the schedule says (graphile's own retries, exponential
 *    in seconds, cannot express 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; they only cover a
 *    handler that threw). graphile locks a job for the runner that takes it, so across
 *    instances each attempt is made once. The schedule's webhooks job still does the fan-out (once across
 *    instances), and recovers attempts a killed instance left locked (recoverStalledDeliveries).
 *  - PGlite: the in-app schedule (scheduler.ts) sends due deliveries itself (sendDueDeliveries).
 * Either way a delivery is at least once (an instance killed after the receiver answered and
 * before the answer was recorded sends it again), and receivers deduplicate by webhook-id.
 */

/** Waits after each failed attempt (the Standard Webhooks suggestion): ~27.5 hours in all, then dead. */
export const RETRY_DELAYS_MS = [5_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 5 * 3_600_000, 10 * 3_600_000, 10 * 3_600_000] as const;
const BATCH = 100;
const TIMEOUT_MS = 10_000;

interface OutboxRow {
  id: string;
  txId: string;
  leafIndex: number;
  type: string;
  signerOrgId: string;
  payload: string;
  createdAtMs: number;
}

/** The organisations an event concerns: its signer, every organisation it names, and the parties of the claim or financing it is about. */
async function recipientsOf(db: Db, rows: readonly OutboxRow[]): Promise<Map<string, Set<string>>> {
  const events = rows.map((row) => ({ row, event: JSON.parse(row.payload) as Record<string, unknown> }));
  const claimIds = events.flatMap(({ event }) => [event.claimId, event.rootClaimId].filter((v): v is string => typeof v === "string"));
  const financingIds = events.flatMap(({ event }) => (typeof event.financingId === "string" ? [event.financingId] : []));
  const claimRows = claimIds.length ? await db.select({ id: claims.id, holder: claims.holderOrgId, offeredTo: claims.offeredToOrgId, issuer: claims.issuerOrgId }).from(claims).where(inArray(claims.id, claimIds)) : [];
  const financingRows = financingIds.length ? await db.select({ id: financings.id, holder: financings.holderOrgId, lender: financings.lenderOrgId }).from(financings).where(inArray(financings.id, financingIds)) : [];
  const claimParties = new Map(claimRows.map((c) => [c.id, [c.holder, c.offeredTo, c.issuer]]));
  const financingParties = new Map(financingRows.map((f) => [f.id, [f.holder, f.lender]]));
  const out = new Map<string, Set<string>>();
  for (const { row, event } of events) {
    const orgs = new Set<string>([row.signerOrgId]);
    for (const [key, value] of Object.entries(event)) {
      if (typeof value !== "string") continue;
      if (key === "orgId" || key.endsWith("OrgId")) orgs.add(value);
      if (key === "claimId" || key === "rootClaimId") for (const org of claimParties.get(value) ?? []) if (org) orgs.add(org);
      if (key === "financingId") for (const org of financingParties.get(value) ?? []) orgs.add(org);
    }
    out.set(row.id, orgs);
  }
  return out;
}

/** The body sent for an outbox row: Standard Webhooks' {type, timestamp, data}. */
export function webhookBody(row: OutboxRow): string {
  return JSON.stringify({ type: row.type, timestamp: new Date(row.createdAtMs).toISOString(), data: { ...(JSON.parse(row.payload) as object), txId: row.txId, leafIndex: row.leafIndex } });
}

/**
 * Creates the deliveries of undispatched outbox rows, oldest first; returns how many rows it
 * dispatched. With `queue` (on PostgreSQL by default), each delivery's job is added in the
 * same transaction as its row.
 */
export async function fanOutOutbox(db: Db, nowMs: number, options: { queue?: boolean } = {}): Promise<number> {
  const queue = options.queue ?? usesJobQueue();
  const rows = await db.select().from(ledgerOutbox).where(isNull(ledgerOutbox.dispatchedAtMs)).orderBy(asc(ledgerOutbox.leafIndex), asc(ledgerOutbox.id)).limit(500);
  if (rows.length === 0) return 0;
  const endpoints = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.enabled, true));
  const recipients = await recipientsOf(db, rows);
  const deliveries = rows.flatMap((row) =>
    endpoints
      .filter((endpoint) => recipients.get(row.id)?.has(endpoint.orgId) && endpoint.events.includes(row.type))
      .map((endpoint) => ({ id: newId("msg"), endpointId: endpoint.id, orgId: endpoint.orgId, outboxId: row.id, eventType: row.type, body: webhookBody(row), status: "pending", nextAttemptAtMs: nowMs, createdAtMs: nowMs })),
  );
  await db.transaction(async (tx) => {
    // Only the rows this run created get a job: a delivery that already existed (a fan-out that ran twice) has one.
    const created = deliveries.length ? await tx.insert(webhookDeliveries).values(deliveries).onConflictDoNothing().returning({ id: webhookDeliveries.id }) : [];
    if (queue) await enqueueWebhookDeliveries(tx, created.map(({ id }) => ({ id, runAtMs: nowMs })));
    await tx.update(ledgerOutbox).set({ dispatchedAtMs: nowMs }).where(inArray(ledgerOutbox.id, rows.map((r) => r.id)));
  });
  return rows.length;
}

export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

type Delivery = typeof webhookDeliveries.$inferSelect;

/** One attempt: the signed POST and what came back (never throws: no answer is an outcome too). */
async function post(delivery: Delivery, url: string, secret: string, attemptAtMs: number, send: Fetch): Promise<{ status: number | null; responseBody: string }> {
  const signature = new Webhook(secret).sign(delivery.id, new Date(attemptAtMs), delivery.body);
  try {
    const response = await send(url, {
      method: "POST",
      headers: { "content-type": "application/json", "webhook-id": delivery.id, "webhook-timestamp": String(Math.floor(attemptAtMs / 1000)), "webhook-signature": signature },
      body: delivery.body,
      redirect: "manual",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    return { status: response.status, responseBody: (await response.text()).slice(0, 1000) };
  } catch (error) {
    return { status: null, responseBody: `No answer: ${error instanceof Error ? error.message : String(error)}`.slice(0, 1000) };
  }
}

/** The row after an attempt: succeeded on a 2xx, else pending until the schedule runs out, then dead. */
function afterAttempt(delivery: Delivery, outcome: { status: number | null; responseBody: string }, attemptAtMs: number, delaysMs: readonly number[]) {
  const attempts = delivery.attempts + 1;
  const ok = outcome.status !== null && outcome.status >= 200 && outcome.status < 300;
  const dead = !ok && attempts > delaysMs.length;
  return {
    attempts,
    lastAttemptAtMs: attemptAtMs,
    lastResponseStatus: outcome.status,
    lastResponseBody: outcome.responseBody,
    status: ok ? "succeeded" : dead ? "dead" : "pending",
    nextAttemptAtMs: ok || dead ? null : attemptAtMs + delaysMs[attempts - 1]!,
  } as const;
}

/** Sends every due delivery once (the schedule's way, on PGlite); returns how many succeeded and failed. */
export async function sendDueDeliveries(db: Db, nowMs: number, send: Fetch = fetch): Promise<{ succeeded: number; failed: number; dead: number }> {
  const due = await db
    .select({ delivery: webhookDeliveries, url: webhookEndpoints.url, secret: webhookEndpoints.secret })
    .from(webhookDeliveries)
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
    .where(and(eq(webhookDeliveries.status, "pending"), lte(webhookDeliveries.nextAttemptAtMs, nowMs), eq(webhookEndpoints.enabled, true)))
    .orderBy(asc(webhookDeliveries.nextAttemptAtMs))
    .limit(BATCH);
  const tally = { succeeded: 0, failed: 0, dead: 0 };
  for (const { delivery, url, secret } of due) {
    const next = afterAttempt(delivery, await post(delivery, url, secret, nowMs, send), nowMs, RETRY_DELAYS_MS);
    await db.update(webhookDeliveries).set(next).where(eq(webhookDeliveries.id, delivery.id));
    tally[next.status === "succeeded" ? "succeeded" : next.status === "dead" ? "dead" : "failed"] += 1;
  }
  return tally;
}

export interface DeliverOptions {
  /** The attempt's time (signature timestamp, recorded times); Date.now by default. */
  nowMs?: number;
  send?: Fetch;
  /** The waits after each failed attempt; RETRY_DELAYS_MS by default (tests inject a short one). */
  delaysMs?: readonly number[];
}

export type DeliveryOutcome = "succeeded" | "pending" | "dead" | "skipped";

/**
 * One attempt of one delivery (the job queue's task, on PostgreSQL): sends it if it is still
 * pending and its endpoint enabled, records the outcome and, when another attempt is due, adds
 * its job in the same transaction. A delivery redelivered while this attempt was on the wire
 * keeps the redelivery (the update is conditional on the attempts this run saw).
 */
export async function deliverWebhook(db: Db, deliveryId: string, options: DeliverOptions = {}): Promise<DeliveryOutcome> {
  const [row] = await db
    .select({ delivery: webhookDeliveries, url: webhookEndpoints.url, secret: webhookEndpoints.secret, enabled: webhookEndpoints.enabled })
    .from(webhookDeliveries)
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
    .where(eq(webhookDeliveries.id, deliveryId));
  // A disabled endpoint's deliveries wait; recoverStalledDeliveries queues them again once it is enabled.
  if (!row || row.delivery.status !== "pending" || !row.enabled) return "skipped";
  const { delivery, url, secret } = row;
  const attemptAtMs = options.nowMs ?? Date.now();
  const next = afterAttempt(delivery, await post(delivery, url, secret, attemptAtMs, options.send ?? fetch), attemptAtMs, options.delaysMs ?? RETRY_DELAYS_MS);
  return db.transaction(async (tx) => {
    const updated = await tx
      .update(webhookDeliveries)
      .set(next)
      .where(and(eq(webhookDeliveries.id, delivery.id), eq(webhookDeliveries.status, "pending"), eq(webhookDeliveries.attempts, delivery.attempts)))
      .returning({ id: webhookDeliveries.id });
    if (updated.length === 0) return "skipped";
    if (next.nextAttemptAtMs !== null) await enqueueWebhookDeliveries(tx, [{ id: delivery.id, runAtMs: next.nextAttemptAtMs }]);
    return next.status;
  });
}

/**
 * How long a delivery job may stay locked, or a pending delivery overdue, before it counts as
 * stalled: an attempt takes at most the send's timeout and two short statements.
 */
export const STALL_MS = 2 * 60_000;

/**
 * The job queue's safety net, run by the schedule's webhooks job on PostgreSQL:
 *  - a delivery job locked for longer than STALL_MS belongs to an instance that died mid-attempt
 *    (graphile would wait four hours before taking it back): its worker's locks are released,
 *    so the attempt runs again at once (the receiver may see it twice, under one webhook-id);
 *  - a pending delivery of an enabled endpoint overdue by STALL_MS with no job (its endpoint was
 *    disabled when the job ran, or the job used up graphile's attempts on a failing database)
 *    gets a job again.
 * Returns how many workers were unlocked and deliveries queued again.
 */
export async function recoverStalledDeliveries(db: Db, nowMs: number): Promise<{ unlockedWorkers: number; requeued: number }> {
  const jobs = sql.raw(`${JOB_QUEUE_SCHEMA}.jobs`);
  const [unlocked] = (await db.execute(sql`
    with stalled as (
      select distinct locked_by from ${jobs}
      where task_identifier = ${WEBHOOK_DELIVERY_TASK} and locked_at < to_timestamp(${nowMs - STALL_MS}::bigint / 1000.0)
    )
    select (select count(*) from stalled)::int as workers, ${sql.raw(JOB_QUEUE_SCHEMA)}.force_unlock_workers(array(select locked_by from stalled))`)) as unknown as { workers: number }[];
  const orphans = (await db.execute(sql`
    select d.id from ${webhookDeliveries} d join ${webhookEndpoints} e on e.id = d.endpoint_id
    where d.status = 'pending' and e.enabled and d.next_attempt_at_ms < ${nowMs - STALL_MS}::bigint
      and not exists (select 1 from ${jobs} j where j.key = ${`${WEBHOOK_DELIVERY_TASK}:`}::text || d.id and j.attempts < j.max_attempts)
    limit ${BATCH}`)) as unknown as { id: string }[];
  await enqueueWebhookDeliveries(db, orphans.map(({ id }) => ({ id, runAtMs: null })));
  return { unlockedWorkers: unlocked?.workers ?? 0, requeued: orphans.length };
}

export const webhooksJob = defineJob({
  name: "webhooks",
  description:
    "Fans the ledger's event outbox out to organisations' webhook endpoints; on PGlite sends due deliveries (Standard Webhooks signatures, backoff, dead letters), on PostgreSQL queues them for graphile-worker and recovers stalled ones.",
  intervalMs: 5_000,
  // On PostgreSQL a run only fans out and recovers (quick statements), so an instance killed mid-run holds the job for a minute, not the default five.
  ...(usesJobQueue() ? { leaseMs: 60_000 } : {}),
  run: async (db, ctx) => {
    const nowMs = ctx.clock();
    const queue = usesJobQueue();
    const dispatched = await fanOutOutbox(db, nowMs, { queue });
    if (queue) {
      const recovered = await recoverStalledDeliveries(db, nowMs);
      return `${dispatched} event(s) dispatched to the job queue; ${recovered.unlockedWorkers} stalled worker(s) unlocked, ${recovered.requeued} delivery(ies) queued again.`;
    }
    const sent = await sendDueDeliveries(db, nowMs);
    return `${dispatched} event(s) dispatched; ${sent.succeeded} delivered, ${sent.failed} to retry, ${sent.dead} dead-lettered.`;
  },
});
