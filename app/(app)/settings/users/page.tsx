import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { Card, PageHeader } from "../../../_components/ui";
import { requireActor } from "../../../_lib/session";
import { InviteForm } from "./invite-form";
import { UsersTable } from "./users-table";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("people"))("metaTitle") };
}
export const dynamic = "force-dynamic";

export default async function UsersPage() {
  const actor = await requireActor();
  if (actor.permission !== "admin") redirect("/dashboard");
  const t = await getTranslations("people");
  return (
    <>
      <PageHeader title={t("title")} subtitle={t("subtitle", { org: actor.orgName })} />
      <div className="space-y-6">
        <Card title={t("members")}>
          <UsersTable orgId={actor.orgId} selfId={actor.userId} />
        </Card>
        <Card>
          <InviteForm orgId={actor.orgId} />
        </Card>
      </div>
    </>
  );
}
