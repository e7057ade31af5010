import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import { sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { claims, financings } from "@/db/schema";
import { buildSigned, toWire } from "@/contracts/client";
import { REFUSAL_TEXTS } from "@/contracts/ledger/refusals";
import { seedDemo } from "@/server/seed/seed";
import { demoIdentity } from "@/server/seed/ledger-seed";
import { loadActor } from "@/server/auth/accounts";
import { createApiKey, listApiAudit, revokeApiKey } from "@/server/commands/api-keys";
import { createApiHandler } from "@/server/api/handler";
import { openApiDocument } from "@/server/api/openapi";
import { refusalStatus } from "@/server/api/routes";
import { createTestDatabase } from "../helpers/db";
import { runtimeFor } from "../helpers/callers";

/*
 * /api/v1 end to end through its HTTP handler (Request in, Response out) on a real database:
 * the OpenAPI document is valid OpenAPI 3.1, every answer below is checked against the
 * document's schema for its route and status, and API keys are attacked.
 */

type Json = Record<string, unknown>;
let database: Database;
let handle: (req: Request) => Promise<Response>;
const document = openApiDocument();
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
const checked = new Set<string>();

/** The schema the document gives for this route's answer, with the Problem $ref inlined. */
function responseSchema(path: string, method: string, status: number): Json {
  const op = (document.paths as Record<string, Record<string, Json>>)[path]![method.toLowerCase()]!;
  const response = (op.responses as Record<string, Json>)[String(status)];
  if (!response) throw new Error(`${method} ${path} does not document ${status}`);
  const content = response.content as Record<string, { schema: Json }>;
  const schema = (content["application/json"] ?? content["application/problem+json"])!.schema;
  const problem = ((document.components as Json).schemas as Json).Problem as Json;
  return JSON.parse(JSON.stringify(schema).replaceAll('{"$ref":"#/components/schemas/Problem"}', JSON.stringify(problem))) as Json;
}

/** Calls the API and checks the answer against the document (route template given, so the schema is found). */
async function call(template: string, method: string, url: string, token: string | null, init: { body?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (token) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const response = await handle(new Request(`http://localhost/api/v1${url}`, { method, headers, ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}) }));
  const body = (await response.json()) as Json;
  const validate = ajv.compile(responseSchema(template, method, response.status));
  if (!validate(body)) throw new Error(`${method} ${url} ${response.status} does not match the document: ${JSON.stringify(validate.errors)}`);
  const expectedType = response.status >= 400 ? "application/problem+json" : "application/json";
  expect(response.headers.get("content-type")).toBe(expectedType);
  checked.add(`${method} ${template}`);
  return { status: response.status, body, headers: response.headers };
}

const nonce = () => randomBytes(16).toString("hex");
const actorOf = async (userId: string) => (await loadActor(database.db, userId))!;
let bankRead: string;
let bankSubmit: string;
let tier2Submit: string;
let tier2ReadOnly: string;

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemo(database.db);
  handle = createApiHandler(async () => runtimeFor(database.db), { requestsPerMinute: 1000 });
  bankRead = (await createApiKey(database.db, await actorOf("usr_cmtb_1"), { name: "loan system", scopes: ["read"], expiresInDays: 30 })).token;
  bankSubmit = (await createApiKey(database.db, await actorOf("usr_cmtb_1"), { name: "loan system writer", scopes: ["read", "submit"], expiresInDays: 30 })).token;
  tier2Submit = (await createApiKey(database.db, await actorOf("usr_lingnan_1"), { name: "erp", scopes: ["read", "submit"], expiresInDays: 30 })).token;
  tier2ReadOnly = (await createApiKey(database.db, await actorOf("usr_lingnan_1"), { name: "erp reader", scopes: ["read"], expiresInDays: 30 })).token;
});
afterAll(async () => database.close());

describe("the OpenAPI document", () => {
  it("is valid OpenAPI 3.1 (by @seriousme/openapi-schema-validator) and is served at /api/v1/openapi.json", async () => {
    const result = await new Validator().validate(document as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    const served = await handle(new Request("http://localhost/api/v1/openapi.json"));
    expect(((await served.json()) as Json).openapi).toBe("3.1.0");
    const page = await handle(new Request("http://localhost/api/v1/docs"));
    expect(await page.text()).toContain("GET /api/v1/claims/{claimId}/provenance");
  });
});

describe("reads with an API key", () => {
  it("lists the tier's own claims with cursor pages and filters, and gets one", async () => {
    const first = await call("/claims", "GET", "/claims?limit=1", tier2Submit);
    expect(first.status).toBe(200);
    const items = first.body.items as Json[];
    expect(items).toHaveLength(1);
    expect(typeof items[0]!.amountMinor).toBe("string");
    const all: Json[] = [...items];
    for (let cursor = first.body.nextCursor as string | null; cursor; ) {
      const page = await call("/claims", "GET", `/claims?limit=1&cursor=${cursor}`, tier2Submit);
      all.push(...(page.body.items as Json[]));
      cursor = page.body.nextCursor as string | null;
    }
    const whole = await call("/claims", "GET", "/claims?limit=200", tier2Submit);
    expect(all.map((c) => c.id)).toEqual((whole.body.items as Json[]).map((c) => c.id));
    const held = await call("/claims", "GET", "/claims?state=held", tier2Submit);
    expect((held.body.items as Json[]).every((c) => c.state === "held")).toBe(true);
    const one = await call("/claims/{claimId}", "GET", `/claims/${items[0]!.id as string}`, tier2Submit);
    expect(one.body.id).toBe(items[0]!.id);
    expect((await call("/claims", "GET", "/claims?limit=0", tier2Submit)).body.code).toBe("invalid_input");
  });

  it("answers the lender's queue, an application, its quote, credit lines, the checkpoint, keys and the provenance bundle", async () => {
    const queue = await call("/financing/applications", "GET", "/financing/applications?role=lender", bankRead);
    const applications = queue.body.items as Json[];
    expect(applications.length).toBeGreaterThan(0);
    const financingId = applications[0]!.id as string;
    expect((await call("/financing/applications/{financingId}", "GET", `/financing/applications/${financingId}`, bankRead)).body.id).toBe(financingId);
    const [row] = await database.db.select().from(financings).where(sql`${financings.id} = ${financingId}`);
    const [claim] = await database.db.select().from(claims).where(sql`${claims.id} = ${row!.claimId}`);
    const quote = await call("/financing/applications/{financingId}/quote", "GET", `/financing/applications/${financingId}/quote?rateBps=420&disbursementDate=2020-01-01`, bankRead);
    expect(quote.status).toBe(200);
    expect(BigInt(quote.body.netMinor as string) + BigInt(quote.body.interestMinor as string) + BigInt(quote.body.feesMinor as string)).toBe(BigInt(quote.body.faceMinor as string));
    expect(quote.body.maturityDate).toBe(claim!.maturityDate);
    expect((await call("/credit-lines", "GET", "/credit-lines", bankRead)).body.items).not.toHaveLength(0);
    expect((await call("/checkpoints/latest", "GET", "/checkpoints/latest", bankRead)).body.size).toBeGreaterThan(0);
    const keys = await call("/organisations/keys", "GET", "/organisations/keys", bankRead);
    expect((keys.body.items as Json[]).find((o) => o.orgId === "org_cmtb")?.keys).not.toHaveLength(0);
    const bundle = await call("/claims/{claimId}/provenance", "GET", `/claims/${claim!.id}/provenance`, bankRead);
    expect((bundle.body.bundle as Json).claimId).toBe(claim!.id);
    // Only core enterprises see what falls due: a lender's key is forbidden, the core enterprise's answers.
    expect((await call("/repayments/falling-due", "GET", "/repayments/falling-due", bankRead)).status).toBe(403);
    const core = (await createApiKey(database.db, await actorOf("usr_huaxin_1"), { name: "treasury", scopes: ["read"], expiresInDays: 1 })).token;
    expect((await call("/repayments/falling-due", "GET", "/repayments/falling-due", core)).body.items).not.toHaveLength(0);
  });
});

describe("API keys under attack", () => {
  it("refuses anonymous, unknown, revoked and expired keys with 401 and a Bearer challenge", async () => {
    const admin = await actorOf("usr_lingnan_1");
    const revoked = await createApiKey(database.db, admin, { name: "old", scopes: ["read"], expiresInDays: 1 });
    await revokeApiKey(database.db, admin, revoked.id);
    const expired = await createApiKey(database.db, admin, { name: "short", scopes: ["read"], expiresInDays: 1 }, Date.now() - 2 * 24 * 3600 * 1000);
    for (const token of [null, "dck_nonsense", revoked.token, expired.token, `${tier2Submit}x`]) {
      const answer = await call("/claims", "GET", "/claims", token);
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe("api_key_invalid");
      expect(answer.headers.get("www-authenticate")).toMatch(/^Bearer/);
    }
  });

  it("keeps organisations apart: another organisation's claim is 404, another's signature 403", async () => {
    const [tier2Held] = await database.db.select().from(claims).where(sql`${claims.holderOrgId} = 'org_lingnan' and ${claims.state} = 'held'`);
    expect((await call("/claims/{claimId}", "GET", `/claims/${tier2Held!.id}`, bankRead)).status).toBe(404);
    const wire = toWire(buildSigned(demoIdentity("org_lingnan"), "claim.pledge", { claimId: tier2Held!.id, lenderOrgId: "org_cmtb" }, { nonce: nonce(), createdAtMs: Date.now() }));
    // The bank's key cannot submit tier 2's transaction, even though tier 2 signed it.
    expect((await call("/transactions", "POST", "/transactions", bankSubmit, { body: wire })).status).toBe(403);
    // A read-only key cannot submit at all.
    const readOnly = await call("/transactions", "POST", "/transactions", tier2ReadOnly, { body: wire });
    expect(readOnly.status).toBe(403);
    expect(readOnly.body.code).toBe("scope_missing");
  });

  it("records every call by a key in the organisation's audit log, readable only by its admin", async () => {
    await call("/credit-lines", "GET", "/credit-lines", bankRead);
    const log = await listApiAudit(database.db, await actorOf("usr_cmtb_1"));
    expect(log.some((entry) => entry.path === "/api/v1/credit-lines" && entry.status === 200)).toBe(true);
    expect(log.every((entry) => entry.orgId === "org_cmtb")).toBe(true);
    await expect(listApiAudit(database.db, await actorOf("usr_huaxin_2"))).rejects.toMatchObject({ code: "not_allowed" });
  });
});

describe("writes", () => {
  it("submits a signed transaction (201), answers the same Idempotency-Key again, refuses its reuse for another body, and a resubmission is a 200 duplicate", async () => {
    const [kept] = await database.db.select().from(claims).where(sql`${claims.holderOrgId} = 'org_lingnan' and ${claims.state} = 'held'`);
    const wire = toWire(buildSigned(demoIdentity("org_lingnan"), "claim.pledge", { claimId: kept!.id, lenderOrgId: "org_cmtb" }, { nonce: nonce(), createdAtMs: Date.now() }));
    const key = { "idempotency-key": `pledge-${nonce()}` };
    const first = await call("/transactions", "POST", "/transactions", tier2Submit, { body: wire, headers: key });
    expect(first.status).toBe(201);
    const again = await call("/transactions", "POST", "/transactions", tier2Submit, { body: wire, headers: key });
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    const other = toWire(buildSigned(demoIdentity("org_lingnan"), "claim.pledge", { claimId: kept!.id, lenderOrgId: "org_cmtb" }, { nonce: nonce(), createdAtMs: Date.now() }));
    const reused = await call("/transactions", "POST", "/transactions", tier2Submit, { body: other, headers: key });
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe("idempotency_key_reused");
    const duplicate = await call("/transactions", "POST", "/transactions", tier2Submit, { body: wire });
    expect(duplicate.status).toBe(200);
    expect(duplicate.body.duplicate).toBe(true);
  });

  it("a refused transaction is a 409/422 problem carrying the contract's result code, never a 200", async () => {
    const [pledged] = await database.db.select().from(claims).where(sql`${claims.holderOrgId} = 'org_lingnan' and ${claims.state} = 'pledged'`);
    // Pledging an already pledged claim again: the contract says claim_is_pledged (or claim_not_held).
    const wire = toWire(buildSigned(demoIdentity("org_lingnan"), "claim.pledge", { claimId: pledged!.id, lenderOrgId: "org_gbfactor" }, { nonce: nonce(), createdAtMs: Date.now() }));
    const refused = await call("/transactions", "POST", "/transactions", tier2Submit, { body: wire });
    expect(Object.keys(REFUSAL_TEXTS)).toContain(refused.body.code);
    expect(refused.status).toBe(409);
    expect(refused.status).toBe(refusalStatus(refused.body.code as string));
    expect(refused.body.detail).toBe(REFUSAL_TEXTS[refused.body.code as keyof typeof REFUSAL_TEXTS]);
    const forged = { ...wire, signatureHex: "00".repeat(64) };
    const bad = await call("/transactions", "POST", "/transactions", tier2Submit, { body: forged });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe("signature_invalid");
    // Signed for another deployment: a problem with the envelope itself, 422 like a bad signature.
    const foreign = toWire(buildSigned(demoIdentity("org_lingnan"), "claim.pledge", { claimId: pledged!.id, lenderOrgId: "org_gbfactor" }, { nonce: nonce(), createdAtMs: Date.now(), networkId: "bank-pilot" }));
    const elsewhere = await call("/transactions", "POST", "/transactions", tier2Submit, { body: foreign });
    expect(elsewhere.body.code).toBe("network_id_mismatch");
    expect(elsewhere.status).toBe(422);
    const malformed = await call("/transactions", "POST", "/transactions", tier2Submit, { body: { transaction: { type: "claim.split" } } });
    expect(malformed.status).toBe(400);
    expect((malformed.body.errors as Json[]).length).toBeGreaterThan(0);
  });

  it("answers 429 with Retry-After and RateLimit headers once a key spends its budget", async () => {
    const tight = createApiHandler(async () => runtimeFor(database.db), { requestsPerMinute: 2 });
    const send = () => tight(new Request("http://localhost/api/v1/credit-lines", { headers: { authorization: `Bearer ${bankRead}` } }));
    expect((await send()).status).toBe(200);
    expect((await send()).status).toBe(200);
    const limited = await send();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(limited.headers.get("ratelimit-remaining")).toBe("0");
    expect(((await limited.json()) as Json).code).toBe("rate_limited");
  });

  it("every route of the document was answered and checked above", () => {
    const documented = Object.entries(document.paths as Record<string, Json>).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(documented.filter((route) => !checked.has(route))).toEqual([]);
  });
});
