import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { serverCaller } from "@/server/trpc/server-caller";
import { PageHeader } from "../../../../_components/ui";
import { requireActor } from "../../../../_lib/session";
import { ApplyForm } from "./apply-form";
import { InstantOffers } from "./instant-offers";
import { outstandingMinor } from "@/contracts/ledger/claims";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("finance"))("metaTitle") };
}
export const dynamic = "force-dynamic";

export default async function FinancePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const actor = await requireActor();
  const caller = await serverCaller();
  const [claim, lenders, offers] = await Promise.all([caller.ledger.claim({ claimId: id }), caller.financing.lendersForClaim({ claimId: id }), caller.financing.policyOffers({ claimId: id })]);
  const t = await getTranslations("finance");
  const financeable = claim.holderOrgId === actor.orgId && claim.state === "held" && !claim.financedOnce && claim.activeFinancingId === null;
  return (
    <>
      <PageHeader title={t("title")} subtitle={t("subtitle")} />
      {financeable ? <InstantOffers claimId={claim.id} offers={offers} /> : null}
      <ApplyForm
        claim={{ id: claim.id, outstandingMinor: outstandingMinor(claim), maturityDate: claim.maturityDate, state: claim.state, holderOrgId: claim.holderOrgId, financedOnce: claim.financedOnce, inFinancing: claim.activeFinancingId !== null }}
        lenders={lenders}
        selfOrgId={actor.orgId}
      />
    </>
  );
}
