import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { serverCaller } from "@/server/trpc/server-caller";
import { PageHeader } from "../../../_components/ui";
import { requireActor } from "../../../_lib/session";
import { ProvenanceView } from "../../claims/[id]/provenance-view";
import { FinancingActions } from "./financing-actions";

export const metadata: Metadata = { title: "Financing" };
export const dynamic = "force-dynamic";

export default async function FinancingDetailPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const actor = await requireActor();
  const financing = await (await serverCaller()).financing.get({ financingId: id });
  if (!financing) notFound();
  const role = financing.lenderOrgId === actor.orgId ? "lender" : "holder";
  return (
    <>
      <PageHeader
        title={role === "lender" ? `Application from ${financing.holderName}` : `Financing with ${financing.lenderName}`}
        subtitle={`Claim on ${financing.issuerName}, tier ${financing.depth}, maturing ${financing.maturityDate}`}
        actions={<Link href="/financing" className="text-sm font-medium text-brand-600 hover:underline">All financing</Link>}
      />
      <div className="space-y-6">
        <FinancingActions financing={financing} role={role} canSign={actor.permission !== "viewer"} />
        {role === "lender" ? <ProvenanceView claimId={financing.claimId} /> : null}
      </div>
    </>
  );
}
