import type { IncomingMessage, ServerResponse } from "node:http";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { RETRY_AFTER_SECONDS } from "@/db/availability";
import { processRuntime } from "../runtime/process";
import { requestIdFrom } from "../runtime/signals";
import type { Runtime } from "../runtime/runtime";
import { sessionUserId, type CookieJar } from "../session/token";
import { serverEnv } from "../env";
import { createContextFactory } from "./init";
import { appRouter } from "./root";

/*
 * The API tier: /api/trpc/* on plain node:http with tRPC's standalone adapter, outside Next's
 * request pipeline (issue 17). scripts/serve.ts (what `npm start`, the e2e server, the
 * reliability suite and the bench run) hands these paths here and everything else to Next.
 * It does what the Next route handler (app/api/trpc/[trpc]/route.ts through http.ts, still
 * what `npm run dev` serves) does: JSON only, the request id's log scope and X-Request-Id,
 * the session from next-auth's cookie (token.ts, the same decode), the actor read once per
 * request (init.ts), metrics and error mapping in the procedures' middleware, Retry-After on a
 * 503. It imports no "server-only" module (those need Next's bundler) and no next/*.
 */

/** The path prefix this tier serves. */
export const TRPC_PREFIX = "/api/trpc/";

/** Only JSON reaches a procedure (multipart and octet-stream POSTs need no CORS preflight: CSRF defence, as http.ts). */
function isJson(req: IncomingMessage): boolean {
  return req.headers["content-type"]?.split(";", 1)[0]?.trim().toLowerCase() === "application/json";
}

/** The request's cookies as token.ts reads them (the Cookie header, split as browsers join it). */
export function cookieJar(header: string | undefined): CookieJar {
  const cookies: { name: string; value: string }[] = [];
  if (header) {
    for (const part of header.split(";")) {
      const eq = part.indexOf("=");
      if (eq <= 0) continue;
      const name = part.slice(0, eq).trim();
      let value = part.slice(eq + 1).trim();
      if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      try {
        value = decodeURIComponent(value);
      } catch {
        // left as sent
      }
      cookies.push({ name, value });
    }
  }
  return { getAll: () => cookies };
}

const nodeHeaders = (req: IncomingMessage) => ({ get: (name: string) => (req.headers[name.toLowerCase()] as string | undefined) ?? null });

/**
 * The handler for /api/trpc/*, over the process's runtime (or another, for tests). The context
 * waits for the runtime: while the database is away it answers 503 (init.ts), not 500.
 */
export function createTrpcNodeHandler(getRuntime: () => Promise<Runtime> = processRuntime): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const secret = () => serverEnv().NEXTAUTH_SECRET;
  const handlers = new WeakMap<Promise<Runtime>, ReturnType<typeof createHTTPHandler>>();
  const handlerOver = (runtime: Promise<Runtime>) => {
    let handler = handlers.get(runtime);
    if (!handler) {
      handler = createHTTPHandler({
        router: appRouter,
        basePath: TRPC_PREFIX,
        createContext: ({ req }) => createContextFactory(() => runtime, () => sessionUserId(cookieJar(req.headers.cookie), secret()))(),
        responseMeta: ({ errors }) => (errors.some((error) => error.code === "SERVICE_UNAVAILABLE") ? { headers: { "Retry-After": String(RETRY_AFTER_SECONDS) } } : {}),
      });
      handlers.set(runtime, handler);
    }
    return handler;
  };

  return async (req, res) => {
    const requestId = requestIdFrom(nodeHeaders(req));
    res.setHeader("x-request-id", requestId);
    if (req.method !== "GET" && !isJson(req)) {
      res.statusCode = 415;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ error: { message: "Send tRPC requests as application/json.", code: -32600, data: { code: "UNSUPPORTED_MEDIA_TYPE", httpStatus: 415 } } }));
      return;
    }
    // One attempt at the runtime per request, shared by the log scope and the context.
    const opening = getRuntime();
    const runtime = await opening.catch(() => null);
    const done = new Promise<void>((resolve) => {
      res.once("close", resolve);
      res.once("finish", resolve);
    });
    const serve = () => handlerOver(opening)(req, res);
    if (runtime) runtime.signals.scope.run({ requestId }, serve);
    else serve();
    await done;
  };
}
