import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { currentUserId } from "@/server/auth/options";
import { AuthFrame } from "../_components/auth-frame";
import { SignInForm } from "./sign-in-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("signin"))("metaTitle") };
}
export const dynamic = "force-dynamic";

export default async function SignInPage() {
  if (await currentUserId()) redirect("/dashboard");
  const t = await getTranslations("signin");
  return (
    <AuthFrame title={t("title")} subtitle={t("subtitle")}>
      <SignInForm />
    </AuthFrame>
  );
}
