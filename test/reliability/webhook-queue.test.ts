import { createServer, type Server } from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { eq, inArray, sql } from "drizzle-orm";
import { webhookDeliveries } from "@/db/schema";
import type { Db } from "@/db/client";
import { enqueueWebhookDeliveries, JOB_QUEUE_SCHEMA, webhookDeliveryJobKey, WEBHOOK_DELIVERY_TASK } from "@/db/job-queue";
import { loadActor } from "@/server/auth/accounts";
import { createWebhookEndpoint, redeliverWebhook, setWebhookEndpointEnabled } from "@/server/commands/webhooks";
import { requireAccepted, submitWire } from "@/server/ledger/service";
import { fanOutOutbox, recoverStalledDeliveries, RETRY_DELAYS_MS, STALL_MS } from "@/server/jobs/webhooks";
import { startWebhookWorker, type WebhookWorker, type WebhookWorkerOptions } from "@/server/jobs/webhook-worker";
import type { DeliveryOutcome } from "@/server/jobs/webhooks";
import { createOwnDatabase, sleep, type OwnDatabase } from "@/scripts/app-server";
import { heldClaims, ids, signed } from "./support";

/*
 * Webhook deliveries on PostgreSQL run on graphile-worker (server/jobs/webhook-worker.ts): real
 * runners on a database of this file's own, a real HTTP receiver on 127.0.0.1:4421 verifying
 * every Standard Webhooks signature, and graphile's own job table read to see each job.
 */

const RECEIVER_PORT = 4421;
const CLOSED_PORT = 4422; // nothing listens here

interface Behaviour {
  secret: string;
  /** Answers 503 this many times before accepting. */
  failuresLeft: number;
  /** Time taken before answering. */
  delayMs: number;
}
interface Received {
  path: string;
  id: string;
  type: string;
  data: Record<string, unknown>;
}

let own: OwnDatabase;
let db: Db;
let receiver: Server;
const endpoints = new Map<string, Behaviour>();
const received: Received[] = [];
const refusedSignatures: string[] = [];
const workers: WebhookWorker[] = [];
/** The endpoints a test made: disabled after it, so the next test's events reach only its own. */
const endpointIds: string[] = [];

beforeAll(async () => {
  own = await createOwnDatabase(process.env.DATABASE_URL!, "dc_queue");
  db = own.database.db;
  // The seed's own events are dispatched first, to no endpoint: the tests see only theirs.
  while ((await fanOutOutbox(db, Date.now())) > 0);
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      const path = req.url ?? "";
      const behaviour = endpoints.get(path);
      setTimeout(() => {
        if (!behaviour) return void res.writeHead(404).end();
        if (behaviour.failuresLeft > 0) {
          behaviour.failuresLeft -= 1;
          return void res.writeHead(503).end("busy");
        }
        try {
          const event = new Webhook(behaviour.secret).verify(body, req.headers as Record<string, string>) as { type: string; data: Record<string, unknown> };
          received.push({ path, id: String(req.headers["webhook-id"]), type: event.type, data: event.data });
          res.writeHead(204).end();
        } catch (error) {
          refusedSignatures.push(String(error));
          res.writeHead(400).end();
        }
      }, behaviour?.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => receiver.listen(RECEIVER_PORT, "127.0.0.1", resolve));
}, 300_000);

afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.stop()));
  const bank = await actorOf("usr_cmtb_1");
  for (const id of endpointIds.splice(0)) await setWebhookEndpointEnabled(db, bank, id, false);
});

afterAll(async () => {
  await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(null)));
  await own?.drop();
});

const actorOf = async (userId: string) => (await loadActor(db, userId))!;

/** A bank endpoint listening to claim.pledged at `path` on the receiver (or at `url`). */
async function bankEndpoint(path: string, behaviour: Partial<Behaviour> = {}, url = `http://127.0.0.1:${RECEIVER_PORT}${path}`) {
  const endpoint = await createWebhookEndpoint(db, await actorOf("usr_cmtb_1"), { url, events: ["claim.pledged"] }, { allowHttp: true });
  endpoints.set(path, { secret: endpoint.secret, failuresLeft: 0, delayMs: 0, ...behaviour });
  endpointIds.push(endpoint.id);
  return endpoint;
}

/** Tier 1 pledges `count` fresh claims to the bank: `count` claim.pledged events in the outbox. */
async function pledges(count: number): Promise<string[]> {
  const claimIds = await heldClaims(db, count);
  const txIds: string[] = [];
  for (const claimId of claimIds) txIds.push(requireAccepted(await submitWire(db, signed(ids.tier1, "claim.pledge", { claimId, lenderOrgId: "org_cmtb" }))).txId);
  // heldClaims' own events (issued, accepted) concern the bank's endpoints not: only pledges are chosen.
  return txIds;
}

async function startWorker(options: Partial<WebhookWorkerOptions> = {}) {
  const worker = await startWebhookWorker(db, { connectionString: own.url, pollIntervalMs: 100, ...options });
  workers.push(worker);
  return worker;
}

async function stopWorker(worker: WebhookWorker) {
  await worker.stop();
  workers.splice(workers.indexOf(worker), 1);
}

interface JobRow {
  key: string | null;
  task_identifier: string;
  run_at_ms: number;
  attempts: number;
  max_attempts: number;
  locked_by: string | null;
}
const jobsOf = async (deliveryIds: readonly string[]) =>
  (await db.execute(
    sql`select key, task_identifier, (extract(epoch from run_at) * 1000)::float8 as run_at_ms, attempts, max_attempts, locked_by from ${sql.raw(`${JOB_QUEUE_SCHEMA}.jobs`)} where key = any(${`{${deliveryIds.map(webhookDeliveryJobKey).join(",")}}`}::text[]) order by key`,
  )) as unknown as JobRow[];

async function waitFor<T>(what: string, look: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await look();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const deliveriesOf = (endpointId: string) => db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpointId));

describe("webhook deliveries on graphile-worker", () => {
  it("queues each delivery's job in the transaction that writes its row, and a worker sends it from graphile's job table", async () => {
    const endpoint = await bankEndpoint("/queued");
    const [txId] = await pledges(1);
    expect(await fanOutOutbox(db, Date.now())).toBeGreaterThan(0);
    const [delivery] = await deliveriesOf(endpoint.id);
    // The job is there before any worker runs: graphile's table holds one job for this delivery, under its key.
    expect(await jobsOf([delivery!.id])).toMatchObject([{ key: webhookDeliveryJobKey(delivery!.id), task_identifier: WEBHOOK_DELIVERY_TASK, attempts: 0, locked_by: null }]);
    // A job added in a transaction that rolls back does not exist: nothing is sent for a write that never committed.
    await expect(
      db.transaction(async (tx) => {
        await enqueueWebhookDeliveries(tx, [{ id: "msg_rolled_back", runAtMs: Date.now() }]);
        throw new Error("the write fails");
      }),
    ).rejects.toThrow("the write fails");
    expect(await jobsOf(["msg_rolled_back"])).toEqual([]);

    const outcomes: DeliveryOutcome[] = [];
    const worker = await startWorker({ onAttempt: (id, outcome) => id === delivery!.id && outcomes.push(outcome) });
    const arrived = await waitFor("the delivery", () => received.find((r) => r.path === "/queued"));
    expect(arrived).toMatchObject({ id: delivery!.id, type: "claim.pledged", data: { txId, lenderOrgId: "org_cmtb" } });
    await waitFor("the job to complete", async () => ((await jobsOf([delivery!.id])).length === 0 ? true : undefined));
    expect(outcomes).toEqual(["succeeded"]);
    const [after] = await deliveriesOf(endpoint.id);
    expect(after).toMatchObject({ status: "succeeded", attempts: 1, lastResponseStatus: 204, nextAttemptAtMs: null });
    await stopWorker(worker);
  });

  it("retries a receiver that fails, each attempt a job due when the schedule says, until it recovers", async () => {
    const endpoint = await bankEndpoint("/flaky", { failuresLeft: 1 });
    await pledges(1);
    await fanOutOutbox(db, Date.now());
    const [delivery] = await deliveriesOf(endpoint.id);
    // The real schedule: after the first failure the next attempt's job is due RETRY_DELAYS_MS[0] after it.
    const worker = await startWorker();
    const failed = await waitFor("the first attempt", async () => (await deliveriesOf(endpoint.id)).find((d) => d.attempts === 1));
    expect(failed).toMatchObject({ status: "pending", lastResponseStatus: 503, nextAttemptAtMs: failed.lastAttemptAtMs! + RETRY_DELAYS_MS[0] });
    const [next] = await jobsOf([delivery!.id]);
    expect(next!.run_at_ms).toBe(failed.lastAttemptAtMs! + RETRY_DELAYS_MS[0]);
    await stopWorker(worker);

    // A short schedule (injected, as the whole day would be too long for a test): two more failures, then the receiver recovers.
    endpoints.get("/flaky")!.failuresLeft = 2;
    await db.execute(sql`update ${sql.raw(`${JOB_QUEUE_SCHEMA}._private_jobs`)} set run_at = now() where key = ${webhookDeliveryJobKey(delivery!.id)}`);
    const outcomes: DeliveryOutcome[] = [];
    const short = await startWorker({ deliver: { delaysMs: [150, 150, 150, 150] }, onAttempt: (id, outcome) => id === delivery!.id && outcomes.push(outcome) });
    await waitFor("the recovered delivery", () => received.find((r) => r.path === "/flaky"));
    await waitFor("the job to complete", async () => ((await jobsOf([delivery!.id])).length === 0 ? true : undefined));
    expect(outcomes).toEqual(["pending", "pending", "succeeded"]);
    const [after] = await deliveriesOf(endpoint.id);
    expect(after).toMatchObject({ status: "succeeded", attempts: 4, lastResponseStatus: 204 });
    expect(received.filter((r) => r.path === "/flaky").map((r) => r.id)).toEqual([delivery!.id]);
    await stopWorker(short);
  });

  it("dead-letters a delivery when the schedule runs out, leaves no job behind, and redelivery from the settings page queues one", async () => {
    const endpoint = await bankEndpoint("/closed", {}, `http://127.0.0.1:${CLOSED_PORT}/closed`);
    await pledges(1);
    await fanOutOutbox(db, Date.now());
    const [delivery] = await deliveriesOf(endpoint.id);
    const delaysMs = [50, 100, 150];
    const outcomes: DeliveryOutcome[] = [];
    const worker = await startWorker({ deliver: { delaysMs }, onAttempt: (id, outcome) => id === delivery!.id && outcomes.push(outcome) });
    const dead = await waitFor("the dead letter", async () => (await deliveriesOf(endpoint.id)).find((d) => d.status === "dead"));
    expect(outcomes).toEqual(["pending", "pending", "pending", "dead"]);
    expect(dead).toMatchObject({ attempts: delaysMs.length + 1, nextAttemptAtMs: null, lastResponseStatus: null });
    expect(dead.lastResponseBody).toMatch(/^No answer/);
    await waitFor("the last job to complete", async () => ((await jobsOf([delivery!.id])).length === 0 ? true : undefined));
    await stopWorker(worker);

    // The receiver is back (the endpoint now points at it); the admin redelivers: a job is queued with the reset row.
    await db.execute(sql`update webhook_endpoints set url = ${`http://127.0.0.1:${RECEIVER_PORT}/closed`} where id = ${endpoint.id}`);
    await redeliverWebhook(db, await actorOf("usr_cmtb_1"), delivery!.id);
    expect(await jobsOf([delivery!.id])).toMatchObject([{ key: webhookDeliveryJobKey(delivery!.id), attempts: 0 }]);
    const again = await startWorker();
    await waitFor("the redelivered event", () => received.find((r) => r.path === "/closed"));
    await waitFor("the redelivery recorded", async () => (await deliveriesOf(endpoint.id)).find((d) => d.status === "succeeded"));
    expect((await deliveriesOf(endpoint.id))[0]).toMatchObject({ attempts: 1, lastResponseStatus: 204 });
    await stopWorker(again);
  });

  it("takes back a job a killed worker left locked, and queues again a pending delivery that has no job", async () => {
    const endpoint = await bankEndpoint("/stalled");
    await pledges(2);
    await fanOutOutbox(db, Date.now());
    const deliveries = await deliveriesOf(endpoint.id);
    expect(deliveries).toHaveLength(2);
    const [locked, jobless] = deliveries.map((d) => d.id) as [string, string];
    // What a SIGKILLed instance leaves: one job locked by a worker that will never finish it, and (a job spent on a failing database) one delivery with no job.
    await db.execute(sql`update ${sql.raw(`${JOB_QUEUE_SCHEMA}._private_jobs`)} set locked_at = now() - interval '3 minutes', locked_by = 'worker-killed', attempts = 1 where key = ${webhookDeliveryJobKey(locked)}`);
    await db.execute(sql`delete from ${sql.raw(`${JOB_QUEUE_SCHEMA}._private_jobs`)} where key = ${webhookDeliveryJobKey(jobless)}`);
    const worker = await startWorker();
    await sleep(500);
    expect(received.filter((r) => r.path === "/stalled")).toEqual([]);
    // The schedule's webhooks job runs this; STALL_MS after the deliveries were due.
    expect(await recoverStalledDeliveries(db, Date.now() + STALL_MS + 1)).toEqual({ unlockedWorkers: 1, requeued: 1 });
    await waitFor("both deliveries", () => (received.filter((r) => r.path === "/stalled").length === 2 ? true : undefined));
    expect(received.filter((r) => r.path === "/stalled").map((r) => r.id).sort()).toEqual([locked, jobless].sort());
    await waitFor("both jobs to complete", async () => ((await jobsOf([locked, jobless])).length === 0 ? true : undefined));
    // Nothing left to recover.
    expect(await recoverStalledDeliveries(db, Date.now() + STALL_MS + 1)).toEqual({ unlockedWorkers: 0, requeued: 0 });
    await stopWorker(worker);
  });

  it("stops cleanly: a stop waits for the attempt on the wire, records it and leaves no job locked", async () => {
    const endpoint = await bankEndpoint("/slow", { delayMs: 800 });
    await pledges(1);
    await fanOutOutbox(db, Date.now());
    const [delivery] = await deliveriesOf(endpoint.id);
    const worker = await startWorker();
    await waitFor("the attempt to start", async () => ((await jobsOf([delivery!.id]))[0]?.locked_by ? true : undefined));
    await stopWorker(worker);
    expect(received.filter((r) => r.path === "/slow").map((r) => r.id)).toEqual([delivery!.id]);
    expect((await deliveriesOf(endpoint.id))[0]).toMatchObject({ status: "succeeded", attempts: 1 });
    expect(await jobsOf([delivery!.id])).toEqual([]);
  });

  it("with two workers on the database, sends each delivery once", async () => {
    const paths = Array.from({ length: 8 }, (_, i) => `/pair/${i}`);
    const made = [];
    for (const path of paths) made.push(await bankEndpoint(path, { delayMs: 20 }));
    await pledges(5);
    await fanOutOutbox(db, Date.now());
    const deliveries = await db.select({ id: webhookDeliveries.id }).from(webhookDeliveries).where(inArray(webhookDeliveries.endpointId, made.map((e) => e.id)));
    expect(deliveries).toHaveLength(paths.length * 5);
    const byWorker = [0, 0];
    const mine = new Set(deliveries.map((d) => d.id));
    await Promise.all([0, 1].map((n) => startWorker({ concurrency: 2, onAttempt: (id) => void (mine.has(id) && (byWorker[n]! += 1)) })));
    const ours = () => received.filter((r) => r.path.startsWith("/pair/"));
    await waitFor("every delivery", () => (ours().length >= deliveries.length ? true : undefined), 60_000);
    await sleep(1_000); // a second copy would arrive now
    expect(ours().map((r) => r.id).sort()).toEqual(deliveries.map((d) => d.id).sort());
    expect(byWorker[0]! + byWorker[1]!).toBe(deliveries.length);
    // Both took part: graphile shared the jobs out, it did not merely run them in one process.
    expect(byWorker[0]).toBeGreaterThan(0);
    expect(byWorker[1]).toBeGreaterThan(0);
    expect(refusedSignatures).toEqual([]);
  });
});
