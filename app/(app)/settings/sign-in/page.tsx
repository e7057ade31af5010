import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { Card, PageHeader } from "../../../_components/ui";
import { requireActor } from "../../../_lib/session";
import { SignInPasskeys } from "./sign-in-passkeys";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("signInSettings"))("metaTitle") };
}
export const dynamic = "force-dynamic";

/** Each person's own ways of signing in: the passkeys that sign him in, named, renamed, removed. */
export default async function SignInSettingsPage() {
  const actor = await requireActor();
  const t = await getTranslations("signInSettings");
  return (
    <>
      <PageHeader title={t("title")} subtitle={t("subtitle", { email: actor.email })} />
      <Card title={t("passkeysTitle")}>
        <SignInPasskeys />
      </Card>
    </>
  );
}
