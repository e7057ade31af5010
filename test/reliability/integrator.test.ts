import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { claims, financings } from "@/db/schema";
import { buildSigned, toWire } from "@/contracts/client";
import { loadActor } from "@/server/auth/accounts";
import { createApiKey } from "@/server/commands/api-keys";
import { createWebhookEndpoint } from "@/server/commands/webhooks";
import { latestCheckpointTextHash } from "@/server/ledger/service";
import { operatorKey } from "@/server/read/log";
import { demoIdentity } from "@/server/seed/ledger-seed";
import { createOwnDatabase, freePort, sleep, startAppServer, type AppServer, type OwnDatabase } from "@/scripts/app-server";
import { bankClient, demoBankKey, verifyWebhook } from "@/scripts/integrator/bank-client";

/*
 * The example integrator client (scripts/integrator/example.ts, run as integrators run it:
 * `npx tsx`, its own process) against the built app (`next start`) over HTTP, completing a
 * financing end to end over /api/v1 with API keys: tier 2's ERP applies, the bank's example
 * client verifies the claim's bundle and signs and submits an offer, the ERP accepts, the
 * bank disburses; tier 2's webhook receiver (a real HTTP server) gets the offer and the
 * disbursement from the app's own job, each verified with standardwebhooks and exactly once.
 */

const run = promisify(execFile);
let own: OwnDatabase;
let app: AppServer;
let receiver: Server;
let secret = "";
const received: { id: string; type: string; data: Record<string, unknown> }[] = [];
const rejected: string[] = [];
let bankKey = "";
let erpKey = "";

beforeAll(async () => {
  own = await createOwnDatabase(process.env.DATABASE_URL!, "dc_integrator");
  const db = own.database.db;
  const actor = async (userId: string) => (await loadActor(db, userId))!;
  bankKey = (await createApiKey(db, await actor("usr_cmtb_1"), { name: "loan system", scopes: ["read", "submit"], expiresInDays: 7 })).token;
  erpKey = (await createApiKey(db, await actor("usr_lingnan_1"), { name: "erp", scopes: ["read", "submit"], expiresInDays: 7 })).token;

  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      try {
        const event = verifyWebhook(secret, body, req.headers as Record<string, string>);
        received.push({ id: String(req.headers["webhook-id"]), type: event.type, data: event.data });
        res.writeHead(204).end();
      } catch (error) {
        rejected.push(String(error));
        res.writeHead(400).end();
      }
    });
  });
  const receiverPort = await freePort();
  await new Promise<void>((resolve) => receiver.listen(receiverPort, "127.0.0.1", resolve));
  const endpoint = await createWebhookEndpoint(db, await actor("usr_lingnan_1"), { url: `http://127.0.0.1:${receiverPort}/double-chain`, events: ["financing.offered", "financing.disbursed"] }, { allowHttp: true });
  secret = endpoint.secret;

  app = await startAppServer({ databaseUrl: own.url, port: await freePort(), log: (line) => console.log(`[integrator] ${line}`) });
}, 300_000);
afterAll(async () => {
  await app?.kill("SIGTERM");
  await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(null)));
  await own?.drop();
});

const nonce = () => randomBytes(16).toString("hex");

async function waitFor<T>(what: string, look: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = look();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

describe("the example integrator client against the built app", () => {
  it("completes a financing over /api/v1 with API keys, and the holder's webhooks arrive verified, once each", async () => {
    const db = own.database.db;
    const api = `${app.url}/api/v1`;
    const erp = bankClient(api, erpKey);
    const bank = bankClient(api, bankKey);

    // Tier 2's ERP applies to the bank for a piece it holds, signed with tier 2's own key.
    const [piece] = await db.select().from(claims).where(sql`${claims.holderOrgId} = 'org_lingnan' and ${claims.state} = 'held'`).limit(1);
    const request = toWire(buildSigned(demoIdentity("org_lingnan"), "financing.request", { claimId: piece!.id, lenderOrgId: "org_cmtb" }, { nonce: nonce(), createdAtMs: Date.now() }));
    const applied = await erp.POST("/transactions", { body: request as never });
    expect(applied.response.status).toBe(201);
    const [financing] = await db.select().from(financings).where(sql`${financings.claimId} = ${piece!.id} and ${financings.status} = 'requested'`);

    // The bank's loan system: the example client as a process of its own, with the operator key pinned.
    const pinned = (await operatorKey(db)).publicKeyHex;
    const { stdout } = await run("npx", ["tsx", "scripts/integrator/example.ts"], { env: { ...process.env, DC_API_URL: api, DC_API_KEY: bankKey, DC_OPERATOR_KEY: pinned, DC_FINANCING_ID: financing!.id }, timeout: 120_000 });
    expect(stdout).toContain(`claim ${piece!.id}: provenance verified`);
    expect(stdout).toContain("offer: HTTP 201");

    // The ERP accepts the offer; the bank disburses, signing with its own key.
    const accepted = await erp.POST("/transactions", { body: toWire(buildSigned(demoIdentity("org_lingnan"), "financing.accept", { financingId: financing!.id }, { nonce: nonce(), createdAtMs: Date.now() })) as never });
    expect(accepted.response.status).toBe(201);
    const disbursed = await bank.POST("/transactions", { body: toWire(buildSigned(demoBankKey(), "financing.disburse", { financingId: financing!.id, paymentReference: "CMTB-API-E2E-1", checkpointHash: (await latestCheckpointTextHash(db))! }, { nonce: nonce(), createdAtMs: Date.now() })) as never });
    expect(disbursed.response.status).toBe(201);
    const [after] = await db.select().from(financings).where(sql`${financings.id} = ${financing!.id}`);
    expect(after!.status).toBe("disbursed");

    // The app's webhooks job delivers both events to tier 2's receiver, signed.
    // Wait for this financing's own events: the seed's earlier financings have webhooks of their own in the outbox.
    const ours = (type: string) => received.find((event) => event.type === type && event.data.financingId === financing!.id);
    await waitFor("this financing's offer webhook", () => ours("financing.offered"));
    await waitFor("this financing's disbursement webhook", () => ours("financing.disbursed"));
    await sleep(6_000); // one more run of the job: a second copy would arrive now
    expect(rejected).toEqual([]);
    const mine = received.filter((event) => event.data.financingId === financing!.id);
    expect(mine.map((event) => event.type).sort()).toEqual(["financing.disbursed", "financing.offered"]);
    expect(new Set(received.map((event) => event.id)).size).toBe(received.length);
  }, 240_000);
});
