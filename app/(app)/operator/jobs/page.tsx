import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { redirect } from "next/navigation";
import { PageHeader } from "../../../_components/ui";
import { requireActor } from "../../../_lib/session";
import { ScheduledJobsTable } from "./scheduled-jobs-table";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("jobs"))("metaTitle") };
}
export const dynamic = "force-dynamic";

export default async function ScheduledJobsPage() {
  const actor = await requireActor();
  if (actor.orgRole !== "operator") redirect("/dashboard");
  const t = await getTranslations("jobs");
  return (
    <>
      <PageHeader title={t("title")} subtitle={t("subtitle")} />
      <ScheduledJobsTable />
    </>
  );
}
