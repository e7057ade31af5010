/*
 * The built app in production, as one process (Next's documented custom-server pattern): a
 * plain node:http server hands /api/trpc/* to the API tier (server/trpc/node-http.ts, tRPC's
 * standalone adapter, outside Next's request pipeline) and everything else to Next's request
 * handler (pages, next-auth, /api/v1, /api/export, /healthz, /readyz, /metrics). This is what
 * `npm start` runs for each instance (scripts/start.mjs), and what the e2e server, the
 * reliability suite and the bench start; `npm run dev` keeps `next dev` (its route handler
 * app/api/trpc/[trpc]/route.ts serves the same procedures there).
 *
 *   node --import tsx scripts/serve.ts [-p PORT] [-H HOST]
 *
 * Next's instrumentation.ts runs in this process during prepare() as under `next start` (the
 * production guard, the runtime opened at start-up, the job schedule); the API tier asks for
 * the same runtime (server/runtime/process.ts keeps it on globalThis).
 */
import http from "node:http";
import { randomBytes } from "node:crypto";

function option(flag: string, long: string): string | undefined {
  const args = process.argv.slice(2);
  const at = args.findIndex((arg) => arg === flag || arg === long);
  return at >= 0 ? args[at + 1] : undefined;
}

const port = Number(option("-p", "--port") ?? process.env.PORT ?? 3000);
const hostname = option("-H", "--hostname") ?? process.env.HOST ?? "0.0.0.0";
// As `next start`: production unless told otherwise, set before Next or the server modules load.
(process.env as Record<string, string>).NODE_ENV ??= "production";

const [{ default: next }, { createTrpcNodeHandler, TRPC_PREFIX }] = await Promise.all([import("next"), import("@/server/trpc/node-http")]);

/** next.config.ts's headers, which Next adds to its own answers only: the API tier's answers carry them too. */
const SECURITY_HEADERS: [string, string][] = [
  ["X-Content-Type-Options", "nosniff"],
  ["X-Frame-Options", "DENY"],
  ["Referrer-Policy", "strict-origin-when-cross-origin"],
  ["Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"],
  ["Cross-Origin-Opener-Policy", "same-origin"],
  ["Cross-Origin-Resource-Policy", "same-origin"],
  ["Strict-Transport-Security", "max-age=31536000; includeSubDomains"],
];

const app = next({ dev: false, hostname, port, dir: process.cwd() });
const nextHandler = app.getRequestHandler();
const trpcHandler = createTrpcNodeHandler();
await app.prepare();
// After prepare: next/server (which proxy.ts imports) needs the process set up as Next's server sets it (its AsyncLocalStorage global).
const { contentSecurityPolicy } = await import("../proxy");

const server = http.createServer((req, res) => {
  if (req.url?.startsWith(TRPC_PREFIX)) {
    for (const [name, value] of SECURITY_HEADERS) res.setHeader(name, value);
    // The policy proxy.ts gives Next's answers; a JSON answer runs no script, so its nonce is never used.
    res.setHeader("Content-Security-Policy", contentSecurityPolicy(randomBytes(16).toString("base64")));
    trpcHandler(req, res).catch((error: unknown) => {
      console.error("[serve] the API tier failed:", error);
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    });
    return;
  }
  void nextHandler(req, res);
});
// As `next start`: keep idle connections open past a balancer's own keep-alive.
server.keepAliveTimeout = 65_000;
server.listen(port, hostname, () => console.log(`[serve] ready on http://${hostname}:${port} (API tier on ${TRPC_PREFIX}, Next for the rest)`));

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    server.close();
    setTimeout(() => process.exit(0), 100).unref();
    void app.close().finally(() => process.exit(0));
  });
}
