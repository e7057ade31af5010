import type { Metadata } from "next";
import { serverCaller } from "@/server/trpc/server-caller";
import { canManageCreditLines } from "@/server/authz";
import { Alert, Card, EmptyState, PageHeader } from "../../_components/ui";
import { requireActor } from "../../_lib/session";
import { CreditLinesTable } from "./credit-lines-table";
import { GrantForm } from "./grant-form";

export const metadata: Metadata = { title: "Credit lines" };
export const dynamic = "force-dynamic";

export default async function CreditLinesPage() {
  const actor = await requireActor();
  const caller = await serverCaller();
  const lines = await caller.ledger.creditLines();
  const lender = actor.orgRole === "lender";
  const manage = canManageCreditLines(actor);
  const coreEnterprises = manage ? await caller.ledger.grantableCoreEnterprises() : [];
  return (
    <>
      <PageHeader
        title="Credit lines"
        subtitle={lender ? "Lines you granted to core enterprises: issuing a claim uses them, repayment restores them." : "Lines lenders granted you; issuing a claim uses them, repayment restores them."}
      />
      <div className="space-y-6">
        {manage ? <GrantForm coreEnterprises={coreEnterprises} /> : null}
        {lender && !manage ? (
          <Alert tone="blue">You can see your organisation&apos;s credit lines. Granting and changing them is a credit decision that only your organisation&apos;s admins sign.</Alert>
        ) : null}
        <Card title={lender ? "Lines granted" : "Your credit lines"}>
          {lines.length === 0 ? (
            <EmptyState title="No credit lines">{lender ? "Grant a core enterprise a line above; it can then issue claims to its suppliers against it." : "A lender must grant you a credit line before you can issue claims."}</EmptyState>
          ) : (
            <CreditLinesTable lines={lines} view={lender ? "lender" : "core"} manage={manage} />
          )}
        </Card>
      </div>
    </>
  );
}
