import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getLocale, getTranslations } from "next-intl/server";
import { serverCaller } from "@/server/trpc/server-caller";
import { Alert, PageHeader } from "../../../_components/ui";
import { formattersFor } from "../../../_lib/localized-format";
import { requireActor } from "../../../_lib/session";
import { ProvenanceView } from "../../claims/[id]/provenance-view";
import { FinancingActions } from "./financing-actions";
import { LenderDesk } from "./lender-desk";
import { TradeDocuments } from "../../_components/trade-documents";
import { RefreshWhileWaiting } from "./refresh-while-waiting";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("financing"))("metaTitle") };
}
export const dynamic = "force-dynamic";

export default async function FinancingDetailPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ auto?: string }> }) {
  const { id } = await params;
  const { auto } = await searchParams;
  const actor = await requireActor();
  const financing = await (await serverCaller()).financing.get({ financingId: id });
  if (!financing) notFound();
  const role = financing.lenderOrgId === actor.orgId ? "lender" : "holder";
  const t = await getTranslations("financing");
  const format = formattersFor(await getLocale());
  const formatMinor = format.money;
  return (
    <>
      <PageHeader
        title={role === "lender" ? t("applicationFrom", { name: financing.holderName }) : t("financingWith", { name: financing.lenderName })}
        subtitle={t("detailSubtitle", { issuer: financing.issuerName, tier: financing.depth, date: format.date(financing.maturityDate) })}
        actions={
          <Link href="/financing" className="text-sm font-medium text-brand-600 hover:underline">
            {t("all")}
          </Link>
        }
      />
      <div className="space-y-6">
        {financing.policyId !== null && role === "holder" && auto !== undefined ? (
          <div data-testid="auto-notice">
            <Alert tone="green">
              {financing.status === "disbursed"
                ? t("autoPaid", {
                    amount: financing.netMinor !== null ? formatMinor(financing.netMinor) : "",
                    lender: financing.lenderName,
                    elapsed: /^\d+$/.test(auto) ? t("autoElapsed", { seconds: (Number(auto) / 1000).toFixed(1) }) : "",
                  })
                : t("autoApproved", { lender: financing.lenderName })}
            </Alert>
            {financing.status === "accepted" ? <RefreshWhileWaiting /> : null}
          </div>
        ) : null}
        {role === "lender" ? (
          <LenderDesk orgId={actor.orgId} financing={financing} canSign={actor.permission !== "viewer"} />
        ) : (
          <FinancingActions financing={financing} role={role} canSign={actor.permission !== "viewer"} />
        )}
        {role === "lender" ? <ProvenanceView claimId={financing.claimId} /> : null}
        <TradeDocuments claimId={financing.claimId} />
      </div>
    </>
  );
}
