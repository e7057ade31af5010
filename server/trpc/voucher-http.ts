import "server-only";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { RETRY_AFTER_SECONDS } from "@/db/availability";
import { processRuntime } from "../runtime/process";
import { publishedTrustPolicy } from "../read/published-trust";
import { renderVoucherPdf, type VoucherFormat, type VoucherText } from "../read/voucher-pdf";
import { createRequestContext } from "./context";
import { createCallerFactory } from "./init";
import { answerSharedVoucher, domainFailure, NO_STORE } from "./public-verify";
import { appRouter } from "./root";

/*
 * The e-voucher's HTTP entries (issue 15), for app/'s route handlers: the PDF of a claim's
 * voucher (through the same tRPC procedure as the page, so the same session and visibility
 * rules), the public answer behind /verify/<token>, and the published trust policy.
 */

const createCaller = createCallerFactory(appRouter);

function plain(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(`${message}\n`, { status, headers: { "content-type": "text/plain; charset=utf-8", ...NO_STORE, ...headers } });
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

/** GET /api/verify/<token>: the shared claim's provenance bundle, for the visitor's browser to verify. Public, rate-limited. */
export async function sharedVoucherHandler(request: Request, token: string): Promise<Response> {
  try {
    return await answerSharedVoucher(await processRuntime(), request, token);
  } catch (error) {
    return domainFailure(error);
  }
}

/** GET /trust-policy.json: the operator and witness keys this deployment publishes (server/read/published-trust.ts). */
export async function trustPolicyHandler(): Promise<Response> {
  try {
    const runtime = await processRuntime();
    return Response.json(await publishedTrustPolicy(runtime.db), { headers: { "cache-control": "public, max-age=300" } });
  } catch (error) {
    return domainFailure(error);
  }
}
