import type { Metadata } from "next";
import { getLocale, getTranslations } from "next-intl/server";
import { serverCaller } from "@/server/trpc/server-caller";
import { PageHeader } from "../../../../_components/ui";
import { formattersFor } from "../../../../_lib/localized-format";
import { requireActor } from "../../../../_lib/session";
import { SplitForm } from "./split-form";
import { outstandingMinor } from "@/contracts/ledger/claims";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("split"))("metaTitle") };
}
export const dynamic = "force-dynamic";

export default async function SplitPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const actor = await requireActor();
  const caller = await serverCaller();
  const claim = await caller.ledger.claim({ claimId: id });
  const directory = await caller.organisations.directory({});
  const issuerName = directory.find((o) => o.id === claim.issuerOrgId)?.name ?? claim.issuerOrgId;
  const t = await getTranslations("split");
  const format = formattersFor(await getLocale());
  return (
    <>
      <PageHeader title={t("title")} subtitle={t("subtitle", { amount: format.money(outstandingMinor(claim)), issuer: issuerName, date: format.date(claim.maturityDate) })} />
      <SplitForm
        claim={{ id: claim.id, amountMinor: claim.amountMinor, state: claim.state, holderOrgId: claim.holderOrgId, maturityDate: claim.maturityDate }}
        recipients={directory.filter((o) => o.role === "supplier" && o.id !== actor.orgId).map((o) => ({ id: o.id, name: o.name, city: o.city }))}
        selfOrgId={actor.orgId}
      />
    </>
  );
}
