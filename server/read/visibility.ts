import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { claims, financings, pledges } from "@/db/schema";
import type { Claim } from "@/contracts/ledger/types";
import type { Actor } from "../actor";
import { canSeeClaim } from "../authz";
import { notFound } from "../errors";
import { toClaim } from "../ledger/repository";

/*
 * Who sees a claim: the facts its rule (canSeeClaim in server/authz.ts) needs, loaded for one
 * claim. Every read of one claim goes through loadVisibleClaim.
 */

/** Loads a claim with what its visibility rule needs, or refuses as not found (no existence leak). */
export async function loadVisibleClaim(db: Db, actor: Actor, claimId: string): Promise<Claim> {
  const [row] = await db.select().from(claims).where(eq(claims.id, claimId));
  if (!row) throw notFound("claim_not_found", "No such claim.");
  const ancestors = await ancestorRows(db, row);
  const { lenders, formerHolders } = await financingParties(db, claimId);
  const visible = canSeeClaim(actor, {
    holderOrgId: row.holderOrgId,
    offeredToOrgId: row.offeredToOrgId,
    issuerOrgId: row.issuerOrgId,
    ancestorHolderOrgIds: ancestors.map((a) => a.holderOrgId),
    formerHolderOrgIds: formerHolders,
    lenderOrgIds: lenders,
  });
  if (!visible) throw notFound("claim_not_found", "No such claim.");
  return toClaim(row);
}

async function ancestorRows(db: Db, claim: typeof claims.$inferSelect) {
  const tree = await db.select().from(claims).where(eq(claims.rootId, claim.rootId));
  const byId = new Map(tree.map((c) => [c.id, c]));
  const result: (typeof claims.$inferSelect)[] = [];
  for (let parent = claim.parentId ? byId.get(claim.parentId) : undefined; parent; parent = parent.parentId ? byId.get(parent.parentId) : undefined) {
    result.push(parent);
  }
  return result;
}

async function financingParties(db: Db, claimId: string): Promise<{ lenders: string[]; formerHolders: string[] }> {
  const pledged = await db.select({ lender: pledges.lenderOrgId }).from(pledges).where(and(eq(pledges.claimId, claimId), eq(pledges.status, "active")));
  const financed = await db
    .select({ lender: financings.lenderOrgId, holder: financings.holderOrgId, status: financings.status })
    .from(financings)
    .where(and(eq(financings.claimId, claimId), inArray(financings.status, ["requested", "offered", "accepted", "disbursed"])));
  return {
    lenders: [...pledged.map((r) => r.lender), ...financed.map((r) => r.lender)],
    formerHolders: financed.filter((r) => r.status === "disbursed").map((r) => r.holder),
  };
}
