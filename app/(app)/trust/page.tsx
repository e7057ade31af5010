import type { Metadata } from "next";
import { PageHeader, EmptyState } from "../../_components/ui";
import { requireActor } from "../../_lib/session";
import { TrustWorkspace } from "./trust-workspace";

export const metadata: Metadata = { title: "Trust" };
export const dynamic = "force-dynamic";

/**
 * The organisation's trust policy: which operator and witness keys this browser believes and
 * how many witnesses must have cosigned. Lenders and auditors verify against it; only their
 * admins change it. It is kept in this browser (IndexedDB), never fetched from the platform.
 */
export default async function TrustPage() {
  const actor = await requireActor();
  const verifies = actor.orgRole === "lender" || actor.orgRole === "auditor";
  return (
    <>
      <PageHeader
        title="Trust"
        subtitle="The keys your organisation trusts to verify the ledger: the operator's checkpoint key and the witnesses' keys, with how many witnesses must have cosigned. Set them from sources you trust, never from this platform's answers."
      />
      {verifies ? (
        <TrustWorkspace orgId={actor.orgId} canPin={actor.permission === "admin"} email={actor.email} />
      ) : (
        <EmptyState title="Only lenders and auditors pin a trust policy">Your organisation does not verify other parties&apos; claims here.</EmptyState>
      )}
    </>
  );
}
