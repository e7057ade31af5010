import { getLocale, getTranslations } from "next-intl/server";
import { voucherPdfDownload } from "@/server/trpc/voucher-http";
import { formattersFor } from "../../../../../_lib/localized-format";
import { publicBaseUrl } from "../../../../../_lib/public-url";

export const dynamic = "force-dynamic";

/** The claim's e-voucher as a PDF, in the reader's language (messages/*.json `voucher`). */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const share = new URL(request.url).searchParams.get("share");
  const t = await getTranslations("voucher");
  const states = await getTranslations("states");
  const format = formattersFor(await getLocale());
  return voucherPdfDownload({
    claimId: id,
    shareToken: share && share.length <= 64 ? share : null,
    baseUrl: publicBaseUrl(),
    t: (key, values) => t(key as Parameters<typeof t>[0], values),
    format: { date: format.date, dateTime: format.dateTime, stateName: (state) => (states.has(state) ? states(state) : state) },
  });
}
