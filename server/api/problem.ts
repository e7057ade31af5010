import type { ErrorKind } from "../errors";

/*
 * RFC 9457 problem details: the one shape in which /api/v1 says no. The status of a domain
 * error is decided here, by its kind, as server/trpc/init.ts decides the tRPC code: one
 * table per transport.
 */

export const KIND_TO_STATUS: Record<ErrorKind, number> = {
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  unavailable: 503,
};

const TITLES: Record<number, string> = {
  400: "Bad request",
  401: "Unauthenticated",
  403: "Forbidden",
  404: "Not found",
  405: "Method not allowed",
  409: "Conflict",
  413: "Payload too large",
  415: "Unsupported media type",
  422: "Unprocessable content",
  429: "Too many requests",
  500: "Internal error",
  503: "Service unavailable",
};

export interface Problem {
  status: number;
  code: string;
  detail: string;
  [extension: string]: unknown;
}

export function problemBody(problem: Problem): Record<string, unknown> {
  return { type: `https://doublechain.cn/problems/${problem.code}`, title: TITLES[problem.status] ?? "Error", ...problem };
}

/** JSON with bigints as decimal strings: how /api/v1 writes every amount. */
export const toJson = (value: unknown) => JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
