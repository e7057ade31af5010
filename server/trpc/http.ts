import "server-only";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { RETRY_AFTER_SECONDS } from "@/db/availability";
import { createRequestContext } from "./context";
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
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: createRequestContext,
    // A 503 (the database away or busy) tells clients and proxies when to try again.
    responseMeta: ({ errors }) => (errors.some((error) => error.code === "SERVICE_UNAVAILABLE") ? { headers: { "Retry-After": String(RETRY_AFTER_SECONDS) } } : {}),
  });
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
