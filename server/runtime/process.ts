import { getDb } from "@/db/client";
import { installNodeSha256 } from "../crypto/node-hash";
import { createAppRuntime, type Runtime } from "./runtime";

/*
 * The app's one runtime per process, made on first use at the entry points (the tRPC route
 * and server components through createRequestContext, next-auth's sign-in, instrumentation.ts).
 * It is kept on globalThis because Next.js bundles instrumentation.ts and the route handlers
 * separately, so a module-level variable could be two runtimes in one process (two group
 * commits, two limiters, a provenance store filled at start-up that requests never read).
 * This is the only such slot; everything below the entry is handed the runtime.
 */
const slot = globalThis as unknown as { __doubleChainRuntime?: Promise<Runtime> };

export function processRuntime(): Promise<Runtime> {
  // Each bundle may hold its own copy of the contracts' hash setting: install it in this one too.
  installNodeSha256();
  // A database that did not open is not remembered: the next request tries again (issue 18).
  return (slot.__doubleChainRuntime ??= getDb().then(
    (db) => createAppRuntime(db, { signals: { processMetrics: true, logLevel: process.env.LOG_LEVEL ?? "info" } }),
    (error: unknown) => {
      slot.__doubleChainRuntime = undefined;
      throw error;
    },
  ));
}
