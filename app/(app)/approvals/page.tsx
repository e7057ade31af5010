import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { PageHeader } from "../../_components/ui";
import { ApprovalsQueue } from "./approvals-queue";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("approvals"))("metaTitle") };
}
export const dynamic = "force-dynamic";

export default async function ApprovalsPage({ searchParams }: { searchParams: Promise<{ held?: string }> }) {
  const t = await getTranslations("approvals");
  const { held } = await searchParams;
  return (
    <>
      <PageHeader title={t("title")} subtitle={t("subtitle")} />
      <ApprovalsQueue heldId={typeof held === "string" ? held : null} />
    </>
  );
}
