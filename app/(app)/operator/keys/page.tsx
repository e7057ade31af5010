import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { redirect } from "next/navigation";
import { Card, EmptyState, PageHeader } from "../../../_components/ui";
import { canDecideKeyRequests } from "@/server/authz";
import { requireActor } from "../../../_lib/session";
import { KeyRequestsTable } from "./key-requests-table";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("keyRequests"))("metaTitle") };
}
export const dynamic = "force-dynamic";

export default async function KeyRequestsPage() {
  const actor = await requireActor();
  if (actor.orgRole !== "operator") redirect("/dashboard");
  const t = await getTranslations("keyRequests");
  return (
    <>
      <PageHeader title={t("title")} subtitle={t("subtitle")} />
      {canDecideKeyRequests(actor) ? (
        <KeyRequestsTable />
      ) : (
        <Card>
          <EmptyState title={t("approversOnly")}>{t("askAdmin", { org: actor.orgName })}</EmptyState>
        </Card>
      )}
    </>
  );
}
