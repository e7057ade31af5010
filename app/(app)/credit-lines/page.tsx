import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { serverCaller } from "@/server/trpc/server-caller";
import { canManageCreditLines } from "@/server/authz";
import { Alert, Card, EmptyState, PageHeader } from "../../_components/ui";
import { requireActor } from "../../_lib/session";
import { CreditLinesTable } from "./credit-lines-table";
import { GrantForm } from "./grant-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("creditLines"))("metaTitle") };
}
export const dynamic = "force-dynamic";

export default async function CreditLinesPage() {
  const actor = await requireActor();
  const t = await getTranslations("creditLines");
  const caller = await serverCaller();
  const lines = await caller.ledger.creditLines();
  const lender = actor.orgRole === "lender";
  const manage = canManageCreditLines(actor);
  const coreEnterprises = manage ? await caller.ledger.grantableCoreEnterprises() : [];
  return (
    <>
      <PageHeader
        title={t("title")}
        subtitle={lender ? t("subtitleLender") : t("subtitleCore")}
      />
      <div className="space-y-6">
        {manage ? <GrantForm coreEnterprises={coreEnterprises} /> : null}
        {lender && !manage ? (
          <Alert tone="blue">{t("viewerNotice")}</Alert>
        ) : null}
        <Card title={lender ? t("granted") : t("yours")}>
          {lines.length === 0 ? (
            <EmptyState title={t("none")}>{lender ? t("noneLender") : t("noneCore")}</EmptyState>
          ) : (
            <CreditLinesTable lines={lines} view={lender ? "lender" : "core"} manage={manage} />
          )}
        </Card>
      </div>
    </>
  );
}
