import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { serverCaller } from "@/server/trpc/server-caller";
import { DataTable } from "../../../_components/data-table";
import { Badge, Card, EmptyState, PageHeader } from "../../../_components/ui";
import { formatMinor } from "../../../_lib/format";
import { requireActor } from "../../../_lib/session";
import { PolicyForm, RevokePolicyButton } from "./policy-form";

export const metadata: Metadata = { title: "Auto-financing" };
export const dynamic = "force-dynamic";

export default async function PoliciesPage() {
  const actor = await requireActor();
  if (actor.orgRole !== "lender") redirect("/dashboard");
  const caller = await serverCaller();
  const [policies, targets, activity] = await Promise.all([caller.financing.policies(), caller.financing.policyTargets(), caller.financing.policyActivity()]);
  const active = policies.filter((p) => p.status === "active");
  // Policies are credit decisions: the lender's admins sign them (canSubmitType in server/authz.ts).
  const canSign = actor.permission === "admin";
  return (
    <>
      <PageHeader
        title="Auto-financing"
        subtitle="Standing, signed policies: a matching application is priced, approved and paid without anyone at your desk. Everything else still comes to the Financing desk."
      />
      <div className="grid items-start gap-6 lg:grid-cols-[1fr_24rem]">
        <div className="space-y-6">
          <Card title="Active policies">
            {active.length === 0 ? (
              <EmptyState title="No active policy">Set one for a core enterprise you lend to: small tickets will then finance themselves.</EmptyState>
            ) : (
              <ul className="divide-y divide-slate-100" aria-label="Active policies">
                {active.map((p) => (
                  <li key={p.id} className="flex flex-wrap items-center justify-between gap-3 py-3" data-testid={`policy-${p.coreEnterpriseOrgId}`}>
                    <div>
                      <p className="font-medium text-slate-900">{p.coreEnterpriseName}</p>
                      <p className="text-sm text-slate-600">
                        Pieces up to <span className="font-semibold tabular-nums">{formatMinor(p.maxAmountMinor)}</span>, tier ≤ {p.maxDepth}, at{" "}
                        <span className="font-semibold tabular-nums">{(p.rateBps / 100).toFixed(2)}%</span> a year
                        {p.feeMinor > 0n ? <> plus {formatMinor(p.feeMinor)} fee</> : null}, {p.recourse ? "with recourse" : "without recourse"}
                      </p>
                    </div>
                    {canSign ? <RevokePolicyButton policyId={p.id} name={p.coreEnterpriseName} /> : null}
                  </li>
                ))}
              </ul>
            )}
          </Card>
          <Card title="Financed by your policies">
            {activity.length === 0 ? (
              <EmptyState title="Nothing yet">Applications that match a policy appear here once paid.</EmptyState>
            ) : (
              <div className="-my-2">
                <DataTable
                  caption="Financings paid under your policies"
                  rows={activity}
                  rowKey={(a) => a.financingId}
                  stack
                  columns={[
                    { header: "Holder", cell: (a) => <span className="font-medium text-slate-900">{a.holderName}</span> },
                    { header: "Tier", cell: (a) => a.depth },
                    { header: "Face", align: "right", cell: (a) => (a.faceMinor !== null ? formatMinor(a.faceMinor) : "—") },
                    { header: "Paid out", align: "right", cell: (a) => <span className="font-semibold">{a.netMinor !== null ? formatMinor(a.netMinor) : "—"}</span> },
                    { header: "Reference", cell: (a) => a.paymentReference ?? <Badge tone="amber">{a.status}</Badge> },
                  ]}
                />
              </div>
            )}
          </Card>
        </div>
        {canSign ? (
          targets.length === 0 ? (
            <Card title="Set a policy">
              <p className="text-sm text-slate-600">Grant a core enterprise a credit line first; you can then finance its claims automatically.</p>
            </Card>
          ) : (
            <PolicyForm targets={targets} current={active.map((p) => ({ coreEnterpriseOrgId: p.coreEnterpriseOrgId, maxAmountMinor: p.maxAmountMinor.toString(), maxDepth: p.maxDepth, rateBps: p.rateBps, feeMinor: p.feeMinor.toString(), recourse: p.recourse }))} />
          )
        ) : (
          <Card title="Set a policy">
            <p className="text-sm text-slate-600">Policies are credit decisions: an admin of your organisation sets and revokes them.</p>
          </Card>
        )}
      </div>
    </>
  );
}
