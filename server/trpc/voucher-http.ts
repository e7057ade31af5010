import "server-only";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { RETRY_AFTER_SECONDS } from "@/db/availability";
import { toDomainError } from "../errors";
import { processRuntime } from "../runtime/process";
import { publishedTrustPolicy } from "../read/published-trust";
import { sharedVoucher } from "../read/shared-voucher";
import { renderVoucherPdf, type VoucherFormat, type VoucherText } from "../read/voucher-pdf";
import { createRequestContext } from "./context";
import { createCallerFactory, KIND_TO_TRPC } from "./init";
import { appRouter } from "./root";

/*
 * The e-voucher's HTTP entries (issue 15), for app/'s route handlers: the PDF of a claim's
 * voucher (through the same tRPC procedure as the page, so the same session and visibility
 * rules), the public answer behind /verify/<token>, and the published trust policy.
 */

const NO_STORE = { "cache-control": "no-store" };
const createCaller = createCallerFactory(appRouter);

function plain(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(`${message}\n`, { status, headers: { "content-type": "text/plain; charset=utf-8", ...NO_STORE, ...headers } });
}

/** A domain error as JSON with its HTTP status and code; anything else is rethrown (internal). */
function failure(error: unknown): Response {
  const domain = toDomainError(error);
  if (domain === null) throw error;
  const status = getHTTPStatusCodeFromError(new TRPCError({ code: KIND_TO_TRPC[domain.kind] }));
  const headers: Record<string, string> = { ...NO_STORE };
  if (domain.kind === "unavailable") headers["retry-after"] = String(RETRY_AFTER_SECONDS);
  if (domain.kind === "rate_limited") headers["retry-after"] = "60";
  return Response.json({ error: domain.message, code: domain.code }, { status, headers });
}

export interface VoucherPdfRequest {
  claimId: string;
  shareToken: string | null;
  /** The app's public address, for the QR code's link. */
  baseUrl: string;
  t: VoucherText;
  format: VoucherFormat;
}

/** /claims/<id>/voucher/pdf: the voucher as a PDF download, for whoever may see the claim. */
export async function voucherPdfDownload(request: VoucherPdfRequest): Promise<Response> {
  try {
    const caller = createCaller(createRequestContext);
    const voucher = await caller.vouchers.voucher({ claimId: request.claimId, ...(request.shareToken ? { shareToken: request.shareToken } : {}) });
    const shared = voucher.shareLive && request.shareToken !== null;
    const url = shared ? `${request.baseUrl}/verify/${request.shareToken}` : `${request.baseUrl}/claims/${voucher.claimId}`;
    const pdf = await renderVoucherPdf(voucher, request.t, request.format, { url, shared });
    return new Response(Buffer.from(pdf), {
      headers: { "content-type": "application/pdf", "content-disposition": `inline; filename="voucher-${voucher.claimId}.pdf"`, "cache-control": "private, no-store" },
    });
  } catch (error) {
    if (error instanceof TRPCError) {
      const response = plain(getHTTPStatusCodeFromError(error), error.code === "INTERNAL_SERVER_ERROR" ? "The voucher could not be made. Try again." : error.message);
      if (error.code === "SERVICE_UNAVAILABLE") response.headers.set("retry-after", String(RETRY_AFTER_SECONDS));
      return response;
    }
    throw error;
  }
}

/** The client's address as the balancer saw it (haproxy's X-Forwarded-For), else one shared bucket. */
function clientAddress(request: Request): string {
  return request.headers.get("x-forwarded-for")?.split(",", 1)[0]?.trim() || request.headers.get("x-real-ip") || "unknown";
}

/** GET /api/verify/<token>: the shared claim's provenance bundle, for the visitor's browser to verify. Public, rate-limited. */
export async function sharedVoucherHandler(request: Request, token: string): Promise<Response> {
  try {
    const runtime = await processRuntime();
    if (!(await runtime.limits.publicVerify.take(clientAddress(request)))) {
      return Response.json({ error: "Too many verifications from this address; wait a minute.", code: "verify_rate_limited" }, { status: 429, headers: { ...NO_STORE, "retry-after": "60" } });
    }
    return Response.json(await sharedVoucher(runtime.db, runtime.provenance, token), { headers: NO_STORE });
  } catch (error) {
    return failure(error);
  }
}

/** GET /trust-policy.json: the operator and witness keys this deployment publishes (server/read/published-trust.ts). */
export async function trustPolicyHandler(): Promise<Response> {
  try {
    const runtime = await processRuntime();
    return Response.json(await publishedTrustPolicy(runtime.db), { headers: { "cache-control": "public, max-age=300" } });
  } catch (error) {
    return failure(error);
  }
}
