import "server-only";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { describeDatabaseFailure, isDatabaseFailure, RETRY_AFTER_SECONDS } from "@/db/availability";
import { processRuntime } from "../runtime/process";
import { readiness } from "../runtime/health";
import { requestIdFrom } from "../runtime/signals";
import type { Runtime } from "../runtime/runtime";
import { createRequestContext, requestContextOver } from "./context";
import { csvDownload, type ColumnHeading } from "./csv-download";
import { createCallerFactory } from "./init";
import { appRouter } from "./root";

/*
 * The HTTP entries of the API, for app/'s route handlers (app/api/trpc, app/api/export): one
 * of the few server modules app/ may import (eslint.config.mjs lists them).
 */

/**
 * tRPC's fetch adapter also accepts multipart/form-data and application/octet-stream
 * POSTs, which a cross-site HTML form can send without a CORS preflight. The app only ever
 * sends JSON, so anything else is refused before it reaches a procedure (CSRF defence in
 * depth, next to the SameSite=Lax session cookie).
 */
function isJson(req: Request): boolean {
  return req.headers.get("content-type")?.split(";", 1)[0]?.trim().toLowerCase() === "application/json";
}

/** /api/trpc/*: every procedure, as JSON only. */
export function trpcHandler(req: Request): Promise<Response> | Response {
  if (req.method !== "GET" && !isJson(req)) {
    return Response.json(
      { error: { message: "Send tRPC requests as application/json.", code: -32600, data: { code: "UNSUPPORTED_MEDIA_TYPE", httpStatus: 415 } } },
      { status: 415 },
    );
  }
  // One attempt at the runtime per request, shared by the log scope and the context: while the
  // database is away, a request waits for one failed connect, not two.
  const runtime = processRuntime();
  return withRequestId(req, runtime, () =>
    fetchRequestHandler({
      endpoint: "/api/trpc",
      req,
      router: appRouter,
      createContext: requestContextOver(runtime),
      // A 503 (the database away or busy) tells clients and proxies when to try again.
      responseMeta: ({ errors }) => (errors.some((error) => error.code === "SERVICE_UNAVAILABLE") ? { headers: { "Retry-After": String(RETRY_AFTER_SECONDS) } } : {}),
    }),
  );
}

/**
 * Serves a request inside its request id's scope (every log line below carries it) and echoes
 * the id as X-Request-Id. Without a runtime (its database did not open yet) the request is
 * served outside any scope: its context answers 503 (init.ts), not this wrapper.
 */
async function withRequestId(req: Request, runtimeOpening: Promise<Runtime>, serve: () => Promise<Response>): Promise<Response> {
  const runtime = await runtimeOpening.catch(() => null);
  const requestId = requestIdFrom(req.headers);
  const res = runtime ? await runtime.signals.scope.run({ requestId }, serve) : await serve();
  res.headers.set("x-request-id", requestId);
  return res;
}

const NO_STORE = { "cache-control": "no-store" };

/** /healthz: the process is alive and answers. Asks nothing of the database, so an outage does not make the balancer drop every instance. */
export function healthzHandler(): Response {
  return Response.json({ status: "alive" }, { headers: NO_STORE });
}

/** /readyz: 200 when the database answers, every committed migration is applied and the ledger head is readable; 503 with the failing check otherwise. */
export async function readyzHandler(): Promise<Response> {
  let runtime: Runtime;
  try {
    runtime = await processRuntime();
  } catch (error) {
    const detail = isDatabaseFailure(error) ? `did not open: ${describeDatabaseFailure(error)}` : "did not open";
    return Response.json({ status: "not ready", checks: { database: { ok: false, detail } } }, { status: 503, headers: { ...NO_STORE, "Retry-After": String(RETRY_AFTER_SECONDS) } });
  }
  const answer = await readiness(runtime.db);
  if (answer.ready) return Response.json({ status: "ready", checks: answer.checks }, { headers: NO_STORE });
  return Response.json({ status: "not ready", checks: answer.checks }, { status: 503, headers: { ...NO_STORE, "Retry-After": String(RETRY_AFTER_SECONDS) } });
}

/** /metrics: this instance's Prometheus metrics (each instance is scraped on its own port, not through the balancer). */
export async function metricsHandler(): Promise<Response> {
  const { registry } = (await processRuntime()).signals;
  return new Response(await registry.metrics(), { headers: { "content-type": registry.contentType, ...NO_STORE } });
}

const createCaller = createCallerFactory(appRouter);

/**
 * /api/export/<dataset>: a CSV export of the signed-in organisation's records, through the
 * same procedure as the API, its header row in the words `heading` gives (the reader's language).
 */
export async function exportDownload(dataset: string, heading?: ColumnHeading): Promise<Response> {
  // The context is made inside the call, so a database that is away answers 503 through csvDownload, not 500.
  return csvDownload(createCaller(createRequestContext), dataset, heading);
}
