import { getDb } from "@/db/client";
import { databaseSettingsFromEnv } from "@/db/settings";
import { openWriterSession } from "@/db/writer-session";
import { installNodeSha256 } from "../crypto/node-hash";
import { createAppRuntime, type Runtime, type RuntimeOptions } from "./runtime";

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
    (db) => createAppRuntime(db, { signals: { processMetrics: true, logLevel: process.env.LOG_LEVEL ?? "info" }, ...writerElection() }),
    (error: unknown) => {
      slot.__doubleChainRuntime = undefined;
      throw error;
    },
  ));
}

/**
 * On a PostgreSQL server, the instances elect one ledger writer (server/ledger/writer.ts)
 * unless LEDGER_SINGLE_WRITER=off, which lets each instance commit its own blocks as before
 * (kept to measure the difference). A submitter waits for the writer's answer as long as a
 * statement may run (DATABASE_STATEMENT_TIMEOUT_MS).
 */
function writerElection(): Pick<RuntimeOptions, "writer"> {
  const url = process.env.DATABASE_URL;
  if (!url || process.env.LEDGER_SINGLE_WRITER === "off") return {};
  return { writer: { session: openWriterSession(url), answerTimeoutMs: databaseSettingsFromEnv(process.env).DATABASE_STATEMENT_TIMEOUT_MS } };
}
