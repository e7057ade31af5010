import { createServer, type Server } from "node:http";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { eq, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { claims, ledgerOutbox, webhookDeliveries } from "@/db/schema";
import { buildSigned, toWire } from "@/contracts/client";
import { seedDemo } from "@/server/seed/seed";
import { demoIdentity } from "@/server/seed/ledger-seed";
import { loadActor } from "@/server/auth/accounts";
import { submitWire } from "@/server/ledger/service";
import { createWebhookEndpoint, listWebhookDeliveries, redeliverWebhook } from "@/server/commands/webhooks";
import { fanOutOutbox, RETRY_DELAYS_MS, sendDueDeliveries } from "@/server/jobs/webhooks";
import { createTestDatabase } from "../helpers/db";

/*
 * Webhooks on a real database with a real HTTP receiver (port 3861, localhost) that verifies
 * every Standard Webhooks signature with the standardwebhooks package, as an integrator would.
 */

interface Received {
  id: string;
  verified: unknown;
}
let database: Database;
let receiver: Server;
let receiverUrl: string;
let secret = "";
let failuresLeft = 0;
const received: Received[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemo(database.db);
  // The seed's own events are dispatched first (to no endpoint): the tests see only theirs.
  while ((await fanOutOutbox(database.db, Date.now())) > 0);
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      if (failuresLeft > 0) {
        failuresLeft -= 1;
        res.writeHead(503).end("busy");
        return;
      }
      // Throws on a bad signature or a stale timestamp: the receiver then answers 400.
      try {
        const verified = new Webhook(secret).verify(body, req.headers as Record<string, string>);
        received.push({ id: String(req.headers["webhook-id"]), verified });
        res.writeHead(204).end();
      } catch (error) {
        res.writeHead(400).end(String(error));
      }
    });
  });
  await new Promise<void>((resolve) => receiver.listen(3861, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
});
afterAll(async () => {
  await new Promise((resolve) => receiver.close(resolve));
  await database.close();
});

const nonce = () => randomBytes(16).toString("hex");
const actorOf = async (userId: string) => (await loadActor(database.db, userId))!;

async function pledgeHeldPiece(lenderOrgId: string, holderOrgId = "org_lingnan") {
  const [kept] = await database.db.select().from(claims).where(sql`${claims.holderOrgId} = ${holderOrgId} and ${claims.state} = 'held'`).limit(1);
  const wire = toWire(buildSigned(demoIdentity(holderOrgId), "claim.pledge", { claimId: kept!.id, lenderOrgId }, { nonce: nonce(), createdAtMs: Date.now() }));
  const result = await submitWire(database.db, wire);
  return { result, wire };
}

describe("webhooks", () => {
  it("refuses http endpoints unless allowed, and events nobody chose", async () => {
    const bank = await actorOf("usr_cmtb_1");
    await expect(createWebhookEndpoint(database.db, bank, { url: "http://example.com/h", events: ["claim.pledged"] }, { allowHttp: false })).rejects.toMatchObject({ code: "webhook_url_not_https" });
    await expect(createWebhookEndpoint(database.db, bank, { url: "https://example.com/h", events: ["nonsense"] })).rejects.toMatchObject({ code: "webhook_events_invalid" });
    await expect(createWebhookEndpoint(database.db, await actorOf("usr_huaxin_2"), { url: "https://example.com/h", events: ["claim.pledged"] })).rejects.toMatchObject({ code: "not_allowed" });
  });

  it("writes the outbox in the append's transaction: an accepted transaction has its event rows, a refused one none", async () => {
    const { result } = await pledgeHeldPiece("org_cmtb");
    expect(result.status).toBe("accepted");
    const rows = await database.db.select().from(ledgerOutbox).where(eq(ledgerOutbox.txId, result.txId!));
    expect(rows.map((r) => r.type)).toEqual(["claim.pledged"]);
    const refusedWire = toWire(buildSigned(demoIdentity("org_lingnan"), "claim.pledge", { claimId: "c_000000000000000000000000", lenderOrgId: "org_cmtb" }, { nonce: nonce(), createdAtMs: Date.now() }));
    const refused = await submitWire(database.db, refusedWire);
    expect(refused.status).toBe("refused");
    expect(await database.db.select().from(ledgerOutbox).where(eq(ledgerOutbox.txId, refused.txId!))).toHaveLength(0);
    while ((await fanOutOutbox(database.db, Date.now())) > 0);
  });

  it("delivers a signed event to the concerned organisation only, retries a failing receiver with backoff, and it arrives verified exactly once", async () => {
    const bankEndpoint = await createWebhookEndpoint(database.db, await actorOf("usr_cmtb_1"), { url: receiverUrl, events: ["claim.pledged"] }, { allowHttp: true });
    // The factor listens to the same event; a pledge to the bank does not concern it.
    await createWebhookEndpoint(database.db, await actorOf("usr_gbfactor_1"), { url: `${receiverUrl}/factor`, events: ["claim.pledged"] }, { allowHttp: true });
    secret = bankEndpoint.secret;
    const { result } = await pledgeHeldPiece("org_cmtb");
    const t0 = Date.now();
    expect(await fanOutOutbox(database.db, t0)).toBe(1);
    expect(await fanOutOutbox(database.db, t0)).toBe(0);
    const deliveries = await database.db.select().from(webhookDeliveries);
    expect(deliveries.map((d) => d.endpointId)).toEqual([bankEndpoint.id]);

    failuresLeft = 1;
    expect(await sendDueDeliveries(database.db, t0)).toEqual({ succeeded: 0, failed: 1, dead: 0 });
    const [afterFailure] = await database.db.select().from(webhookDeliveries);
    expect(afterFailure).toMatchObject({ status: "pending", attempts: 1, lastResponseStatus: 503, nextAttemptAtMs: t0 + RETRY_DELAYS_MS[0] });
    // Not due yet: nothing is sent before the backoff ends.
    expect(await sendDueDeliveries(database.db, t0 + RETRY_DELAYS_MS[0] - 1)).toEqual({ succeeded: 0, failed: 0, dead: 0 });
    // The receiver's clock check (5 minutes' tolerance) sees a timestamp from the test's clock: keep it near now.
    expect(await sendDueDeliveries(database.db, t0 + RETRY_DELAYS_MS[0])).toEqual({ succeeded: 1, failed: 0, dead: 0 });
    expect(await sendDueDeliveries(database.db, t0 + 3_600_000)).toEqual({ succeeded: 0, failed: 0, dead: 0 });

    expect(received).toHaveLength(1);
    expect(received[0]!.id).toBe(deliveries[0]!.id);
    expect(received[0]!.verified).toMatchObject({ type: "claim.pledged", data: { txId: result.txId, lenderOrgId: "org_cmtb" } });
    const listed = await listWebhookDeliveries(database.db, await actorOf("usr_cmtb_1"));
    expect(listed[0]).toMatchObject({ status: "succeeded", attempts: 2, lastResponseStatus: 204 });
  });

  it("dead-letters a delivery after the last retry, and redelivery sends it again", async () => {
    const factor = await actorOf("usr_gbfactor_1");
    const endpoint = await createWebhookEndpoint(database.db, factor, { url: "http://127.0.0.1:4462/closed", events: ["claim.pledged"] }, { allowHttp: true });
    await pledgeHeldPiece("org_gbfactor", "org_pearl");
    let now = Date.now();
    await fanOutOutbox(database.db, now);
    const [delivery] = await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpoint.id));
    for (const delay of [0, ...RETRY_DELAYS_MS]) {
      now += delay;
      await sendDueDeliveries(database.db, now);
    }
    const [dead] = await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, delivery!.id));
    expect(dead).toMatchObject({ status: "dead", attempts: RETRY_DELAYS_MS.length + 1, nextAttemptAtMs: null, lastResponseStatus: null });
    await expect(redeliverWebhook(database.db, await actorOf("usr_cmtb_1"), delivery!.id)).rejects.toMatchObject({ code: "webhook_delivery_not_found" });
    await redeliverWebhook(database.db, factor, delivery!.id, now);
    const [again] = await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, delivery!.id));
    expect(again).toMatchObject({ status: "pending", attempts: 0, nextAttemptAtMs: now });
  });
});
