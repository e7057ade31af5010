import { DATABASE_BUSY_MESSAGE, DATABASE_UNAVAILABLE_MESSAGE, type DatabaseFailure } from "@/db/availability";

/**
 * Domain errors carry a stable code. Services throw them; the tRPC layer maps each kind to
 * a transport code in exactly one place (server/trpc/init.ts).
 */
export const ERROR_KINDS = ["bad_request", "unauthenticated", "forbidden", "not_found", "conflict", "rate_limited", "unavailable"] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export const badRequest = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainError("bad_request", code, message, details);
export const forbidden = (code: string, message: string) => new DomainError("forbidden", code, message);
export const notFound = (code: string, message: string) => new DomainError("not_found", code, message);
export const conflict = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainError("conflict", code, message, details);
export const unauthenticated = () => new DomainError("unauthenticated", "not_signed_in", "Sign in to continue.");

/**
 * The database was away, full or too slow (db/availability.ts classifies its failures by
 * code): the request changed nothing and may simply be sent again.
 */
export function databaseUnavailable(failure: DatabaseFailure): DomainError {
  return failure === "busy"
    ? new DomainError("unavailable", "database_busy", DATABASE_BUSY_MESSAGE)
    : new DomainError("unavailable", "database_unavailable", DATABASE_UNAVAILABLE_MESSAGE);
}
