import { createCallerFactory } from "@/server/trpc/init";
import { appRouter } from "@/server/trpc/root";
import { createRequestContext } from "@/server/trpc/context";
import { csvDownload } from "@/server/trpc/csv-download";

export const dynamic = "force-dynamic";

const createCaller = createCallerFactory(appRouter);

/** CSV download of the signed-in organisation's holdings, financings or repayments. */
export async function GET(_request: Request, { params }: { params: Promise<{ dataset: string }> }) {
  const { dataset } = await params;
  // The context is made inside the call, so a database that is away answers 503 through csvDownload, not 500.
  return csvDownload(createCaller(createRequestContext), dataset);
}
