import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { Alert, PageHeader } from "../../_components/ui";
import { requireActor } from "../../_lib/session";
import { ClaimsWorkspace } from "./claims-workspace";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("claims"))("metaTitle") };
}
export const dynamic = "force-dynamic";

export default async function ClaimsPage({ searchParams }: { searchParams: Promise<{ done?: string }> }) {
  const { done } = await searchParams;
  const actor = await requireActor();
  const t = await getTranslations("claims");
  return (
    <>
      <PageHeader title={t("title")} subtitle={t("subtitle")} />
      {done === "split" || done === "financed" ? (
        <div className="mb-6" data-testid="done-notice">
          <Alert tone="green">{t(done === "split" ? "doneSplit" : "doneFinanced")}</Alert>
        </div>
      ) : null}
      <ClaimsWorkspace selfOrgId={actor.orgId} canSign={actor.permission !== "viewer"} />
    </>
  );
}
