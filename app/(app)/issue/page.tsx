import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { serverCaller } from "@/server/trpc/server-caller";
import { PageHeader } from "../../_components/ui";
import { requireActor } from "../../_lib/session";
import { IssueForm } from "./issue-form";

export const metadata: Metadata = { title: "Issue a claim" };
export const dynamic = "force-dynamic";

export default async function IssuePage() {
  const actor = await requireActor();
  if (actor.orgRole !== "core_enterprise") redirect("/dashboard");
  const caller = await serverCaller();
  const [lines, directory] = await Promise.all([caller.ledger.creditLines(), caller.organisations.directory({ role: "supplier" })]);
  return (
    <>
      <PageHeader title="Issue a claim" subtitle="Turn what you owe a tier-1 supplier into a signed claim backed by one of your credit lines." />
      <IssueForm
        lines={lines.filter((l) => l.status === "active").map((l) => ({ id: l.id, lenderName: l.lenderName, availableMinor: l.availableMinor, expiresAtMs: l.expiresAtMs }))}
        suppliers={directory.map((d) => ({ id: d.id, name: d.name, city: d.city }))}
      />
    </>
  );
}
