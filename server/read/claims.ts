import { and, eq, gt, ne, not, or, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { claims } from "@/db/schema";
import type { ClaimDocuments } from "@/contracts/ledger/types";
import type { Actor } from "../actor";
import { canSeeIssuanceTree } from "../authz";
import { notFound } from "../errors";
import { organisationNames, toClaim } from "../ledger/repository";
import { buildProvenanceBundle, type ProvenanceStore } from "../ledger/provenance";
import { loadVisibleClaim } from "./visibility";

/** A page of an organisation's claims: at most `limit`, after the claim `after` in (maturity date, id) order. */
export interface ClaimPage {
  limit: number;
  after?: { maturityDate: string; id: string };
}

/** The most claims one page of ledger.myClaims carries, and how many when the caller does not say. */
export const CLAIM_PAGE_MAX = 500;
export const CLAIM_PAGE_DEFAULT = 200;

/** Which claims are an organisation's own book (held or offered to it): the list's and the dashboard totals' one definition. */
export function ownClaimConditions(actor: Pick<Actor, "orgId">): SQL[] {
  return [
    or(eq(claims.holderOrgId, actor.orgId), eq(claims.offeredToOrgId, actor.orgId))!,
    // A split claim was consumed into its children, which are listed instead.
    ne(claims.state, "split"),
    // A core enterprise "holds" its own issuance only while offering it; that is shown as issued, not held.
    not(and(eq(claims.issuerOrgId, actor.orgId), eq(claims.id, claims.rootId), eq(claims.state, "offered"))!),
  ];
}

/**
 * The claims an organisation holds or is offered (a supplier's or lender's own book), by
 * maturity date then id. With a page, one page of them (a keyset cursor: the next page starts
 * after the last claim of this one); without, all of them (the claims page, /api/v1).
 */
export async function listOwnClaims(db: Db, actor: Actor, page?: ClaimPage) {
  const conditions = ownClaimConditions(actor);
  if (page?.after) conditions.push(or(gt(claims.maturityDate, page.after.maturityDate), and(eq(claims.maturityDate, page.after.maturityDate), gt(claims.id, page.after.id)))!);
  const query = db
    .select()
    .from(claims)
    .where(and(...conditions))
    .orderBy(claims.maturityDate, claims.id);
  const rows = page ? await query.limit(page.limit) : await query;
  return rows.map(toClaim);
}

/** The whole tree of one issuance (穿透): for its core enterprise, auditors and the operator. */
export async function issuanceTree(db: Db, actor: Actor, rootId: string) {
  const [root] = await db.select().from(claims).where(eq(claims.id, rootId));
  // Refused as not found, like a claim the caller may not see: no existence leak.
  if (!root || root.id !== root.rootId || !canSeeIssuanceTree(actor, root)) throw notFound("claim_not_found", "No such issuance.");
  const tree = await db.select().from(claims).where(eq(claims.rootId, rootId)).orderBy(claims.depth, claims.id);
  const names = await organisationNames(db);
  return tree.map((c) => ({ ...toClaim(c), holderName: names.get(c.holderOrgId) ?? c.holderOrgId, offeredToName: c.offeredToOrgId ? (names.get(c.offeredToOrgId) ?? null) : null }));
}

/**
 * The trade documents behind a claim the caller may see: the SHA-256 its issuance committed
 * to. Only the root carries them; a piece shows its root's.
 */
export async function tradeDocumentsFor(db: Db, actor: Actor, claimId: string): Promise<{ rootId: string; documents: ClaimDocuments | null }> {
  const claim = await loadVisibleClaim(db, actor, claimId);
  if (claim.documents !== null || claim.id === claim.rootId) return { rootId: claim.rootId, documents: claim.documents };
  const [root] = await db.select({ documents: claims.documents }).from(claims).where(eq(claims.id, claim.rootId));
  return { rootId: claim.rootId, documents: root?.documents ?? null };
}

/** The provenance bundle of a claim the caller may see, for verification in their own browser. */
export async function provenanceFor(db: Db, subtrees: ProvenanceStore, actor: Actor, claimId: string) {
  const claim = await loadVisibleClaim(db, actor, claimId);
  const bundle = await buildProvenanceBundle(db, claimId, subtrees, { viewerOrgId: actor.orgId });
  const names = await organisationNames(db, orgIdsIn([claim, bundle]));
  return { claim, bundle, organisationNames: Object.fromEntries(names) };
}

/** Every organisation id a value names: the values of its members called orgId or …OrgId, at any depth. */
function orgIdsIn(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) orgIdsIn(item, found);
  } else if (typeof value === "object" && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      if ((key === "orgId" || key.endsWith("OrgId")) && typeof child === "string") found.add(child);
      else orgIdsIn(child, found);
    }
  }
  return found;
}
