import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { PageHeader } from "../../../_components/ui";
import { requireActor } from "../../../_lib/session";
import { OrganisationsTable } from "./organisations-table";

export const metadata: Metadata = { title: "Organisations" };
export const dynamic = "force-dynamic";

export default async function OrganisationsPage() {
  const actor = await requireActor();
  if (actor.orgRole !== "operator") redirect("/dashboard");
  return (
    <>
      <PageHeader title="Organisations" subtitle="Review onboarding applications and invite people on behalf of an organisation." />
      <OrganisationsTable canReview={actor.permission === "approver" || actor.permission === "admin"} canInvite={actor.permission === "admin"} />
    </>
  );
}
