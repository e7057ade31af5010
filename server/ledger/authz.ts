import type { Actor } from "../actor";
import { hasPermission } from "../actor";

/*
 * Who may do what on the ledger. A signature proves which key signed; these rules decide
 * whether the person asking may submit it or see a claim.
 */

/** A maker of an approved organisation submits transactions signed by its own organisation. */
export function canSubmitFor(actor: Actor, signerOrgId: string): boolean {
  return actor.orgStatus === "approved" && actor.orgId === signerOrgId && hasPermission(actor, "maker");
}

export interface ClaimVisibility {
  holderOrgId: string;
  offeredToOrgId: string | null;
  issuerOrgId: string;
  /** Organisations that held an ancestor of this claim (they passed it on). */
  ancestorHolderOrgIds: readonly string[];
  /** Organisations that held this very claim before (a holder that financed it away). */
  formerHolderOrgIds: readonly string[];
  /** Lenders this claim is pledged to or offered for financing to (active). */
  lenderOrgIds: readonly string[];
}

/**
 * A claim and its provenance are visible to: its holder and the receiver of a pending
 * offer; the core enterprise that issued the root (the whole tree); organisations it passed
 * through on its way here (its lineage); lenders it is pledged or offered to; auditors and
 * the operator. Not to siblings: a supplier never sees what its peers hold.
 */
export function canSeeClaim(actor: Actor, claim: ClaimVisibility): boolean {
  if (actor.orgStatus !== "approved") return false;
  if (actor.orgRole === "auditor" || actor.orgRole === "operator") return true;
  const org = actor.orgId;
  return (
    claim.holderOrgId === org ||
    claim.offeredToOrgId === org ||
    claim.issuerOrgId === org ||
    claim.ancestorHolderOrgIds.includes(org) ||
    claim.formerHolderOrgIds.includes(org) ||
    claim.lenderOrgIds.includes(org)
  );
}

export type PolicyScope = "none" | "lender" | "core_enterprise" | "all";

/**
 * Auto-financing policies: a lender sees its own (and sets them by signing), a core
 * enterprise sees which lenders stand ready for its claims, the operator and auditors see
 * all. Suppliers see only the offers for claims they hold (policyOffersForClaim).
 */
export function canSeePolicies(actor: Actor): PolicyScope {
  if (actor.orgStatus !== "approved") return "none";
  if (actor.orgRole === "lender") return "lender";
  if (actor.orgRole === "core_enterprise") return "core_enterprise";
  if (actor.orgRole === "operator" || actor.orgRole === "auditor") return "all";
  return "none";
}

/** What falls due on an issuance is its issuer's business (the tree page shows it to auditors too). */
export function canSeeMaturities(actor: Actor): boolean {
  return actor.orgStatus === "approved" && actor.orgRole === "core_enterprise";
}
