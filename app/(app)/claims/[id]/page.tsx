import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { PageHeader } from "../../../_components/ui";
import { requireActor } from "../../../_lib/session";
import { ProvenanceView } from "./provenance-view";
import { TradeDocuments } from "../../_components/trade-documents";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("claim"))("metaTitle") };
}
export const dynamic = "force-dynamic";

export default async function ClaimPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requireActor();
  const t = await getTranslations("claim");
  return (
    <>
      <PageHeader
        title={t("title")}
        subtitle={<span className="font-mono text-xs">{id}</span>}
        actions={
          <div className="flex items-center gap-4">
            <Link href={`/claims/${id}/voucher`} className="text-sm font-medium text-brand-600 hover:underline" data-testid="claim-voucher-link">
              {t("voucher")}
            </Link>
            <Link href="/claims" className="text-sm font-medium text-brand-600 hover:underline">
              {t("back")}
            </Link>
          </div>
        }
      />
      <ProvenanceView claimId={id} />
      <div className="mt-6">
        <TradeDocuments claimId={id} />
      </div>
    </>
  );
}
