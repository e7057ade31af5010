import { getTranslations } from "next-intl/server";
import { exportDownload } from "@/server/trpc/http";

export const dynamic = "force-dynamic";

/**
 * CSV download of the signed-in organisation's holdings, financings or repayments, its header
 * row in the reader's language (messages/*.json csv.columns; in English, the column names).
 */
export async function GET(_request: Request, { params }: { params: Promise<{ dataset: string }> }) {
  const { dataset } = await params;
  const t = await getTranslations("csv.columns");
  return exportDownload(dataset, (column) => (t.has(column) ? t(column) : column));
}
