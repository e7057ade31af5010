import { and, eq, isNull, notInArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { claims } from "@/db/schema";
import { beijingDate, daysBetween } from "@/contracts/ledger/maturity";
import { isLiveState } from "@/contracts/ledger/types";
import type { Actor } from "../actor";
import { assertAllowed } from "../authz";
import { canSeeMaturities } from "../ledger/authz";
import { inList, organisationNames } from "../ledger/repository";

export interface MaturityDto {
  rootId: string;
  tier1Name: string;
  faceMinor: bigint;
  repaidMinor: bigint;
  outstandingMinor: bigint;
  /** Outstanding of the pieces already marked overdue. */
  overdueMinor: bigint;
  maturityDate: string;
  /** Negative once matured. */
  daysToMaturity: number;
  /** Current holders of unpaid pieces: who the repayment will reach. */
  holders: number;
}

/**
 * What falls due for a core enterprise: every issuance it still owes money on, soonest
 * first, with what is outstanding and what is already overdue.
 */
export async function maturitiesFor(db: Db, actor: Actor, nowMs = Date.now()): Promise<MaturityDto[]> {
  assertAllowed(canSeeMaturities(actor), "Only a core enterprise sees what falls due on the claims it issued.");
  const roots = await db
    .select()
    .from(claims)
    .where(and(eq(claims.issuerOrgId, actor.orgId), isNull(claims.parentId), notInArray(claims.state, ["offered", "withdrawn", "rejected"])));
  const open = roots.filter((r) => r.amountMinor > r.rootRepaidMinor);
  if (open.length === 0) return [];
  const pieces = await db.select().from(claims).where(inList(claims.rootId, open.map((r) => r.id)));
  const liveByRoot = new Map<string, (typeof pieces)[number][]>();
  for (const piece of pieces) {
    if (!isLiveState(piece.state as never) || piece.amountMinor <= piece.settledMinor) continue;
    const live = liveByRoot.get(piece.rootId);
    if (live) live.push(piece);
    else liveByRoot.set(piece.rootId, [piece]);
  }
  const names = await organisationNames(db, open.map((r) => r.holderOrgId));
  const today = beijingDate(nowMs);
  return open
    .map((root) => {
      const live = liveByRoot.get(root.id) ?? [];
      const overdueMinor = live.filter((p) => p.state === "overdue").reduce((sum, p) => sum + p.amountMinor - p.settledMinor, 0n);
      return {
        rootId: root.id,
        // A root keeps its holder when split: the tier-1 supplier it was issued to.
        tier1Name: names.get(root.holderOrgId) ?? root.holderOrgId,
        faceMinor: root.amountMinor,
        repaidMinor: root.rootRepaidMinor,
        outstandingMinor: root.amountMinor - root.rootRepaidMinor,
        overdueMinor,
        maturityDate: root.maturityDate,
        daysToMaturity: daysBetween(today, root.maturityDate),
        holders: new Set(live.map((p) => p.holderOrgId)).size,
      };
    })
    .sort((a, b) => a.maturityDate.localeCompare(b.maturityDate) || a.rootId.localeCompare(b.rootId));
}
