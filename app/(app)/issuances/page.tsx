import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { serverCaller } from "@/server/trpc/server-caller";
import { Alert, Card, EmptyState, PageHeader } from "../../_components/ui";
import { requireActor } from "../../_lib/session";
import { FallingDue } from "./falling-due";
import { IssuancesTable } from "./issuances-table";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("issuances"))("metaTitle") };
}
export const dynamic = "force-dynamic";

export default async function IssuancesPage({ searchParams }: { searchParams: Promise<{ done?: string }> }) {
  const { done } = await searchParams;
  const actor = await requireActor();
  if (actor.orgRole !== "core_enterprise") redirect("/dashboard");
  const t = await getTranslations("issuances");
  const caller = await serverCaller();
  const [claims, maturities] = await Promise.all([caller.ledger.claimRows(), caller.ledger.maturities()]);
  return (
    <>
      <PageHeader
        title={t("title")}
        subtitle={t("subtitle")}
        actions={
          actor.permission !== "viewer" ? (
            <Link href="/issue" className="rounded-md bg-brand-600 px-3.5 py-2 text-sm font-medium text-white hover:bg-brand-700">
              {t("issue")}
            </Link>
          ) : null
        }
      />
      {done === "issued" ? (
        <div className="mb-6" data-testid="done-notice">
          <Alert tone="green">{t("doneIssued")}</Alert>
        </div>
      ) : null}
      <FallingDue rows={maturities} total={maturities.reduce((sum, m) => sum + m.outstandingMinor, 0n)} />
      <Card title={t("all")}>
        {claims.length === 0 ? <EmptyState title={t("none")}>{t("noneBody")}</EmptyState> : <IssuancesTable rows={[...claims].sort((a, b) => a.maturityDate.localeCompare(b.maturityDate))} canSign={actor.permission !== "viewer"} />}
      </Card>
    </>
  );
}
