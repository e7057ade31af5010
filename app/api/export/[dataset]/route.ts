import { exportDownload } from "@/server/trpc/http";

export const dynamic = "force-dynamic";

/** CSV download of the signed-in organisation's holdings, financings or repayments. */
export async function GET(_request: Request, { params }: { params: Promise<{ dataset: string }> }) {
  const { dataset } = await params;
  return exportDownload(dataset);
}
