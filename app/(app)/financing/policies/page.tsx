import type { Metadata } from "next";
import { getLocale, getTranslations } from "next-intl/server";
import { redirect } from "next/navigation";
import { serverCaller } from "@/server/trpc/server-caller";
import { DataTable } from "../../../_components/data-table";
import { Badge, Card, EmptyState, PageHeader } from "../../../_components/ui";
import { formattersFor } from "../../../_lib/localized-format";
import { requireActor } from "../../../_lib/session";
import { PolicyForm, RevokePolicyButton } from "./policy-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("policies"))("metaTitle") };
}
export const dynamic = "force-dynamic";

export default async function PoliciesPage() {
  const actor = await requireActor();
  if (actor.orgRole !== "lender") redirect("/dashboard");
  const t = await getTranslations("policies");
  const tStatus = await getTranslations("financingStatus");
  const format = formattersFor(await getLocale());
  const caller = await serverCaller();
  const [policies, targets, activity] = await Promise.all([caller.financing.policies(), caller.financing.policyTargets(), caller.financing.policyActivity()]);
  const active = policies.filter((p) => p.status === "active");
  // Policies are credit decisions: the lender's admins sign them (canSubmitType in server/authz.ts).
  const canSign = actor.permission === "admin";
  return (
    <>
      <PageHeader
        title={t("title")}
        subtitle={t("subtitle")}
      />
      <div className="grid items-start gap-6 lg:grid-cols-[1fr_24rem]">
        <div className="space-y-6">
          <Card title={t("active")}>
            {active.length === 0 ? (
              <EmptyState title={t("noActive")}>{t("noActiveBody")}</EmptyState>
            ) : (
              <ul className="divide-y divide-slate-100" aria-label={t("active")}>
                {active.map((p) => (
                  <li key={p.id} className="flex flex-wrap items-center justify-between gap-3 py-3" data-testid={`policy-${p.coreEnterpriseOrgId}`}>
                    <div>
                      <p className="font-medium text-slate-900">{p.coreEnterpriseName}</p>
                      <p className="text-sm text-slate-600">
                        {t.rich("terms", {
                          amount: format.money(p.maxAmountMinor),
                          depth: p.maxDepth,
                          rate: (p.rateBps / 100).toFixed(2),
                          fee: p.feeMinor > 0n ? format.money(p.feeMinor) : "none",
                          recourse: String(p.recourse),
                          b: (chunks) => <span className="font-semibold tabular-nums">{chunks}</span>,
                        })}
                      </p>
                    </div>
                    {canSign ? <RevokePolicyButton policyId={p.id} name={p.coreEnterpriseName} /> : null}
                  </li>
                ))}
              </ul>
            )}
          </Card>
          <Card title={t("financed")}>
            {activity.length === 0 ? (
              <EmptyState title={t("nothingYet")}>{t("nothingYetBody")}</EmptyState>
            ) : (
              <div className="-my-2">
                <DataTable
                  caption={t("activityCaption")}
                  rows={activity}
                  rowKey={(a) => a.financingId}
                  stack
                  columns={[
                    { header: t("holder"), cell: (a) => <span className="font-medium text-slate-900">{a.holderName}</span> },
                    { header: t("tier"), cell: (a) => a.depth },
                    { header: t("face"), align: "right", cell: (a) => (a.faceMinor !== null ? format.money(a.faceMinor) : "—") },
                    { header: t("paidOut"), align: "right", cell: (a) => <span className="font-semibold">{a.netMinor !== null ? format.money(a.netMinor) : "—"}</span> },
                    { header: t("reference"), cell: (a) => a.paymentReference ?? <Badge tone="amber">{tStatus(a.status)}</Badge> },
                  ]}
                />
              </div>
            )}
          </Card>
        </div>
        {canSign ? (
          targets.length === 0 ? (
            <Card title={t("setPolicy")}>
              <p className="text-sm text-slate-600">{t("grantFirst")}</p>
            </Card>
          ) : (
            <PolicyForm targets={targets} current={active.map((p) => ({ coreEnterpriseOrgId: p.coreEnterpriseOrgId, maxAmountMinor: p.maxAmountMinor.toString(), maxDepth: p.maxDepth, rateBps: p.rateBps, feeMinor: p.feeMinor.toString(), recourse: p.recourse }))} />
          )
        ) : (
          <Card title={t("setPolicy")}>
            <p className="text-sm text-slate-600">{t("adminsOnly")}</p>
          </Card>
        )}
      </div>
    </>
  );
}
