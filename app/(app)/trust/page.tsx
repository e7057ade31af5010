import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { PageHeader, EmptyState } from "../../_components/ui";
import { requireActor } from "../../_lib/session";
import { TrustWorkspace } from "./trust-workspace";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("trust"))("metaTitle") };
}
export const dynamic = "force-dynamic";

/**
 * The organisation's trust policy: which operator and witness keys this browser believes and
 * how many witnesses must have cosigned. Lenders and auditors verify against it; only their
 * admins change it. It is kept in this browser (IndexedDB), never fetched from the platform.
 */
export default async function TrustPage() {
  const actor = await requireActor();
  const t = await getTranslations("trust");
  const verifies = actor.orgRole === "lender" || actor.orgRole === "auditor";
  return (
    <>
      <PageHeader title={t("title")} subtitle={t("subtitle")} />
      {verifies ? (
        <TrustWorkspace orgId={actor.orgId} canPin={actor.permission === "admin"} email={actor.email} />
      ) : (
        <EmptyState title={t("notVerifierTitle")}>{t("notVerifierBody")}</EmptyState>
      )}
    </>
  );
}
