import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { TRPCError } from "@trpc/server";
import { getTranslations } from "next-intl/server";
import QRCode from "qrcode";
import { serverCaller } from "@/server/trpc/server-caller";
import { requireActor } from "../../../../_lib/session";
import { publicBaseUrl } from "../../../../_lib/public-url";
import { formattersFor } from "../../../../_lib/localized-format";
import { getLocale } from "next-intl/server";
import { ShareControls } from "./share-controls";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("voucher"))("title") };
}
export const dynamic = "force-dynamic";

/**
 * The claim's e-voucher (电子债权凭证), printable: the shell is hidden in print, the page is
 * one A4 sheet. Its QR code carries the share link when the holder came here from sharing it
 * (`?share=<token>`, checked to be a live share of this claim), else the claim's own page.
 */
export default async function VoucherPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ share?: string }> }) {
  const { id } = await params;
  const { share } = await searchParams;
  await requireActor();
  const t = await getTranslations("voucher");
  const tStates = await getTranslations("states");
  const format = formattersFor(await getLocale());
  const shareToken = typeof share === "string" && share.length <= 64 ? share : null;
  const voucher = await (await serverCaller())
    .vouchers.voucher({ claimId: id, ...(shareToken ? { shareToken } : {}) })
    // A claim the reader may not see, or a malformed id, is a page that does not exist.
    .catch((error: unknown) => (error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST") ? notFound() : Promise.reject(error)));
  const shared = voucher.shareLive && shareToken !== null;
  const qrUrl = shared ? `${publicBaseUrl()}/verify/${shareToken}` : `${publicBaseUrl()}/claims/${voucher.claimId}`;
  const qrSvg = await QRCode.toString(qrUrl, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
  const pdfHref = `/claims/${voucher.claimId}/voucher/pdf${shared ? `?share=${encodeURIComponent(shareToken)}` : ""}`;
  const checkpoint = voucher.checkpoint;
  const rows: { label: string; value: React.ReactNode; testId?: string }[] = [
    { label: t("issuer"), value: voucher.issuer.name },
    { label: t("holder"), value: voucher.holder.name, testId: "voucher-holder" },
    { label: t("faceValue"), value: <span className="text-lg font-semibold tabular-nums">{format.money(voucher.amountMinor)}</span> },
    { label: t("inCapitals"), value: <span className="text-lg font-semibold">{format.capitals(voucher.amountMinor)}</span>, testId: "voucher-capitals" },
    ...(voucher.outstandingMinor !== voucher.amountMinor ? [{ label: t("outstanding"), value: `${format.money(voucher.outstandingMinor)} ${format.capitals(voucher.outstandingMinor)}` }] : []),
    { label: t("maturity"), value: format.date(voucher.maturityDate) },
    { label: t("status"), value: tStates.has(voucher.state) ? tStates(voucher.state) : voucher.state },
    {
      label: t("place"),
      value: (
        <div className="space-y-0.5">
          <div>{t("tierValue", { tier: voucher.tier })}</div>
          <div className="font-mono text-xs">{voucher.parentId === null ? t("isRoot") : t("parentValue", { id: voucher.parentId })}</div>
          <div className="font-mono text-xs">{t("rootValue", { id: voucher.rootId })}</div>
        </div>
      ),
    },
    {
      label: t("documents"),
      value: voucher.documents ? (
        <div className="space-y-0.5 break-all font-mono text-xs">
          {voucher.documents.reference ? (
            <div className="font-sans text-sm text-slate-900" data-testid="voucher-reference">
              {t("reference")} {voucher.documents.reference}
            </div>
          ) : null}
          <div>{t("invoice")} {voucher.documents.invoiceSha256}</div>
          <div>{t("contract")} {voucher.documents.contractSha256}</div>
          <div>{t("deliveryNote")} {voucher.documents.deliveryNoteSha256}</div>
        </div>
      ) : (
        t("noDocuments")
      ),
    },
    { label: t("txId"), value: <span className="break-all font-mono text-xs">{voucher.txId}</span> },
    {
      label: t("checkpoint"),
      value: checkpoint ? (
        <div className="space-y-0.5 text-xs">
          <div>{t("checkpointValue", { size: checkpoint.size, at: format.dateTime(checkpoint.timestampMs) })}</div>
          <div className="break-all font-mono">{t("checkpointHash")} {checkpoint.checkpointHash}</div>
          <div data-testid="voucher-cosigners">{t("cosigners")} {checkpoint.cosigners.join(", ") || t("noCosigners")}</div>
        </div>
      ) : (
        t("noCheckpoint")
      ),
    },
  ];
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-3 print:hidden">
        <Link href={`/claims/${voucher.claimId}`} className="text-sm font-medium text-brand-600 hover:underline">
          {t("backToClaim")}
        </Link>
        <a href={pdfHref} className="rounded-md bg-white px-3.5 py-2 text-sm font-medium text-slate-700 ring-1 ring-inset ring-slate-300 hover:bg-slate-50" data-testid="voucher-pdf">
          {t("downloadPdf")}
        </a>
      </div>
      <article className="rounded-xl border border-slate-300 bg-white p-8 shadow-xs print:border-0 print:p-0 print:shadow-none" data-testid="voucher">
        <header className="mb-6 border-b border-slate-200 pb-4">
          <h1 className="text-2xl font-semibold text-slate-900">{t("title")}</h1>
          <p className="mt-1 break-all font-mono text-xs text-slate-500" data-testid="voucher-claim-id">
            {t("claimId")} {voucher.claimId}
          </p>
        </header>
        <dl className="grid grid-cols-[9rem_1fr] gap-x-4 gap-y-3 text-sm">
          {rows.map((row) => (
            <div key={row.label} className="contents">
              <dt className="text-xs uppercase tracking-wide text-slate-500">{row.label}</dt>
              <dd className="text-slate-900" data-testid={row.testId}>
                {row.value}
              </dd>
            </div>
          ))}
        </dl>
        <footer className="mt-6 flex items-start gap-4 border-t border-slate-200 pt-4">
          <div className="h-32 w-32 shrink-0" data-testid="voucher-qr" data-url={qrUrl} dangerouslySetInnerHTML={{ __html: qrSvg }} />
          <div className="space-y-1 text-sm">
            <p className="font-medium text-slate-900">{shared ? t("scanToVerify") : t("scanToOpen")}</p>
            <p className="break-all font-mono text-xs text-slate-500">{qrUrl}</p>
            {shared ? null : <p className="text-xs text-slate-500">{t("notShared")}</p>}
            <p className="text-xs text-slate-400">{t("footer")}</p>
          </div>
        </footer>
      </article>
      {voucher.canShare ? <ShareControls claimId={voucher.claimId} /> : null}
    </div>
  );
}
