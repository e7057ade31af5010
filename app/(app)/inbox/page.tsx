import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { PageHeader } from "../../_components/ui";
import { InboxList } from "./inbox-list";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("notifications"))("metaTitle") };
}
export const dynamic = "force-dynamic";

export default async function InboxPage() {
  const t = await getTranslations("notifications");
  return (
    <>
      <PageHeader
        title={t("title")}
        subtitle={t("subtitle")}
        actions={
          <Link href="/settings/notifications" className="text-sm font-medium text-brand-700 hover:underline">
            {t("preferencesLink")}
          </Link>
        }
      />
      <InboxList />
    </>
  );
}
