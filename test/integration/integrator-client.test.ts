import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { claims } from "@/db/schema";
import { buildSigned, toWire } from "@/contracts/client";
import { seedDemo } from "@/server/seed/seed";
import { demoIdentity } from "@/server/seed/ledger-seed";
import { loadActor } from "@/server/auth/accounts";
import { createApiKey } from "@/server/commands/api-keys";
import { createWebhookEndpoint } from "@/server/commands/webhooks";
import { createApiHandler } from "@/server/api/handler";
import { openApiDocument } from "@/server/api/openapi";
import { operatorKey } from "@/server/read/log";
import { fanOutOutbox, sendDueDeliveries } from "@/server/jobs/webhooks";
import { bankClient, demoBankKey, fetchAndVerifyBundle, listApplications, signAndSubmitOffer, verifyWebhook } from "@/scripts/integrator/bank-client";
import { createTestDatabase } from "../helpers/db";
import { runtimeFor } from "../helpers/callers";

/*
 * The example integrator client (scripts/integrator/bank-client.ts: openapi-fetch over the
 * openapi-typescript types) driving /api/v1's real handler: the bank lists its queue,
 * verifies the claim's bundle with the contracts, signs and submits an offer with its own
 * key, and verifies the webhook the holder receives for it.
 */

let database: Database;
let fetchApi: typeof fetch;
const nonce = () => randomBytes(16).toString("hex");
const actorOf = async (userId: string) => (await loadActor(database.db, userId))!;

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemo(database.db);
  while ((await fanOutOutbox(database.db, Date.now())) > 0);
  const handle = createApiHandler(async () => runtimeFor(database.db));
  fetchApi = ((input: Request | string | URL, init?: RequestInit) => handle(input instanceof Request ? input : new Request(input, init))) as typeof fetch;
});
afterAll(async () => database.close());

describe("the example integrator client", () => {
  it("the committed OpenAPI document (docs/api/openapi.json, the types' source) is the one the routes generate", () => {
    expect(JSON.parse(readFileSync("docs/api/openapi.json", "utf8"))).toEqual(openApiDocument());
  });

  it("lists the bank's queue, verifies the bundle, signs and submits an offer, and the holder verifies the webhook", async () => {
    expect(demoBankKey().publicKeyHex).toBe(demoIdentity("org_cmtb").publicKeyHex);
    const tier2 = await actorOf("usr_lingnan_1");
    const hook = await createWebhookEndpoint(database.db, tier2, { url: "https://erp.lingnan.example/hooks", events: ["financing.offered"] });
    const tier2Key = (await createApiKey(database.db, tier2, { name: "erp", scopes: ["read", "submit"], expiresInDays: 7 })).token;
    const bankKey = (await createApiKey(database.db, await actorOf("usr_cmtb_1"), { name: "loan system", scopes: ["read", "submit"], expiresInDays: 7 })).token;

    // Tier 2's ERP applies to the bank for its held piece, with its own signature.
    const [piece] = await database.db.select().from(claims).where(sql`${claims.holderOrgId} = 'org_lingnan' and ${claims.state} = 'held'`).limit(1);
    const request = toWire(buildSigned(demoIdentity("org_lingnan"), "financing.request", { claimId: piece!.id, lenderOrgId: "org_cmtb" }, { nonce: nonce(), createdAtMs: Date.now() }));
    const applied = await bankClient("http://localhost/api/v1", tier2Key, fetchApi).POST("/transactions", { body: request as never });
    expect(applied.response.status).toBe(201);

    const bank = bankClient("http://localhost/api/v1", bankKey, fetchApi);
    const queue = await listApplications(bank);
    const application = queue.find((a) => a.claimId === piece!.id);
    expect(application).toBeDefined();
    const pinned = (await operatorKey(database.db)).publicKeyHex;
    const verified = await fetchAndVerifyBundle(bank, piece!.id, pinned);
    expect(verified).toMatchObject({ ok: true, checkpointHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(await fetchAndVerifyBundle(bank, piece!.id, demoBankKey().publicKeyHex)).toMatchObject({ ok: false });

    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const offer = await signAndSubmitOffer(bank, application!.id, { rateBps: 420, disbursementDate: today, checkpointHash: verified.checkpointHash! });
    expect(offer.problem).toBeNull();
    expect(offer.status).toBe(201);
    expect(BigInt(offer.quote.netMinor)).toBeGreaterThan(0n);

    await fanOutOutbox(database.db, Date.now());
    const sent: { body: string; headers: Record<string, string> }[] = [];
    await sendDueDeliveries(database.db, Date.now(), async (_url, init) => {
      sent.push({ body: String(init.body), headers: init.headers as Record<string, string> });
      return new Response(null, { status: 204 });
    });
    expect(sent).toHaveLength(1);
    expect(verifyWebhook(hook.secret, sent[0]!.body, sent[0]!.headers)).toMatchObject({ type: "financing.offered", data: { financingId: application!.id } });
    expect(() => verifyWebhook(hook.secret, sent[0]!.body.replace("financing", "fin4ncing"), sent[0]!.headers)).toThrow();
  });
});
