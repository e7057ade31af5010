import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { PageHeader } from "../../../_components/ui";
import { requireActor } from "../../../_lib/session";
import { Integrations } from "./integrations";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("integrations"))("metaTitle") };
}
export const dynamic = "force-dynamic";

export default async function IntegrationsPage() {
  const actor = await requireActor();
  if (actor.permission !== "admin") redirect("/dashboard");
  const t = await getTranslations("integrations");
  return (
    <>
      <PageHeader
        title={t("title")}
        subtitle={t.rich("subtitle", {
          org: actor.orgName,
          // A route handler, not a page: a plain link.
          // eslint-disable-next-line @next/next/no-html-link-for-pages
          reference: (chunks) => <a className="underline" href="/api/v1/docs">{chunks}</a>,
        })}
      />
      <Integrations />
    </>
  );
}
