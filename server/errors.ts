import { classifyDatabaseFailure, DATABASE_BUSY_MESSAGE, DATABASE_UNAVAILABLE_MESSAGE, type DatabaseFailure as DatabaseAvailabilityFailure } from "@/db/availability";

/**
 * Domain errors carry a stable code. Services throw them; the tRPC layer maps each kind to
 * a transport code in exactly one place (server/trpc/init.ts). A ledger refusal is not an
 * error: it is an answer (Refusal, contracts/ledger/refusals.ts).
 */
export type ErrorKind = "bad_request" | "unauthenticated" | "forbidden" | "not_found" | "conflict" | "rate_limited" | "unavailable";

/** Marks a DomainError across module copies (see DomainError's Symbol.hasInstance). */
const DOMAIN_ERROR = Symbol.for("double-chain.DomainError");

export class DomainError extends Error {
  /**
   * The custom server (scripts/serve.ts) loads the API tier's modules beside Next's bundle of
   * the same modules, and both use the one runtime (server/runtime/process.ts): an error thrown
   * by one copy is a DomainError to the other too, by this brand, not by prototype identity.
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[DOMAIN_ERROR] === true;
  }

  readonly [DOMAIN_ERROR] = true;

  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export const badRequest = (code: string, message: string) => new DomainError("bad_request", code, message);
export const forbidden = (code: string, message: string) => new DomainError("forbidden", code, message);
export const notFound = (code: string, message: string) => new DomainError("not_found", code, message);
export const conflict = (code: string, message: string) => new DomainError("conflict", code, message);

// ---------------------------------------------------------------------------------------
// Database errors, classified by SQLSTATE only (PostgreSQL, Appendix A). postgres.js and
// PGlite both carry it as the error's `code`; drizzle wraps the driver's error as `cause`.
// Never by the message: it is localised, changes between versions and repeats the values.

/** The conditions the server tells apart, by SQLSTATE. Add a row to handle a new one. */
export const SQLSTATE_CONDITIONS = {
  "23505": "unique_violation",
  "23503": "foreign_key_violation",
  "23514": "check_violation",
  "23502": "not_null_violation",
  "23P01": "exclusion_violation",
  /** RAISE EXCEPTION: the ledger's guard triggers (append-only log, conservation) raise it. */
  P0001: "raise_exception",
  "40001": "serialization_failure",
  "40P01": "deadlock_detected",
} as const;
export type DatabaseCondition = (typeof SQLSTATE_CONDITIONS)[keyof typeof SQLSTATE_CONDITIONS];

export interface DatabaseFailure {
  sqlState: string;
  condition: DatabaseCondition;
}

/** The SQLSTATE of a database error anywhere in the cause chain, or null. */
export function sqlStateOf(error: unknown): string | null {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return null;
}

/** What a database error means here, or null when it is not one we tell apart (a fault). */
export function databaseFailureOf(error: unknown): DatabaseFailure | null {
  const sqlState = sqlStateOf(error);
  if (sqlState === null || !Object.hasOwn(SQLSTATE_CONDITIONS, sqlState)) return null;
  return { sqlState, condition: SQLSTATE_CONDITIONS[sqlState as keyof typeof SQLSTATE_CONDITIONS] };
}

const lostRace = () => conflict("concurrent_change", "Someone else made the same change at the same moment. Reload the page and try again.");

/**
 * Which database conditions are expected outcomes a person can act on, as domain errors.
 * A unique constraint refusing a write, or PostgreSQL aborting one of two transactions
 * that ran into each other, is a lost race (two sign-ups with one email), not a fault: the
 * loser is told to retry. Every other condition is a bug and stays an internal error.
 */
const DATABASE_CONDITION_ERRORS: Partial<Record<DatabaseCondition, () => DomainError>> = {
  unique_violation: lostRace,
  serialization_failure: lostRace,
  deadlock_detected: lostRace,
};

/**
 * The database was away, full or too slow (db/availability.ts classifies its failures by
 * code): the request changed nothing and may simply be sent again.
 */
export function databaseUnavailable(availability: DatabaseAvailabilityFailure): DomainError {
  return availability === "busy"
    ? new DomainError("unavailable", "database_busy", DATABASE_BUSY_MESSAGE)
    : new DomainError("unavailable", "database_unavailable", DATABASE_UNAVAILABLE_MESSAGE);
}

/**
 * The domain error an error stands for: itself, the database away or busy (503, retry), the
 * meaning of its SQLSTATE, or null (internal).
 */
export function toDomainError(error: unknown): DomainError | null {
  if (error instanceof DomainError) return error;
  const availability = classifyDatabaseFailure(error);
  if (availability !== null) return databaseUnavailable(availability);
  const failure = databaseFailureOf(error);
  return failure ? (DATABASE_CONDITION_ERRORS[failure.condition]?.() ?? null) : null;
}

/**
 * What the server log keeps of an unexpected error: each error in the cause chain by name,
 * message and code, and the stack frames. Never the values a query was run with: a
 * failed SQL statement's message carries its parameters (password hashes, emails, names),
 * and a database error's detail repeats the offending values, so both are cut off.
 */
export function describeInternalError(error: unknown): string {
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth += 1) {
    if (!(current instanceof Error)) {
      lines.push(`(${typeof current})`);
      break;
    }
    const code = (current as { code?: unknown }).code;
    const message = current.message.split(/\nparams:/)[0]!.slice(0, 500);
    lines.push(`${depth === 0 ? "" : "caused by "}${current.name}: ${message}${typeof code === "string" ? ` [${code}]` : ""}`);
    if (depth === 0) lines.push(...(current.stack ?? "").split("\n").filter((line) => /^\s+at /.test(line)).slice(0, 8));
    current = current.cause;
  }
  return lines.join("\n");
}
