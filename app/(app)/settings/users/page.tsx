import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Card, PageHeader } from "../../../_components/ui";
import { requireActor } from "../../../_lib/session";
import { InviteForm } from "./invite-form";
import { UsersTable } from "./users-table";

export const metadata: Metadata = { title: "People" };
export const dynamic = "force-dynamic";

export default async function UsersPage() {
  const actor = await requireActor();
  if (actor.permission !== "admin") redirect("/dashboard");
  return (
    <>
      <PageHeader title="People" subtitle={`Who can act for ${actor.orgName}, and with which permission.`} />
      <div className="space-y-6">
        <Card title="Members">
          <UsersTable orgId={actor.orgId} selfId={actor.userId} />
        </Card>
        <Card>
          <InviteForm orgId={actor.orgId} />
        </Card>
      </div>
    </>
  );
}
