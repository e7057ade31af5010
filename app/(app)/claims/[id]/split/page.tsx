import type { Metadata } from "next";
import { serverCaller } from "@/server/trpc/server-caller";
import { PageHeader } from "../../../../_components/ui";
import { formatMinor } from "../../../../_lib/format";
import { requireActor } from "../../../../_lib/session";
import { SplitForm } from "./split-form";
import { outstandingMinor } from "@/contracts/ledger/claims";

export const metadata: Metadata = { title: "Split and transfer" };
export const dynamic = "force-dynamic";

export default async function SplitPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const actor = await requireActor();
  const caller = await serverCaller();
  const claim = await caller.ledger.claim({ claimId: id });
  const directory = await caller.organisations.directory({});
  const issuerName = directory.find((o) => o.id === claim.issuerOrgId)?.name ?? claim.issuerOrgId;
  return (
    <>
      <PageHeader title="Split and transfer" subtitle={`${formatMinor(outstandingMinor(claim))} claim on ${issuerName}, maturing ${claim.maturityDate}`} />
      <SplitForm
        claim={{ id: claim.id, amountMinor: claim.amountMinor, state: claim.state, holderOrgId: claim.holderOrgId, maturityDate: claim.maturityDate }}
        recipients={directory.filter((o) => o.role === "supplier" && o.id !== actor.orgId).map((o) => ({ id: o.id, name: o.name, city: o.city }))}
        selfOrgId={actor.orgId}
      />
    </>
  );
}
