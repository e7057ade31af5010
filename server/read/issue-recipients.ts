import { and, asc, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { claims, organisations } from "@/db/schema";
import type { Actor } from "../actor";
import { assertAllowed, canChooseIssueRecipients } from "../authz";

export interface IssueRecipientDto {
  id: string;
  name: string;
  city: string;
}

export interface IssueRecipientsDto {
  /** Suppliers this core enterprise has issued to before: its tier-1 suppliers. */
  tier1: IssueRecipientDto[];
  /** Approved suppliers with no place in its chains yet: possible new tier-1 suppliers. */
  others: IssueRecipientDto[];
}

/**
 * The suppliers a core enterprise's issue form offers. The platform keeps no table of trade
 * relations, so its chains tell them apart: a supplier that held or was offered a first-tier
 * piece of this core enterprise's issuances is a tier-1 supplier; one that appears only deeper
 * down (a tier-2 or tier-3 company reached by splits) is its suppliers' supplier and is not
 * offered; any other approved supplier may become a new tier-1 supplier.
 */
export async function issueRecipients(db: Db, actor: Actor): Promise<IssueRecipientsDto> {
  assertAllowed(canChooseIssueRecipients(actor), "Only a core enterprise issues claims.");
  const [suppliers, pieces] = await Promise.all([
    db
      .select({ id: organisations.id, name: organisations.name, city: organisations.city })
      .from(organisations)
      .where(and(eq(organisations.status, "approved"), eq(organisations.role, "supplier")))
      .orderBy(asc(organisations.name)),
    db.select({ depth: claims.depth, holderOrgId: claims.holderOrgId, offeredToOrgId: claims.offeredToOrgId }).from(claims).where(eq(claims.issuerOrgId, actor.orgId)),
  ]);
  const tier1 = new Set<string>();
  const deeper = new Set<string>();
  for (const piece of pieces) {
    for (const orgId of [piece.holderOrgId, piece.offeredToOrgId]) {
      if (orgId && orgId !== actor.orgId) (piece.depth === 1 ? tier1 : deeper).add(orgId);
    }
  }
  return {
    tier1: suppliers.filter((s) => tier1.has(s.id)),
    others: suppliers.filter((s) => !tier1.has(s.id) && !deeper.has(s.id)),
  };
}
