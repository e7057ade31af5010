import { sharedVoucherHandler } from "@/server/trpc/voucher-http";

export const dynamic = "force-dynamic";

/** The shared claim's provenance bundle, for /verify/<token> to check in the visitor's browser. Public, rate-limited. */
export async function GET(request: Request, { params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  return sharedVoucherHandler(request, token);
}
