import { and, asc, eq, inArray, isNull, lte } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import type { Db } from "@/db/client";
import { claims, financings, ledgerOutbox, webhookDeliveries, webhookEndpoints } from "@/db/schema";
import { newId } from "../ids";
import { defineJob } from "./scheduler";

/*
 * The webhooks job: (1) fans the ledger's outbox (written in the append's own database
 * transaction, server/ledger/outbox.ts) out to the endpoints of the organisations an event
 * concerns, one delivery per (endpoint, event), idempotently; (2) sends due deliveries,
 * signed as Standard Webhooks says (webhook-id, webhook-timestamp, webhook-signature), and
 * retries a failure with exponential backoff for about a day, then dead-letters it. It runs
 * on the in-app schedule kept in PostgreSQL (scheduler.ts), once across instances, on PGlite
 * and on PostgreSQL alike; a delivery is at least once, and receivers deduplicate by webhook-id.
 *
 * Rejected alternative: graphile-worker or pg-boss. They need PostgreSQL's LISTEN and their own
 * schema, which PGlite (the default database) does not carry in-process; the schedule already
 * gives one leased run at a time, which is what ordering deliveries needs.
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

/** Creates the deliveries of undispatched outbox rows, oldest first; returns how many rows it dispatched. */
export async function fanOutOutbox(db: Db, nowMs: number): Promise<number> {
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
    if (deliveries.length) await tx.insert(webhookDeliveries).values(deliveries).onConflictDoNothing();
    await tx.update(ledgerOutbox).set({ dispatchedAtMs: nowMs }).where(inArray(ledgerOutbox.id, rows.map((r) => r.id)));
  });
  return rows.length;
}

export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/** Sends every due delivery once; returns how many succeeded and failed. */
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
    const attemptAtMs = nowMs;
    const signature = new Webhook(secret).sign(delivery.id, new Date(attemptAtMs), delivery.body);
    let status: number | null = null;
    let responseBody = "";
    try {
      const response = await send(url, {
        method: "POST",
        headers: { "content-type": "application/json", "webhook-id": delivery.id, "webhook-timestamp": String(Math.floor(attemptAtMs / 1000)), "webhook-signature": signature },
        body: delivery.body,
        redirect: "manual",
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      status = response.status;
      responseBody = (await response.text()).slice(0, 1000);
    } catch (error) {
      responseBody = `No answer: ${error instanceof Error ? error.message : String(error)}`.slice(0, 1000);
    }
    const attempts = delivery.attempts + 1;
    const ok = status !== null && status >= 200 && status < 300;
    const dead = !ok && attempts > RETRY_DELAYS_MS.length;
    await db
      .update(webhookDeliveries)
      .set({
        attempts,
        lastAttemptAtMs: attemptAtMs,
        lastResponseStatus: status,
        lastResponseBody: responseBody,
        status: ok ? "succeeded" : dead ? "dead" : "pending",
        nextAttemptAtMs: ok || dead ? null : attemptAtMs + RETRY_DELAYS_MS[attempts - 1]!,
      })
      .where(eq(webhookDeliveries.id, delivery.id));
    if (ok) tally.succeeded += 1;
    else if (dead) tally.dead += 1;
    else tally.failed += 1;
  }
  return tally;
}

export const webhooksJob = defineJob({
  name: "webhooks",
  description: "Fans the ledger's event outbox out to organisations' webhook endpoints and sends due deliveries (Standard Webhooks signatures, backoff, dead letters).",
  intervalMs: 5_000,
  run: async (db, ctx) => {
    const nowMs = ctx.clock();
    const dispatched = await fanOutOutbox(db, nowMs);
    const sent = await sendDueDeliveries(db, nowMs);
    return `${dispatched} event(s) dispatched; ${sent.succeeded} delivered, ${sent.failed} to retry, ${sent.dead} dead-lettered.`;
  },
});
