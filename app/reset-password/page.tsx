import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { AuthFrame } from "../_components/auth-frame";
import { RequestResetForm, ResetPasswordForm } from "./reset-password-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("passwordReset"))("metaTitle") };
}
export const dynamic = "force-dynamic";

/** Without a token: ask for a link by email. With the emailed link's token: choose a new password. */
export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const { token } = await searchParams;
  const t = await getTranslations("passwordReset");
  return typeof token === "string" && token.length > 0 ? (
    <AuthFrame title={t("chooseTitle")} subtitle={t("chooseSubtitle")}>
      <ResetPasswordForm token={token} />
    </AuthFrame>
  ) : (
    <AuthFrame title={t("requestTitle")} subtitle={t("requestSubtitle")}>
      <RequestResetForm />
    </AuthFrame>
  );
}
