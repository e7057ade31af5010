import type { Metadata } from "next";
import { PageHeader } from "../../_components/ui";
import { requireActor } from "../../_lib/session";
import { ClaimsWorkspace } from "./claims-workspace";

export const metadata: Metadata = { title: "Claims" };
export const dynamic = "force-dynamic";

export default async function ClaimsPage() {
  const actor = await requireActor();
  return (
    <>
      <PageHeader title="Claims" subtitle="Accept what your customers pass to you, split it, and pass parts to your own suppliers." />
      <ClaimsWorkspace selfOrgId={actor.orgId} canSign={actor.permission !== "viewer"} />
    </>
  );
}
