import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { currentUserId } from "@/server/session/session";
import { AuthFrame } from "../_components/auth-frame";
import { SignInForm } from "./sign-in-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("signin"))("metaTitle") };
}
export const dynamic = "force-dynamic";

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ error?: string | string[] }> }) {
  if (await currentUserId()) redirect("/dashboard");
  // next-auth sends failed sign-ins here with ?error=<code>; the form shows only fixed texts for it.
  const { error } = await searchParams;
  const t = await getTranslations("signin");
  return (
    <AuthFrame title={t("title")} subtitle={t("subtitle")}>
      <SignInForm errorCode={typeof error === "string" ? error : undefined} />
    </AuthFrame>
  );
}
