import type { Metadata } from "next";
import { getLocale, getTranslations } from "next-intl/server";
import Link from "next/link";
import { serverCaller } from "@/server/trpc/server-caller";
import { Badge, Card, PageHeader } from "../../../_components/ui";
import { formattersFor, type Formatters } from "../../../_lib/localized-format";
import { requireActor } from "../../../_lib/session";
import { RepaymentForm } from "./repayment-form";
import { TradeDocuments } from "../../_components/trade-documents";
import { isLiveState } from "@/contracts/ledger/types";
import { outstandingMinor } from "@/contracts/ledger/claims";
import { claimStateTone } from "../../../_lib/labels";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("issuanceTree"))("metaTitle") };
}
export const dynamic = "force-dynamic";

type Translate = Awaited<ReturnType<typeof getTranslations<never>>>;
type Node = Awaited<ReturnType<Awaited<ReturnType<typeof serverCaller>>["ledger"]["issuanceTree"]>>[number];

/** 穿透: the whole tree of one issuance down to the last tier, and who holds what. */
export default async function TreePage({ params }: { params: Promise<{ rootId: string }> }) {
  const { rootId } = await params;
  const actor = await requireActor();
  const t = await getTranslations("issuanceTree");
  const tAll = await getTranslations();
  const format = formattersFor(await getLocale());
  const tree = await (await serverCaller()).ledger.issuanceTree({ rootId });
  const children = new Map<string, Node[]>();
  for (const node of tree) if (node.parentId) children.set(node.parentId, [...(children.get(node.parentId) ?? []), node]);
  const root = tree.find((n) => n.id === rootId);
  if (!root) return null;
  const live = tree.filter((n) => isLiveState(n.state));
  return (
    <>
      <PageHeader
        title={t("title")}
        subtitle={t("subtitle", { amount: format.money(root.amountMinor), date: format.date(root.maturityDate), count: live.length })}
        actions={
          <Link href="/issuances" className="text-sm font-medium text-brand-600 hover:underline">
            {t("all")}
          </Link>
        }
      />
      {actor.orgId === root.issuerOrgId && actor.permission !== "viewer" && !["withdrawn", "rejected", "offered"].includes(root.state) ? (
        <Card title={t("repayment")} className="mb-6">
          <RepaymentForm rootClaimId={root.id} outstandingMinor={root.amountMinor - root.rootRepaidMinor} />
        </Card>
      ) : null}
      <Card title={t("whoHolds")}>
        <ul className="space-y-1" data-testid="tree">
          <TreeNode node={root} childrenOf={children} t={tAll} format={format} />
        </ul>
      </Card>
      <div className="mt-6">
        <TradeDocuments documents={root.documents} />
      </div>
    </>
  );
}

function TreeNode({ node, childrenOf, t, format }: { node: Node; childrenOf: Map<string, Node[]>; t: Translate; format: Formatters }) {
  const kids = childrenOf.get(node.id) ?? [];
  return (
    <li>
      <div className="flex flex-wrap items-center gap-3 rounded-md px-2 py-1.5 hover:bg-slate-50">
        <span className="w-32 text-right font-semibold tabular-nums">{format.money(outstandingMinor(node))}</span>
        <span className="text-sm text-slate-800">{node.offeredToName ? `${node.holderName} → ${node.offeredToName}` : node.holderName}</span>
        <Badge tone={claimStateTone(node.state)}>{t(`states.${node.state}`)}</Badge>
        <span className="text-xs text-slate-400">{t("issuanceTree.tier", { tier: node.depth })}</span>
      </div>
      {kids.length > 0 ? (
        <ul className="ml-8 border-l border-slate-200 pl-3">
          {kids.map((k) => (
            <TreeNode key={k.id} node={k} childrenOf={childrenOf} t={t} format={format} />
          ))}
        </ul>
      ) : null}
    </li>
  );
}
