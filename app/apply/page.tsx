import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { AuthFrame } from "../_components/auth-frame";
import { ApplyForm } from "./apply-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("apply"))("metaTitle") };
}

export default async function ApplyPage() {
  const t = await getTranslations("apply");
  return (
    <AuthFrame title={t("title")} subtitle={t("subtitle")}>
      <ApplyForm />
    </AuthFrame>
  );
}
