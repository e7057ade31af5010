import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import superjson from "superjson";
import { sql } from "drizzle-orm";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import type { Database, Db } from "@/db/client";
import { claims, financings } from "@/db/schema";
import type { SigningIdentity } from "@/contracts/client";
import { bytesToHex } from "@/contracts/hex";
import { canonicalJson } from "@/contracts/canonical";
import { signDigest } from "@/contracts/signing";
import { transactionDigest, type TransactionEnvelope } from "@/contracts/transaction";
import type { WireSignedTransaction } from "@/contracts/ledger/schema";
import { appRouter } from "@/server/trpc/root";
import { seedDemo } from "@/server/seed/seed";
import { createTestDatabase } from "../helpers/db";
import { addFigures } from "./figures";
import { contextFor, runtimeFor } from "../helpers/callers";
import { addDays, bankLineId, freshDocuments, heldClaims, ids, signed, stateHash } from "./support";

/*
 * Property-based fuzzing of every procedure's input, through tRPC's real fetch adapter
 * in-process (superjson, the error formatter, HTTP status codes): a valid input is broken
 * in one place (negative, zero, huge and fractional amounts, wrong types, very long and odd
 * unicode strings, missing and extra fields, whole garbage). Every answer must be a 4xx
 * with a clear message, never a 500, and the whole database must be unchanged: each base
 * input is one the service refuses or only reads, so no broken variant may be accepted.
 */

const RUNS = Number(process.env.RELIABILITY_FUZZ_RUNS ?? 120);
/**
 * Mutations that answer 200 alike whether they did something or not, so as to tell nobody
 * which email addresses have accounts; that they changed nothing is checked on the database.
 */
const ANSWERS_ALIKE = new Set(["auth.requestPasswordReset"]);
const GENERIC = "Something went wrong on our side";

let database: Database;
let db: Db;

interface Target {
  /** The caller: one who passes the procedure's gate, so its input is parsed. */
  userId: string | null;
  base: unknown;
  /** For ledger.submit: re-sign the broken envelope, so it reaches the contract's checks. */
  signer?: SigningIdentity;
  /** The base itself would be accepted (a split that sums exactly): only its broken variants are sent. */
  validBase?: boolean;
}
const targets = new Map<string, Target[]>();

async function send(path: string, input: unknown, userId: string | null, type: "query" | "mutation"): Promise<{ status: number; body: unknown }> {
  const payload = wireBody(input);
  const url = type === "query" ? `http://127.0.0.1/api/trpc/${path}?input=${encodeURIComponent(payload)}` : `http://127.0.0.1/api/trpc/${path}`;
  const req = new Request(url, type === "query" ? { method: "GET" } : { method: "POST", headers: { "content-type": "application/json" }, body: payload });
  const res = await fetchRequestHandler({ endpoint: "/api/trpc", req, router: appRouter, createContext: async () => contextFor(db, userId) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // left as text; the check below reports it
  }
  return { status: res.status, body };
}

/**
 * The superjson body a client would send. superjson refuses to serialise "__proto__" and
 * "constructor" keys; an attacker is not bound by that, so those go out as raw JSON.
 */
function wireBody(input: unknown): string {
  try {
    return JSON.stringify(superjson.serialize(input));
  } catch {
    return JSON.stringify({ json: input }, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value));
  }
}

interface ErrorShape {
  message: string;
  data: { code: string; httpStatus: number; domainCode: string | null; fieldErrors: { path: string; message: string }[] | null };
}

/** The contract every answer to a broken input must honour. */
function checkAnswer(path: string, type: "query" | "mutation", answer: { status: number; body: unknown }, input: unknown): void {
  const where = `${path} <- ${safeJson(input)}`;
  expect(answer.status, `${where}: status`).toBeLessThan(500);
  const body = answer.body as { result?: { data?: { json?: unknown } }; error?: { json?: ErrorShape } };
  if (answer.status === 200) {
    const data = body.result?.data?.json as { status?: string } | undefined;
    // Reads may answer; a write only as a refusal with a result code.
    if (type === "mutation") expect((path === "ledger.submit" && data?.status === "refused") || ANSWERS_ALIKE.has(path), `${where}: a broken write was accepted: ${safeJson(data)}`).toBe(true);
    return;
  }
  expect(answer.status, `${where}: status`).toBeGreaterThanOrEqual(400);
  const error = body.error?.json;
  expect(error, `${where}: no tRPC error body`).toBeDefined();
  expect(error!.data.code).not.toBe("INTERNAL_SERVER_ERROR");
  expect(error!.data.httpStatus).toBe(answer.status);
  expect(error!.message.length, `${where}: empty message`).toBeGreaterThan(0);
  expect(error!.message).not.toContain(GENERIC);
  expect(error!.message, `${where}: a stack trace or SQL leaked`).not.toMatch(/\n\s+at |\bselect\b.*\bfrom\b|\binsert into\b|postgres/i);
  if (error!.data.domainCode === "invalid_input") {
    // The browser shows the first field error: each names its field and says what is wrong.
    expect(error!.data.fieldErrors?.length, `${where}: no field errors`).toBeGreaterThan(0);
    for (const field of error!.data.fieldErrors!) expect(field.message.length).toBeGreaterThan(0);
  }
}

/** Equal as canonical JSON (key order ignored); false when either cannot be canonicalised. */
function sameValue(a: unknown, b: unknown): boolean {
  try {
    return canonicalJson(a) === canonicalJson(b);
  } catch {
    return false;
  }
}

function safeJson(value: unknown): string {
  try {
    const text = wireBody(value);
    return text.length > 300 ? `${text.slice(0, 300)}…` : text;
  } catch {
    return String(value);
  }
}

// ---------------------------------------------------------------------------------------
// Broken values.

const ODD_STRINGS = [
  "",
  " ",
  " padded ",
  "\u0000",
  "\u0007bell",
  "\uD800",
  "\uDFFFlone",
  "\u202Eright-to-left",
  "\uFEFFbom",
  "a\u0301\u0301\u0301",
  "🙂".repeat(300),
  "Ω≈ç√∫˜µ≤≥÷",
  "𝕯𝖔𝖚𝖇𝖑𝖊-𝖈𝖍𝖆𝖎𝖓",
  "<script>alert(1)</script>",
  "'; drop table claims; --",
  "../../etc/passwd",
  "%00%ff",
  "x".repeat(10_000),
  "长".repeat(5_000),
  "__proto__",
  "constructor",
];
// (Not 32 digits: that is a valid nonce, and a re-signed split with a fresh nonce is a legitimate new transaction.)
const AMOUNTS = ["-1", "0", "-0", "1.5", "0.01", "00", "01", "1e3", " 1", "1 ", "+1", "0x10", "١٢٣", "9".repeat(31), "9".repeat(33), "9".repeat(400), "NaN", "Infinity"];

const badValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(-1, 0, -0, 1.5, -1e21, 1e21, 2 ** 53 + 1, Number.MAX_VALUE, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
  fc.constantFrom<unknown>(...AMOUNTS),
  fc.constantFrom<unknown>(...ODD_STRINGS),
  fc.constantFrom<unknown>(null, undefined, true, false, [], {}, new Date(0), new Date(Number.NaN), new Map([["a", 1]]), new Set([1]), /x/),
  fc.bigInt(),
  fc.double(),
  fc.integer(),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", minLength: 201, maxLength: 600 }),
  fc.array(fc.jsonValue(), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue(), { maxKeys: 4 }),
);

/** Every path into a value (objects and arrays), the root included. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

type Mutation = { kind: "replace"; at: number; value: unknown } | { kind: "delete"; at: number } | { kind: "extra"; at: number; key: string; value: unknown } | { kind: "whole"; value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("replace" as const), at: fc.nat(), value: badValue }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("extra" as const), at: fc.nat(), key: fc.constantFrom("extra", "__proto__", "constructor", "isAdmin", "orgId", "amountMinor"), value: badValue }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("whole" as const), value: fc.oneof(badValue, fc.anything()) }) },
);

/** Applies one mutation to a deep copy of `base`; returns null when it would change nothing. */
function mutate(base: unknown, m: Mutation): { value: unknown } | null {
  if (m.kind === "whole") return { value: m.value };
  const copy = structuredClone(base);
  const all = paths(copy);
  const candidates = m.kind === "replace" ? all : m.kind === "delete" ? all.filter((p) => p.length > 0) : all.filter((p) => isContainer(get(copy, p)));
  if (candidates.length === 0) return null;
  const path = candidates[m.at % candidates.length]!;
  if (m.kind === "replace") {
    if (path.length === 0) return { value: m.value };
    if (Object.is(get(copy, path), m.value)) return null;
    set(copy, path, m.value);
  } else if (m.kind === "delete") {
    const parent = get(copy, path.slice(0, -1)) as Record<string | number, unknown> | unknown[];
    const key = path.at(-1)!;
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else {
    const target = get(copy, path);
    if (Array.isArray(target)) target.push(m.value);
    else Object.defineProperty(target, m.key, { value: m.value, enumerable: true, configurable: true, writable: true });
  }
  return { value: copy };
}

const isContainer = (v: unknown) => v !== null && typeof v === "object";
function get(value: unknown, path: (string | number)[]): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], value);
}
function set(value: unknown, path: (string | number)[], next: unknown): void {
  const parent = get(value, path.slice(0, -1)) as Record<string | number, unknown>;
  parent[path.at(-1)!] = next;
}

/** Signs a (broken) envelope properly when it can still be hashed; otherwise leaves it as it is. */
function resign(wire: unknown, signer: SigningIdentity): unknown {
  const candidate = wire as WireSignedTransaction;
  if (!candidate || typeof candidate !== "object" || !candidate.transaction || typeof candidate.transaction !== "object") return wire;
  try {
    const digest = transactionDigest(candidate.transaction as unknown as TransactionEnvelope);
    return { ...candidate, signatureHex: bytesToHex(signDigest(signer.privateKey, digest)) };
  } catch {
    return wire;
  }
}

// ---------------------------------------------------------------------------------------

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  await seedDemo(db);
  const [root] = await db.select().from(claims).where(sql`${claims.parentId} is null and ${claims.amountMinor} = 100000000`);
  const [kept] = await db.select().from(claims).where(sql`${claims.holderOrgId} = 'org_pearl' and ${claims.state} = 'held'`);
  const [financing] = await db.select().from(financings);
  const [held] = (await heldClaims(db, 1, 1_000_000n)) as [string];
  const lineId = await bankLineId(db);
  const add = (path: string, target: Target) => targets.set(path, [...(targets.get(path) ?? []), target]);

  add("auth.applyToJoin", {
    userId: null,
    // The admin email is taken: every variant that still parses is refused (CONFLICT).
    base: { organisationName: "Fuzz Trading Co.", role: "supplier", city: "Xiamen", registrationNumber: "91350100M000100Y43", adminName: "Fuzz", adminEmail: "tier1@demo.doublechain.cn", adminPassword: "a long enough password" },
  });
  add("auth.describeInvite", { userId: null, base: { token: "t".repeat(24) } });
  add("auth.acceptInvite", { userId: null, base: { token: "t".repeat(24), password: "a long enough password" } });
  add("auth.requestPasswordReset", { userId: null, base: { email: "nobody@nowhere.example" } });
  add("auth.resetPassword", { userId: null, base: { token: "t".repeat(24), password: "a long enough password" } });
  add("auth.renamePasskey", { userId: "usr_pearl_1", base: { credentialId: "AAAA", name: "Work laptop" } });
  add("auth.removePasskey", { userId: "usr_pearl_1", base: { credentialId: "AAAA" } });
  add("auth.registerPasskey", { userId: "usr_pearl_1", base: { response: { id: "AAAA", rawId: "AAAA", type: "public-key", response: { clientDataJSON: "e30", attestationObject: "AAAA" }, clientExtensionResults: {} } } });
  add("organisations.list", { userId: "usr_operator_1", base: { status: "pending" } });
  add("organisations.directory", { userId: "usr_pearl_1", base: { role: "lender" } });
  add("organisations.get", { userId: "usr_pearl_1", base: { orgId: "org_pearl" } });
  add("organisations.review", { userId: "usr_operator_1", base: { orgId: "org_pearl", decision: "rejected", note: "Already reviewed" } });
  add("users.list", { userId: "usr_pearl_1", base: { orgId: "org_pearl" } });
  add("users.invite", { userId: "usr_pearl_1", base: { orgId: "org_pearl", email: "tier2@demo.doublechain.cn", name: "Taken Email", permission: "maker" } });
  add("users.update", { userId: "usr_pearl_1", base: { userId: "usr_lingnan_1", permission: "viewer", status: "active" } });
  add("ledger.issuanceTree", { userId: "usr_huaxin_1", base: { rootId: root!.id } });
  add("ledger.provenance", { userId: "usr_pearl_1", base: { claimId: kept!.id } });
  add("ledger.claim", { userId: "usr_pearl_1", base: { claimId: kept!.id } });
  // Pages of the holder's claims and of the history (cursor pagination, issue 17): a broken cursor or limit is refused or answers a page, never a write.
  add("ledger.myClaims", { userId: "usr_pearl_1", base: { limit: 20, after: { maturityDate: kept!.maturityDate, id: kept!.id } } });
  add("ledger.history", { userId: "usr_pearl_1", base: { limit: 20, before: 10 } });
  add("financing.lendersForClaim", { userId: "usr_pearl_1", base: { claimId: kept!.id } });
  add("financing.get", { userId: "usr_cmtb_1", base: { financingId: financing!.id } });
  add("financing.policyOffers", { userId: "usr_pearl_1", base: { claimId: kept!.id } });
  add("ledger.tradeDocuments", { userId: "usr_pearl_1", base: { claimId: kept!.id } });
  // E-vouchers: reads of Pearl River's own piece; sharing it asked by tier 2 (refused, not the
  // holder) and revoking a share that does not exist (NOT_FOUND), so no variant creates a link.
  add("vouchers.voucher", { userId: "usr_pearl_1", base: { claimId: kept!.id } });
  add("vouchers.shares", { userId: "usr_pearl_1", base: { claimId: kept!.id } });
  add("vouchers.share", { userId: "usr_lingnan_1", base: { claimId: kept!.id } });
  add("vouchers.revoke", { userId: "usr_pearl_1", base: { shareId: `vs_${"0".repeat(20)}` } });
  add("reports.exportCsv", { userId: "usr_pearl_1", base: { dataset: "holdings" } });
  add("keys.decide", { userId: "usr_operator_1", base: { requestId: "kreq_does_not_exist", decision: "rejected" } });
  // Integrations by the core enterprise's viewer: the input is parsed, then every variant is refused (admins only).
  add("integrations.createApiKey", { userId: "usr_huaxin_2", base: { name: "Loan system", scopes: ["read"], expiresInDays: 30 } });
  add("integrations.revokeApiKey", { userId: "usr_huaxin_2", base: { keyId: "key_does_not_exist" } });
  add("integrations.createWebhookEndpoint", { userId: "usr_huaxin_2", base: { url: "https://erp.example.com/hooks", events: ["claim.offered"] } });
  add("integrations.setWebhookEndpointEnabled", { userId: "usr_huaxin_2", base: { endpointId: "whe_does_not_exist", enabled: false } });
  add("integrations.redeliver", { userId: "usr_huaxin_2", base: { deliveryId: "msg_does_not_exist" } });
  // The inbox: a read, a notification that does not exist (NOT_FOUND, whoever asks), and choices
  // and "mark all read" sent signed out: any well-formed one of a signed-in person is simply done,
  // so here every variant is refused before it is read (the attack matrix and notifications.test.ts cover the saving).
  add("notifications.list", { userId: "usr_pearl_1", base: { limit: 10 } });
  add("notifications.markRead", { userId: "usr_pearl_1", base: { id: "ntf_does_not_exist" } });
  add("notifications.setPreferences", { userId: null, base: { inApp: ["offer"], email: ["offer"], locale: "en" } });
  add("notifications.markAllRead", { userId: null, base: { seenUpToMs: 1_700_000_000_000 } });
  // No such request: every variant that still parses is NOT_FOUND, and nothing reaches the ledger.
  // The approvals queue: every variant of a missing item's id or a malformed cosignature is refused before anything is read or written.
  add("approvals.hold", { userId: "usr_huaxin_1", base: { signed: signed(ids.core, "claim.issue", { creditLineId: lineId, toOrgId: "org_pearl", amountMinor: 1_000n, currency: "CNY", maturityDate: "2099-12-31", documents: freshDocuments() }) } });
  add("approvals.get", { userId: "usr_huaxin_1", base: { id: "apr_does_not_exist" } });
  add("approvals.approve", { userId: "usr_huaxin_1", base: { id: "apr_does_not_exist", cosignature: { orgId: "org_huaxin", keyId: ids.core.keyId, signatureHex: "0".repeat(128) } } });
  add("approvals.reject", { userId: "usr_huaxin_1", base: { id: "apr_does_not_exist", reason: "no" } });
  add("approvals.withdraw", { userId: "usr_huaxin_1", base: { id: "apr_does_not_exist" } });
  add("keys.confirm", { userId: "usr_pearl_1", base: { requestId: "kreq_does_not_exist", keyId: ids.tier1.keyId, signatureHex: "0".repeat(128) } });
  // No input: whatever arrives is ignored, and the answer is a read.
  add("jobs.list", { userId: "usr_operator_1", base: undefined });
  // Pearl River's own, already registered key: every variant is refused.
  add("keys.requestRegistration", {
    userId: "usr_pearl_1",
    base: { signed: signed(ids.tier1, "key.register", { orgId: "org_pearl", orgName: "Pearl River Assembly Ltd.", role: "supplier", publicKeyHex: ids.tier1.publicKeyHex, keyId: ids.tier1.keyId, keyRole: "admin", holderUserId: "usr_pearl_1" }) },
  });
  // Transactions whose every broken variant must be refused: a split that sums exactly
  // (any change to an amount breaks the sum), an issuance and a repayment, re-signed after
  // breaking so the contract's own checks (not only the signature) see the bad amounts.
  const split = signed(ids.tier1, "claim.split", { claimId: held, parts: [{ toOrgId: "org_lingnan", amountMinor: 400_000n }, { toOrgId: "org_pearl", amountMinor: 600_000n }] });
  const issue = signed(ids.core, "claim.issue", { creditLineId: lineId, toOrgId: "org_pearl", amountMinor: 9_000_000_000n, currency: "CNY", maturityDate: addDays(Date.now(), 30), documents: freshDocuments() });
  const repay = signed(ids.core, "repayment.record", { rootClaimId: root!.id, amountMinor: 100_000_001n, paymentReference: "HX-REPAY-1" });
  add("ledger.submit", { userId: "usr_pearl_1", base: split, validBase: true });
  add("ledger.submit", { userId: "usr_pearl_1", base: split, signer: ids.tier1, validBase: true });
  add("ledger.submit", { userId: "usr_huaxin_1", base: issue, signer: ids.core });
  add("ledger.submit", { userId: "usr_huaxin_1", base: repay, signer: ids.core });
  // A credit line decision by the bank's admin on a line that does not exist: refused whatever the limit.
  const adjust = signed(ids.bank, "creditLine.adjust", { creditLineId: `cl_${"0".repeat(24)}`, limitMinor: 1n });
  add("ledger.submit", { userId: "usr_cmtb_1", base: adjust, signer: ids.bank });
});
afterAll(async () => database?.close());

describe("fuzzing every procedure's input", () => {
  const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: "query" | "mutation" | "subscription"; inputs: unknown[] } }>);

  it("has a fuzz target for every procedure that takes input", () => {
    const withInput = procedures.filter(([, p]) => p._def.inputs.length > 0).map(([path]) => path);
    expect(withInput.filter((p) => !targets.has(p)), "procedures with input but no fuzz target").toEqual([]);
  });

  for (const [path, procedure] of procedures) {
    const type = procedure._def.type === "mutation" ? "mutation" : "query";
    it(`${path}`, async ({ task }) => {
      const list = targets.get(path) ?? [{ userId: "usr_operator_1", base: undefined }];
      const before = await stateHash(db);
      let tried = 0;
      for (const target of list) {
        // The unbroken base input itself: read, or refused.
        await runtimeFor(db).limits.submissions.clear();
        if (!target.validBase) checkAnswer(path, type, await send(path, target.base, target.userId, type), target.base);
        await fc.assert(
          fc.asyncProperty(mutation, async (m) => {
            const mutated = mutate(target.base, m);
            if (mutated === null) return;
            const input = target.signer ? resign(mutated.value, target.signer) : mutated.value;
            // superjson drops "__proto__" keys on arrival: such a variant of a valid base is the base itself.
            if (target.validBase && sameValue(superjson.deserialize(JSON.parse(wireBody(input))), target.base)) return;
            await runtimeFor(db).limits.submissions.clear();
            checkAnswer(path, type, await send(path, input, target.userId, type), input);
            tried += 1;
          }),
          { numRuns: RUNS },
        );
      }
      expect(await stateHash(db), `${path}: broken inputs changed the database`).toBe(before);
      addFigures(task, { inputsTried: tried });
    });
  }

  it("every string field of every input, replaced by each odd string (NUL, lone surrogates, 10 000 characters, …)", async ({ task }) => {
    const before = await stateHash(db);
    let tried = 0;
    for (const [path, procedure] of procedures) {
      const type = procedure._def.type === "mutation" ? "mutation" : "query";
      for (const target of targets.get(path) ?? []) {
        const stringPaths = paths(target.base).filter((p) => typeof get(target.base, p) === "string");
        for (const at of stringPaths) {
          for (const odd of ODD_STRINGS) {
            if (get(target.base, at) === odd) continue;
            const copy = structuredClone(target.base);
            if (at.length === 0) continue;
            set(copy, at, odd);
            const input = target.signer ? resign(copy, target.signer) : copy;
            if (target.validBase && sameValue(input, target.base)) continue;
            await runtimeFor(db).limits.submissions.clear();
            checkAnswer(path, type, await send(path, input, target.userId, type), input);
            tried += 1;
          }
        }
      }
    }
    expect(await stateHash(db)).toBe(before);
    addFigures(task, { inputsTried: tried });
  });

  it("garbage that is not even superjson: 4xx, never 500", async ({ task }) => {
    const before = await stateHash(db);
    let tried = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...procedures.map(([p]) => p)), fc.oneof(fc.string({ unit: "binary", maxLength: 200 }), fc.jsonValue().map((v) => JSON.stringify(v))), async (path, body) => {
        const req = new Request(`http://127.0.0.1/api/trpc/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body });
        const res = await fetchRequestHandler({ endpoint: "/api/trpc", req, router: appRouter, createContext: async () => contextFor(db, "usr_operator_1") });
        const text = await res.text();
        const isQuery = (appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>)[path]!._def.type === "query";
        if (res.status === 200) expect(isQuery || text.includes('"refused"'), `${path} <- ${body}: ${text.slice(0, 200)}`).toBe(true);
        else expect(res.status, `${path} <- ${body}: ${text.slice(0, 200)}`).toBeLessThan(500);
        tried += 1;
      }),
      { numRuns: RUNS * 3 },
    );
    expect(await stateHash(db)).toBe(before);
    addFigures(task, { inputsTried: tried });
  });
});
