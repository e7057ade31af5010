import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Card, EmptyState, PageHeader } from "../../../_components/ui";
import { canDecideKeyRequests } from "@/server/authz";
import { requireActor } from "../../../_lib/session";
import { KeyRequestsTable } from "./key-requests-table";

export const metadata: Metadata = { title: "Key requests" };
export const dynamic = "force-dynamic";

export default async function KeyRequestsPage() {
  const actor = await requireActor();
  if (actor.orgRole !== "operator") redirect("/dashboard");
  return (
    <>
      <PageHeader
        title="Key requests"
        subtitle="Organisations' new signing keys, each signed by the key itself. Approving cosigns the registration with the platform key and writes it to the ledger."
      />
      {canDecideKeyRequests(actor) ? (
        <KeyRequestsTable />
      ) : (
        <Card>
          <EmptyState title="Approvers review key requests">Ask an admin of {actor.orgName} for the approver permission.</EmptyState>
        </Card>
      )}
    </>
  );
}
