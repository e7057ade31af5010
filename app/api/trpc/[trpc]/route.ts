import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "@/server/trpc/root";
import { createRequestContext } from "@/server/trpc/context";
import { RETRY_AFTER_SECONDS } from "@/db/availability";

export const dynamic = "force-dynamic";

/**
 * tRPC's fetch adapter also accepts multipart/form-data and application/octet-stream
 * POSTs, which a cross-site HTML form can send without a CORS preflight. The app only ever
 * sends JSON, so anything else is refused before it reaches a procedure (CSRF defence in
 * depth, next to the SameSite=Lax session cookie).
 */
function isJson(req: Request): boolean {
  return req.headers.get("content-type")?.split(";", 1)[0]?.trim().toLowerCase() === "application/json";
}

const handler = (req: Request) => {
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
};

export { handler as GET, handler as POST };
