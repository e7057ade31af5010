import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { serverCaller } from "@/server/trpc/server-caller";
import { Card, EmptyState, PageHeader } from "../../_components/ui";
import { requireActor } from "../../_lib/session";
import { FallingDue } from "./falling-due";
import { IssuancesTable } from "./issuances-table";

export const metadata: Metadata = { title: "Issued claims" };
export const dynamic = "force-dynamic";

export default async function IssuancesPage() {
  const actor = await requireActor();
  if (actor.orgRole !== "core_enterprise") redirect("/dashboard");
  const caller = await serverCaller();
  const [{ claims }, maturities] = await Promise.all([caller.ledger.dashboard(), caller.ledger.maturities()]);
  return (
    <>
      <PageHeader
        title="Issued claims"
        subtitle="Every claim you issued, by maturity date, with its live status."
        actions={
          actor.permission !== "viewer" ? (
            <Link href="/issue" className="rounded-md bg-brand-600 px-3.5 py-2 text-sm font-medium text-white hover:bg-brand-700">
              Issue a claim
            </Link>
          ) : null
        }
      />
      <FallingDue rows={maturities} total={maturities.reduce((sum, m) => sum + m.outstandingMinor, 0n)} />
      <Card title="All issuances">
        {claims.length === 0 ? <EmptyState title="No claims issued yet" /> : <IssuancesTable rows={[...claims].sort((a, b) => a.maturityDate.localeCompare(b.maturityDate))} canSign={actor.permission !== "viewer"} />}
      </Card>
    </>
  );
}
