import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { AuthFrame } from "../../_components/auth-frame";
import { AcceptInviteForm } from "./accept-invite-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("invite"))("metaTitle") };
}

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const t = await getTranslations("invite");
  return (
    <AuthFrame title={t("title")} subtitle={t("subtitle")}>
      <AcceptInviteForm token={token} />
    </AuthFrame>
  );
}
