import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { sql } from "drizzle-orm";
import type { Database, Db } from "@/db/client";
import { claims, financings } from "@/db/schema";
import { beijingDate } from "@/contracts/ledger/maturity";
import { loadActor } from "@/server/auth/accounts";
import { createApiKey } from "@/server/commands/api-keys";
import { createApiHandler } from "@/server/api/handler";
import { ROUTES, type Route } from "@/server/api/routes";
import { seedDemo } from "@/server/seed/seed";
import { createTestDatabase } from "../helpers/db";
import { runtimeFor } from "../helpers/callers";
import { addFigures } from "./figures";
import { ids, signed, stateHash } from "./support";

/*
 * Property-based fuzzing of /api/v1 through its real HTTP handler (Request in, Response
 * out), as fuzz.test.ts does for tRPC: each route's valid request is broken in one place (a
 * path parameter, a query parameter, a field of the JSON body, the whole body, the content
 * type) and sent with a key that has every scope. Every answer must be a 4xx problem+json
 * (RFC 9457: status, code, detail) saying what is wrong, never a 500 and never a leaked stack
 * or SQL; a read may answer 200, a write never 2xx. The database must be unchanged, apart from
 * the API's own bookkeeping of the calls (the audit log, the key's last use).
 */

const RUNS = Number(process.env.RELIABILITY_FUZZ_RUNS ?? 120);
/** The API's record of the calls themselves: written on every request, by design. */
const BOOKKEEPING = ["api_audit", "api_keys"];

let database: Database;
let db: Db;
let handle: (req: Request) => Promise<Response>;
let token: string;

interface Target {
  params: Record<string, string>;
  query: Record<string, string>;
  body?: unknown;
}
const targets = new Map<Route, Target>();

// ---------------------------------------------------------------------------------------
// Broken values (a smaller kin of fuzz.test.ts's: here every value travels as JSON or URL text).

const ODD_STRINGS = ["", " ", "\u0000", "\uD800", "\u202Eright-to-left", "🙂".repeat(300), "<script>alert(1)</script>", "'; drop table claims; --", "../../etc/passwd", "%00%ff", "x".repeat(10_000), "长".repeat(3_000), "__proto__", "constructor", "-1", "1e3", "NaN", "9".repeat(400)];

const badValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(-1, 0, 1.5, -1e21, 1e21, 2 ** 53 + 1, Number.MAX_VALUE),
  fc.constantFrom<unknown>(...ODD_STRINGS),
  fc.constantFrom<unknown>(null, true, false, [], {}),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.array(fc.jsonValue(), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue(), { maxKeys: 4 }),
);

type Mutation =
  | { kind: "param"; at: number; value: unknown }
  | { kind: "query"; at: number; value: unknown }
  | { kind: "dropQuery"; at: number }
  | { kind: "extraQuery"; key: string; value: unknown }
  | { kind: "body"; at: number; value: unknown }
  | { kind: "dropBody"; at: number }
  | { kind: "wholeBody"; value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("param" as const), at: fc.nat(), value: badValue }),
  fc.record({ kind: fc.constant("query" as const), at: fc.nat(), value: badValue }),
  fc.record({ kind: fc.constant("dropQuery" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("extraQuery" as const), key: fc.constantFrom("limit", "cursor", "state", "role", "orgId", "__proto__"), value: badValue }),
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("body" as const), at: fc.nat(), value: badValue }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("dropBody" as const), at: fc.nat() }) },
  fc.record({ kind: fc.constant("wholeBody" as const), value: fc.oneof(badValue, fc.jsonValue()) }),
);

/** Every path into a JSON value, the root excluded. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== "object") return [];
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([key, item]) => [[...prefix, key], ...paths(item, [...prefix, key])]);
}

const asText = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value) ?? "");

/** One broken copy of the target, or null when the mutation does not apply to this route. */
function mutate(target: Target, m: Mutation): Target | null {
  const next: Target = { params: { ...target.params }, query: { ...target.query }, body: structuredClone(target.body) };
  const pick = <T,>(list: readonly T[], at: number) => (list.length ? list[at % list.length]! : null);
  switch (m.kind) {
    case "param": {
      const key = pick(Object.keys(next.params), m.at);
      if (key === null || asText(m.value) === next.params[key]) return null;
      next.params[key] = asText(m.value);
      return next;
    }
    case "query":
    case "dropQuery": {
      const key = pick(Object.keys(next.query), m.at);
      if (key === null) return null;
      if (m.kind === "dropQuery") delete next.query[key];
      else next.query[key] = asText(m.value);
      return next;
    }
    case "extraQuery":
      next.query[m.key] = asText(m.value);
      return next;
    case "body":
    case "dropBody": {
      const at = pick(paths(next.body), m.at);
      if (at === null) return null;
      const parent = at.slice(0, -1).reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], next.body) as Record<string | number, unknown> | unknown[];
      const key = at.at(-1)!;
      if (m.kind === "body") (parent as Record<string | number, unknown>)[key] = m.value;
      else if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
      return next;
    }
    case "wholeBody":
      return target.body === undefined ? null : { ...next, body: m.value };
  }
}

/** A path segment as a client would put it in a URL; a lone surrogate (which URLs cannot carry) goes out as the raw bytes a careless client would send. */
function segment(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return [...Buffer.from(value, "utf16le")].map((byte) => `%${byte.toString(16).padStart(2, "0")}`).join("");
  }
}

function urlOf(route: Route, target: Target): string {
  const path = route.path.replace(/\{(\w+)\}/g, (_match, name: string) => segment(target.params[name] ?? ""));
  const query = new URLSearchParams(target.query).toString();
  return `http://localhost/api/v1${path}${query ? `?${query}` : ""}`;
}

async function send(route: Route, target: Target, raw?: { body: string; contentType: string }) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  let body: string | undefined;
  if (raw) {
    headers["content-type"] = raw.contentType;
    body = raw.body;
  } else if (route.method === "POST") {
    headers["content-type"] = "application/json";
    body = JSON.stringify(target.body) ?? "null";
  }
  const response = await handle(new Request(urlOf(route, target), { method: route.method, headers, ...(body !== undefined ? { body } : {}) }));
  return { status: response.status, type: response.headers.get("content-type"), text: await response.text() };
}

/** The contract every answer to a broken request must honour. */
function checkAnswer(route: Route, answer: { status: number; type: string | null; text: string }, what: string): void {
  const where = `${route.method} ${route.path} <- ${what.length > 300 ? `${what.slice(0, 300)}…` : what}`;
  expect(answer.status, `${where}: ${answer.text.slice(0, 300)}`).toBeLessThan(500);
  if (answer.status < 400) {
    // A read may answer; a write never succeeds with a broken request.
    expect(route.method, `${where}: a broken write was accepted: ${answer.text.slice(0, 300)}`).toBe("GET");
    expect(answer.type).toBe("application/json");
    return;
  }
  expect(answer.type, where).toBe("application/problem+json");
  const problem = JSON.parse(answer.text) as { type?: unknown; status?: unknown; code?: unknown; detail?: unknown };
  expect(problem.status, where).toBe(answer.status);
  expect(typeof problem.code === "string" && problem.code.length > 0, `${where}: no code`).toBe(true);
  expect(typeof problem.detail === "string" && problem.detail.length > 0, `${where}: no detail`).toBe(true);
  expect(problem.code, where).not.toBe("internal_error");
  // The body is JSON text, where a stack's line breaks appear as the two characters \n.
  expect(answer.text, `${where}: a stack trace or SQL leaked`).not.toMatch(/\\n\s+at |\bselect\b.*\bfrom\b|\binsert into\b|postgres/i);
}

// ---------------------------------------------------------------------------------------

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  await seedDemo(db);
  handle = createApiHandler(async () => runtimeFor(db), { requestsPerMinute: 1_000_000 });
  token = (await createApiKey(db, (await loadActor(db, "usr_lingnan_1"))!, { name: "fuzz", scopes: ["read", "submit"], expiresInDays: 30 })).token;
  const [held] = await db.select().from(claims).where(sql`${claims.holderOrgId} = 'org_lingnan' and ${claims.state} = 'held'`).limit(1);
  const [financing] = await db.select().from(financings).limit(1);
  // A pledge of a claim that does not exist, signed by Lingnan's own key: the contract refuses
  // it, and every broken copy breaks its signature or its form as well.
  const pledge = signed(ids.tier2, "claim.pledge", { claimId: `c_${"0".repeat(24)}`, lenderOrgId: "org_cmtb" });
  const base: Record<string, Target> = {
    "GET /claims": { params: {}, query: { state: "held", limit: "20" } },
    "GET /claims/{claimId}": { params: { claimId: held!.id }, query: {} },
    "GET /claims/{claimId}/provenance": { params: { claimId: held!.id }, query: {} },
    "POST /transactions": { params: {}, query: {}, body: pledge },
    "GET /financing/applications": { params: {}, query: { role: "holder", status: "requested" } },
    "GET /financing/applications/{financingId}": { params: { financingId: financing!.id }, query: {} },
    "GET /financing/applications/{financingId}/quote": { params: { financingId: financing!.id }, query: { rateBps: "420", feeMinor: "0", disbursementDate: beijingDate(Date.now()) } },
    "GET /credit-lines": { params: {}, query: {} },
    "GET /repayments/falling-due": { params: {}, query: {} },
    "GET /checkpoints/latest": { params: {}, query: {} },
    "GET /organisations/keys": { params: {}, query: {} },
  };
  for (const route of ROUTES) {
    const target = base[`${route.method} ${route.path}`];
    if (target) targets.set(route, target);
  }
});
afterAll(async () => database?.close());

describe("fuzzing every /api/v1 route", () => {
  it("has a fuzz target for every route", () => {
    expect(ROUTES.filter((route) => !targets.has(route)).map((route) => `${route.method} ${route.path}`)).toEqual([]);
  });

  for (const route of ROUTES) {
    it(`${route.method} ${route.path}`, async ({ task }) => {
      const target = targets.get(route)!;
      const before = await stateHash(db, BOOKKEEPING);
      // The unbroken request: a read answers, the write is refused as a problem.
      checkAnswer(route, await send(route, target), "the base request");
      let tried = 0;
      await fc.assert(
        fc.asyncProperty(mutation, async (m) => {
          const broken = mutate(target, m);
          if (broken === null) return;
          checkAnswer(route, await send(route, broken), JSON.stringify(m));
          tried += 1;
        }),
        { numRuns: RUNS },
      );
      expect(await stateHash(db, BOOKKEEPING), `${route.method} ${route.path}: broken requests changed the database`).toBe(before);
      addFigures(task, { inputsTried: tried });
    });
  }

  it("bodies that are not JSON, not an object, too large or sent as another type: a 4xx problem, never 500", async ({ task }) => {
    const route = ROUTES.find((r) => r.method === "POST")!;
    const target = targets.get(route)!;
    const before = await stateHash(db, BOOKKEEPING);
    let tried = 0;
    const rawBody = fc.oneof(
      fc.string({ unit: "binary", maxLength: 200 }),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.constantFrom("", "{", "[1,", "nul", "\u0000", '{"transaction":', `"${"x".repeat(300_000)}"`, JSON.stringify(target.body).slice(0, -1)),
    );
    const contentType = fc.constantFrom("application/json", "application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "", "application/problem+json");
    await fc.assert(
      fc.asyncProperty(rawBody, contentType, async (body, type) => {
        checkAnswer(route, await send(route, target, { body, contentType: type }), `${type}: ${body}`);
        tried += 1;
      }),
      { numRuns: RUNS * 3 },
    );
    expect(await stateHash(db, BOOKKEEPING)).toBe(before);
    addFigures(task, { inputsTried: tried });
  });
});
