import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { serverCaller } from "@/server/trpc/server-caller";
import { Card, EmptyState, PageHeader } from "../../_components/ui";
import { requireActor } from "../../_lib/session";
import { IssueForm } from "./issue-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("issue"))("metaTitle") };
}
export const dynamic = "force-dynamic";

export default async function IssuePage() {
  const actor = await requireActor();
  if (actor.orgRole !== "core_enterprise") redirect("/dashboard");
  const t = await getTranslations("issue");
  // A viewer learns before filling the form that issuing is not theirs to sign.
  if (actor.permission === "viewer") {
    return (
      <>
        <PageHeader title={t("title")} subtitle={t("subtitle")} />
        <Card>
          <EmptyState title={t("viewerTitle")}>{t("viewerBody")}</EmptyState>
        </Card>
      </>
    );
  }
  const caller = await serverCaller();
  const [lines, recipients] = await Promise.all([caller.ledger.creditLines(), caller.ledger.issueRecipients()]);
  return (
    <>
      <PageHeader title={t("title")} subtitle={t("subtitle")} />
      <IssueForm
        lines={lines.filter((l) => l.status === "active").map((l) => ({ id: l.id, lenderName: l.lenderName, availableMinor: l.availableMinor, expiresAtMs: l.expiresAtMs }))}
        recipients={recipients}
      />
    </>
  );
}
