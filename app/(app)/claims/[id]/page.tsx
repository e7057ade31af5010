import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "../../../_components/ui";
import { requireActor } from "../../../_lib/session";
import { ProvenanceView } from "./provenance-view";

export const metadata: Metadata = { title: "Claim provenance" };
export const dynamic = "force-dynamic";

export default async function ClaimPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requireActor();
  return (
    <>
      <PageHeader
        title="Claim provenance"
        subtitle={<span className="font-mono text-xs">{id}</span>}
        actions={
          <Link href="/claims" className="text-sm font-medium text-brand-600 hover:underline">
            Back to claims
          </Link>
        }
      />
      <ProvenanceView claimId={id} />
    </>
  );
}
