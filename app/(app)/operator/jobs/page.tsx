import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { PageHeader } from "../../../_components/ui";
import { requireActor } from "../../../_lib/session";
import { ScheduledJobsTable } from "./scheduled-jobs-table";

export const metadata: Metadata = { title: "Scheduled jobs" };
export const dynamic = "force-dynamic";

export default async function ScheduledJobsPage() {
  const actor = await requireActor();
  if (actor.orgRole !== "operator") redirect("/dashboard");
  return (
    <>
      <PageHeader
        title="Scheduled jobs"
        subtitle="Background work on the schedule kept in the database: every app instance takes part, and each run happens on exactly one of them."
      />
      <ScheduledJobsTable />
    </>
  );
}
