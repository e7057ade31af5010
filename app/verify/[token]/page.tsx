import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { VerifyView } from "./verify-view";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("verify"))("metaTitle"), robots: { index: false } };
}
export const dynamic = "force-dynamic";

/**
 * The public verify page (issue 15): anyone with a share link, no account needed. The server
 * only hands over the claim's bundle; the verdict is reached in the visitor's browser.
 */
export default async function VerifyPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const t = await getTranslations("verify");
  const common = await getTranslations("common");
  return (
    <main className="mx-auto max-w-3xl space-y-6 px-4 py-10">
      <header>
        <p className="text-sm font-semibold text-brand-600">{common("brand")}</p>
        <h1 className="mt-1 text-2xl font-semibold text-slate-900">{t("title")}</h1>
        <p className="mt-1 text-sm text-slate-600">{t("subtitle")}</p>
      </header>
      <VerifyView token={token} />
    </main>
  );
}
