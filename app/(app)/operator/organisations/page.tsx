import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { PageHeader } from "../../../_components/ui";
import { requireActor } from "../../../_lib/session";
import { OrganisationsTable } from "./organisations-table";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("organisations"))("metaTitle") };
}
export const dynamic = "force-dynamic";

export default async function OrganisationsPage() {
  const actor = await requireActor();
  if (actor.orgRole !== "operator") redirect("/dashboard");
  const t = await getTranslations("organisations");
  return (
    <>
      <PageHeader title={t("title")} subtitle={t("subtitle")} />
      <OrganisationsTable canReview={actor.permission === "approver" || actor.permission === "admin"} canInvite={actor.permission === "admin"} />
    </>
  );
}
