/*
 * Which database failures mean "the database is away or full" (answer 503, retry later)
 * rather than "this request is wrong" or "our code is wrong" (500). Classified by the
 * SQLSTATE PostgreSQL sends and the codes the drivers give their own failures, never by
 * matching message text: messages change between versions and languages, codes do not.
 */

/** SQLSTATEs of a server that is going away, starting or refusing connections. */
const UNAVAILABLE_SQLSTATES = new Set([
  "57P01", // admin_shutdown: a fast or immediate stop terminated the session
  "57P02", // crash_shutdown: another backend crashed, every session is reset
  "57P03", // cannot_connect_now: starting up, shutting down or in recovery
  "53300", // too_many_connections: max_connections is full
  "53400", // configuration_limit_exceeded
]);

/** SQLSTATEs of a statement that gave up waiting (our statement and lock timeouts). */
const BUSY_SQLSTATES = new Set([
  "55P03", // lock_not_available: lock_timeout ran out (the ledger head held elsewhere)
  "57014", // query_canceled: statement_timeout ran out
]);

/** postgres.js and Node's own codes for a connection that could not be made or was lost. */
const CONNECTION_CODES = new Set([
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "DATABASE_LOCKED", // the embedded database's folder is held by another live process (db/lock.ts)
]);

export type DatabaseFailure = "unavailable" | "busy";

function classifyOne(error: unknown): DatabaseFailure | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return null;
  // Class 08: connection exception (08000, 08001, 08003, 08004, 08006, 08P01...).
  if (/^08[0-9A-Z]{3}$/.test(code) || UNAVAILABLE_SQLSTATES.has(code) || CONNECTION_CODES.has(code)) return "unavailable";
  if (BUSY_SQLSTATES.has(code)) return "busy";
  return null;
}

/**
 * "unavailable" when some error of the cause chain (drizzle wraps the driver's error in
 * its own) says the database cannot be reached or is full, "busy" when a statement gave
 * up waiting, null for anything else. AggregateError (Node's connect to several addresses)
 * is searched too.
 */
export function classifyDatabaseFailure(error: unknown): DatabaseFailure | null {
  let current: unknown = error;
  for (let depth = 0; current !== null && current !== undefined && depth < 6; depth += 1) {
    const found = classifyOne(current);
    if (found) return found;
    if (current instanceof AggregateError) {
      for (const inner of current.errors) {
        const innerFound = classifyOne(inner);
        if (innerFound) return innerFound;
      }
    }
    current = current instanceof Error ? current.cause : undefined;
  }
  return null;
}

/** True when the failure says nothing about the request: the database was away, full or too slow. */
export function isDatabaseFailure(error: unknown): boolean {
  return classifyDatabaseFailure(error) !== null;
}

/** What a person sees (tRPC, sign-in page, HTTP API) while the database is away. */
export const DATABASE_UNAVAILABLE_MESSAGE = "The ledger is unavailable; nothing was changed. Try again in a moment.";

/** The same when a statement gave up waiting for a lock or ran out of time. */
export const DATABASE_BUSY_MESSAGE = "The ledger is busy; nothing was changed. Try again in a moment.";

/** Seconds a client should wait before retrying (the Retry-After header). */
export const RETRY_AFTER_SECONDS = 2;

let lastReportMs = 0;
let unreported = 0;

/**
 * One line in the server log for database failures, at most every five seconds (an outage
 * under load fails hundreds of requests a second). Only the codes: never a query or its values.
 */
export function reportDatabaseFailure(error: unknown, nowMs = Date.now()): void {
  unreported += 1;
  if (nowMs - lastReportMs < 5_000) return;
  console.error(`[db] ${unreported} request(s) answered 503: ${describeDatabaseFailure(error)}`);
  lastReportMs = nowMs;
  unreported = 0;
}

/** "the database is unavailable (ECONNREFUSED)": the classification and the codes of the cause chain, never a query or its values. */
export function describeDatabaseFailure(error: unknown): string {
  const codes: string[] = [];
  for (let current = error, depth = 0; current instanceof Error && depth < 6; current = current.cause, depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && !codes.includes(code)) codes.push(code);
  }
  return `the database is ${classifyDatabaseFailure(error) ?? "failing"} (${codes.join(", ") || "no code"})`;
}
