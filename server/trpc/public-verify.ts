import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { RETRY_AFTER_SECONDS } from "@/db/availability";
import { toDomainError } from "../errors";
import type { Runtime } from "../runtime/runtime";
import { sharedVoucher } from "../read/shared-voucher";
import { KIND_TO_TRPC } from "./init";

/*
 * The public answer behind /verify/<token>, given the runtime it runs on, so that the tests
 * drive it on their own database (voucher-http.ts, the route handlers' entry, passes the
 * process's runtime and is server-only).
 */

export const NO_STORE = { "cache-control": "no-store" };

/** A domain error as JSON with its HTTP status and code; anything else is rethrown (internal). */
export function domainFailure(error: unknown): Response {
  const domain = toDomainError(error);
  if (domain === null) throw error;
  const status = getHTTPStatusCodeFromError(new TRPCError({ code: KIND_TO_TRPC[domain.kind] }));
  const headers: Record<string, string> = { ...NO_STORE };
  if (domain.kind === "unavailable") headers["retry-after"] = String(RETRY_AFTER_SECONDS);
  if (domain.kind === "rate_limited") headers["retry-after"] = "60";
  return Response.json({ error: domain.message, code: domain.code }, { status, headers });
}

/** The client's address as the balancer saw it (haproxy's X-Forwarded-For), else one shared bucket. */
function clientAddress(request: Request): string {
  return request.headers.get("x-forwarded-for")?.split(",", 1)[0]?.trim() || request.headers.get("x-real-ip") || "unknown";
}

/**
 * The shared claim's provenance bundle, for the visitor's browser to verify. Every request
 * counts against its address's allowance (runtime.limits.publicVerify, 30 a minute) before the
 * token is looked at, so walking tokens costs the same as opening one.
 */
export async function answerSharedVoucher(runtime: Runtime, request: Request, token: string): Promise<Response> {
  try {
    if (!(await runtime.limits.publicVerify.take(clientAddress(request)))) {
      return Response.json({ error: "Too many verifications from this address; wait a minute.", code: "verify_rate_limited" }, { status: 429, headers: { ...NO_STORE, "retry-after": "60" } });
    }
    return Response.json(await sharedVoucher(runtime.db, runtime.provenance, token), { headers: NO_STORE });
  } catch (error) {
    return domainFailure(error);
  }
}
