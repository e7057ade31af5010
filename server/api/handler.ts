import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { ZodError, type z } from "zod";
import { apiIdempotency } from "@/db/schema";
import { authenticateApiKey, recordApiCall, type ApiCaller } from "../commands/api-keys";
import { RETRY_AFTER_SECONDS, reportDatabaseFailure } from "@/db/availability";
import { describeInternalError, toDomainError } from "../errors";
import type { Runtime } from "../runtime/runtime";
import { openApiDocument } from "./openapi";
import { KIND_TO_STATUS, problemBody, toJson, type Problem } from "./problem";
import { referencePage } from "./reference";
import { ROUTES, type Answer, type Route } from "./routes";

/*
 * /api/v1 over HTTP: find the route, authenticate the bearer API key, spend the key's rate
 * budget, check the scope, parse with the route's zod schemas, answer writes with an
 * Idempotency-Key from the stored first answer, run the route, and record the call in the
 * organisation's audit log. Every failure is problem+json (problem.ts).
 */

const PREFIX = "/api/v1";
const MAX_BODY_BYTES = 256 * 1024;
const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/** A fixed window per key that also says when the window ends, for Retry-After. */
export class WindowLimiter {
  private readonly windows = new Map<string, { count: number; startMs: number }>();
  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}
  take(key: string, nowMs: number): { allowed: boolean; remaining: number; resetS: number } {
    let window = this.windows.get(key);
    if (!window || nowMs - window.startMs >= this.windowMs) {
      if (this.windows.size > 10_000) this.windows.clear();
      window = { count: 0, startMs: nowMs };
      this.windows.set(key, window);
    }
    window.count += 1;
    const resetS = Math.max(1, Math.ceil((window.startMs + this.windowMs - nowMs) / 1000));
    return { allowed: window.count <= this.limit, remaining: Math.max(0, this.limit - window.count), resetS };
  }
}

export interface ApiHandlerOptions {
  /** Requests per key per minute; API_REQUESTS_PER_MINUTE, else 600. */
  requestsPerMinute?: number;
}

const problemResponse = (problem: Problem, headers: Record<string, string> = {}) =>
  new Response(toJson(problemBody(problem)), { status: problem.status, headers: { "content-type": "application/problem+json", ...headers } });

/**
 * A thrown error as problem+json: its domain error (server/errors.ts toDomainError, the one
 * mapping) by kind, with Retry-After when the database is away or busy (503) or a limit is
 * spent (429); anything else is internal, logged without SQL parameters.
 */
function problemOf(error: unknown): { problem: Problem; headers: Record<string, string> } {
  const domain = toDomainError(error);
  if (!domain) {
    console.error(`[api] internal error: ${describeInternalError(error)}`);
    return { problem: { status: 500, code: "internal_error", detail: "Something went wrong on our side. Try again; if it keeps happening, contact the platform operator." }, headers: {} };
  }
  if (domain.kind === "unavailable") reportDatabaseFailure(error);
  const retryAfter: Record<string, string> = domain.kind === "unavailable" ? { "retry-after": String(RETRY_AFTER_SECONDS) } : domain.kind === "rate_limited" ? { "retry-after": "60" } : {};
  return { problem: { status: KIND_TO_STATUS[domain.kind], code: domain.code, detail: domain.message }, headers: retryAfter };
}

function compile(route: Route): RegExp {
  return new RegExp(`^${route.path.replace(/\{(\w+)\}/g, "(?<$1>[^/]+)")}$`);
}
const COMPILED = ROUTES.map((route) => ({ route, pattern: compile(route) }));

function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === "string") return value.includes("\u0000");
  if (value === null || typeof value !== "object" || depth > 32) return false;
  return Object.entries(value).some(([key, item]) => key.includes("\u0000") || containsNul(item, depth + 1));
}

const invalid = (error: ZodError): Problem => ({
  status: 400,
  code: "invalid_input",
  detail: "The request does not match the API's schema; errors names each field.",
  errors: error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
});

function parse<T extends z.ZodType>(schema: T | undefined, value: unknown): z.infer<T> | Record<string, never> {
  return schema ? schema.parse(value) : {};
}

export function createApiHandler(getRuntime: () => Promise<Runtime>, options: ApiHandlerOptions = {}) {
  const configured = Number(process.env.API_REQUESTS_PER_MINUTE);
  const limiter = new WindowLimiter(options.requestsPerMinute ?? (Number.isInteger(configured) && configured > 0 ? configured : 600), 60_000);

  return async function handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const path = url.pathname.startsWith(PREFIX) ? url.pathname.slice(PREFIX.length) || "/" : url.pathname;
    if (req.method === "GET" && path === "/openapi.json") return Response.json(openApiDocument(`${url.origin}${PREFIX}`));
    if (req.method === "GET" && (path === "/" || path === "/docs")) return new Response(referencePage(openApiDocument()), { headers: { "content-type": "text/html; charset=utf-8" } });

    const found = COMPILED.map(({ route, pattern }) => ({ route, match: pattern.exec(path) })).filter((f) => f.match);
    const hit = found.find((f) => f.route.method === req.method);
    if (!hit) {
      if (found.length) return problemResponse({ status: 405, code: "method_not_allowed", detail: `Use ${found.map((f) => f.route.method).join(", ")} here.` }, { allow: found.map((f) => f.route.method).join(", ") });
      return problemResponse({ status: 404, code: "route_not_found", detail: `No route ${req.method} ${PREFIX}${path}; see ${PREFIX}/openapi.json.` });
    }

    // The database may be away at any step (opening it, the key, the idempotency record): 503, never a hang or a 500.
    try {
      return await authenticatedAnswer(hit.route, hit.match!.groups ?? {}, req, url, getRuntime, limiter);
    } catch (error) {
      const { problem, headers } = problemOf(error);
      return problemResponse(problem, { "x-problem-code": problem.code, ...headers });
    }
  };
}

async function authenticatedAnswer(route: Route, rawParams: Record<string, string>, req: Request, url: URL, getRuntime: () => Promise<Runtime>, limiter: WindowLimiter): Promise<Response> {
  const runtime = await getRuntime();
  const nowMs = runtime.clock();
  const token = /^Bearer\s+(\S+)$/i.exec(req.headers.get("authorization") ?? "")?.[1];
  const caller = token ? await authenticateApiKey(runtime.db, token, nowMs) : null;
  if (!caller) {
    return problemResponse({ status: 401, code: "api_key_invalid", detail: "Send a valid API key as Authorization: Bearer <key>; it may be unknown, revoked or expired." }, { "www-authenticate": 'Bearer realm="api/v1"' });
  }

  const answer = await answerFor(route, rawParams, req, url, caller, runtime, limiter, nowMs);
  await recordApiCall(runtime.db, {
    orgId: caller.actor.orgId,
    keyId: caller.keyId,
    method: req.method,
    path: url.pathname,
    status: answer.status,
    code: answer.status >= 400 ? (answer.headers.get("x-problem-code") ?? null) : null,
  }, nowMs).catch((error: unknown) => console.error(`[api] audit write failed: ${describeInternalError(error)}`));
  return answer;
}

async function answerFor(route: Route, rawParams: Record<string, string>, req: Request, url: URL, caller: ApiCaller, runtime: Runtime, limiter: WindowLimiter, nowMs: number): Promise<Response> {
  const budget = limiter.take(caller.keyId, nowMs);
  const rateHeaders = { "ratelimit-limit": String(limiter.limit), "ratelimit-remaining": String(budget.remaining), "ratelimit-reset": String(budget.resetS) };
  const fail = (problem: Problem, extra: Record<string, string> = {}) => problemResponse(problem, { ...rateHeaders, "x-problem-code": problem.code, ...extra });
  if (!budget.allowed) return fail({ status: 429, code: "rate_limited", detail: `This key has made more than ${limiter.limit} requests this minute.` }, { "retry-after": String(budget.resetS) });
  if (!caller.scopes.includes(route.scope)) return fail({ status: 403, code: "scope_missing", detail: `This key lacks the ${route.scope} scope.` });

  let body: unknown = undefined;
  if (route.method === "POST") {
    if (req.headers.get("content-type")?.split(";", 1)[0]?.trim().toLowerCase() !== "application/json") return fail({ status: 415, code: "unsupported_media_type", detail: "Send application/json." });
    const text = await req.text();
    if (text.length > MAX_BODY_BYTES) return fail({ status: 413, code: "payload_too_large", detail: `Bodies are at most ${MAX_BODY_BYTES} bytes.` });
    try {
      body = JSON.parse(text);
    } catch {
      return fail({ status: 400, code: "invalid_json", detail: "The body is not JSON." });
    }
  }
  const query = Object.fromEntries(url.searchParams);
  if (containsNul(body) || containsNul(query) || containsNul(rawParams)) return fail({ status: 400, code: "nul_character", detail: "Text must not contain the NUL character (U+0000)." });

  const idempotencyKey = route.method === "POST" ? req.headers.get("idempotency-key") : null;
  if (idempotencyKey !== null && (idempotencyKey.length === 0 || idempotencyKey.length > 200)) return fail({ status: 400, code: "idempotency_key_invalid", detail: "An Idempotency-Key has 1 to 200 characters." });
  const requestHash = createHash("sha256").update(`${req.method} ${url.pathname}\n${toJson(body ?? null)}`).digest("hex");
  if (idempotencyKey) {
    const [stored] = await runtime.db.select().from(apiIdempotency).where(and(eq(apiIdempotency.orgId, caller.actor.orgId), eq(apiIdempotency.key, idempotencyKey)));
    if (stored && nowMs - stored.createdAtMs < IDEMPOTENCY_TTL_MS) {
      if (stored.requestHash !== requestHash) return fail({ status: 422, code: "idempotency_key_reused", detail: "This Idempotency-Key was used for a different request." });
      const type = stored.status >= 400 ? "application/problem+json" : "application/json";
      return new Response(stored.body, { status: stored.status, headers: { "content-type": type, "idempotent-replayed": "true", ...rateHeaders } });
    }
  }

  let answer: Answer;
  try {
    answer = await route.handle({
      runtime,
      db: runtime.db,
      caller,
      params: parse(route.params, rawParams) as Record<string, string>,
      query: parse(route.query, query),
      body: parse(route.body, body),
    });
  } catch (error) {
    if (error instanceof ZodError) return fail(invalid(error));
    const { problem, headers } = problemOf(error);
    return fail(problem, headers);
  }

  // A refused transaction is a problem too, carrying the contract's result code.
  const isRefusal = typeof answer.body === "object" && answer.body !== null && (answer.body as { status?: unknown }).status === "refused";
  const refusal = answer.body as { code: string; text: string; txId: string | null; detail?: string };
  const text = isRefusal ? toJson(problemBody({ status: answer.status, code: refusal.code, detail: refusal.text, txId: refusal.txId, ...(refusal.detail ? { reason: refusal.detail } : {}) })) : toJson(answer.body);
  if (idempotencyKey) {
    await runtime.db.insert(apiIdempotency).values({ orgId: caller.actor.orgId, key: idempotencyKey, requestHash, status: answer.status, body: text, createdAtMs: nowMs }).onConflictDoUpdate({
      target: [apiIdempotency.orgId, apiIdempotency.key],
      set: { requestHash, status: answer.status, body: text, createdAtMs: nowMs },
    });
  }
  return new Response(text, { status: answer.status, headers: { "content-type": isRefusal ? "application/problem+json" : "application/json", ...rateHeaders, ...(isRefusal ? { "x-problem-code": refusal.code } : {}) } });
}
