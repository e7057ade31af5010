import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { Card, PageHeader } from "../../../_components/ui";
import { requireActor } from "../../../_lib/session";
import { PreferencesForm } from "./preferences-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("notifications.settings"))("metaTitle") };
}
export const dynamic = "force-dynamic";

/** Each person's own choices of what reaches the inbox and what is emailed (every member, not only admins). */
export default async function NotificationSettingsPage() {
  const actor = await requireActor();
  const t = await getTranslations("notifications.settings");
  return (
    <>
      <PageHeader title={t("title")} subtitle={t("subtitle", { email: actor.email })} />
      <Card>
        <PreferencesForm />
      </Card>
    </>
  );
}
