import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { serverCaller } from "@/server/trpc/server-caller";
import { Alert, PageHeader } from "../../../_components/ui";
import { formatMinor } from "../../../_lib/format";
import { requireActor } from "../../../_lib/session";
import { ProvenanceView } from "../../claims/[id]/provenance-view";
import { FinancingActions } from "./financing-actions";
import { LenderDesk } from "./lender-desk";

export const metadata: Metadata = { title: "Financing" };
export const dynamic = "force-dynamic";

export default async function FinancingDetailPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ auto?: string }> }) {
  const { id } = await params;
  const { auto } = await searchParams;
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
        {financing.policyId !== null && role === "holder" && auto !== undefined ? (
          <div data-testid="auto-notice">
            <Alert tone="green">
              {financing.status === "disbursed"
                ? `Paid: ${financing.netMinor !== null ? formatMinor(financing.netMinor) : ""} from ${financing.lenderName}, approved by its policy${/^\d+$/.test(auto) ? ` in ${(Number(auto) / 1000).toFixed(1)} s` : ""}.`
                : `Approved by ${financing.lenderName}'s policy; the payment is being confirmed.`}
            </Alert>
          </div>
        ) : null}
        {role === "lender" ? (
          <LenderDesk orgId={actor.orgId} financing={financing} canSign={actor.permission !== "viewer"} />
        ) : (
          <FinancingActions financing={financing} role={role} canSign={actor.permission !== "viewer"} />
        )}
        {role === "lender" ? <ProvenanceView claimId={financing.claimId} /> : null}
      </div>
    </>
  );
}
