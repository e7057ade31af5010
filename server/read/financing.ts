import { and, desc, eq, or } from "drizzle-orm";
import type { Db } from "@/db/client";
import { claims, creditLines, financings, pledges } from "@/db/schema";
import type { Actor } from "../actor";
import { loadVisibleClaim } from "./visibility";
import { organisationNames } from "../ledger/repository";
import { outstandingMinor } from "@/contracts/ledger/claims";

/*
 * Reads for financing: the lenders a holder can apply to, and the financings an
 * organisation takes part in (as holder, or as lender: the desk's queue). Every write is a
 * signed ledger transaction submitted through ledger.submit.
 */

export interface FinancingDto {
  id: string;
  status: string;
  claimId: string;
  holderOrgId: string;
  holderName: string;
  lenderOrgId: string;
  lenderName: string;
  issuerName: string;
  claimAmountMinor: bigint;
  /** The outstanding the offer priced (null until priced). */
  faceMinor: bigint | null;
  outstandingMinor: bigint;
  maturityDate: string;
  depth: number;
  claimState: string;
  rateBps: number | null;
  feeMinor: bigint | null;
  interestMinor: bigint | null;
  netMinor: bigint | null;
  disbursementDate: string | null;
  recourse: boolean | null;
  paymentReference: string | null;
  declineReason: string | null;
  /** Set when the lender's auto-financing policy approved it without a person. */
  policyId: string | null;
  createdTxId: string;
}

/** Lenders holding an active credit line for the claim's core enterprise: who the holder may apply to. */
export async function lendersForClaim(db: Db, actor: Actor, claimId: string) {
  const claim = await loadVisibleClaim(db, actor, claimId);
  const lines = await db
    .select({ lenderOrgId: creditLines.lenderOrgId })
    .from(creditLines)
    .where(and(eq(creditLines.coreEnterpriseOrgId, claim.issuerOrgId), eq(creditLines.status, "active")));
  const map = await organisationNames(db);
  const ids = [...new Set(lines.map((l) => l.lenderOrgId))];
  return ids.map((id) => ({ id, name: map.get(id) ?? id }));
}

export async function listFinancings(db: Db, actor: Actor, filter: { financingId?: string } = {}): Promise<FinancingDto[]> {
  const rows = await db
    .select({ f: financings, c: claims })
    .from(financings)
    .innerJoin(claims, eq(claims.id, financings.claimId))
    .where(
      and(
        or(eq(financings.holderOrgId, actor.orgId), eq(financings.lenderOrgId, actor.orgId)),
        filter.financingId ? eq(financings.id, filter.financingId) : undefined,
      ),
    )
    .orderBy(desc(financings.createdTxId));
  const map = await organisationNames(db);
  const order = ["requested", "offered", "accepted", "disbursed", "declined"];
  return rows
    .map(({ f, c }) => ({
      id: f.id,
      status: f.status,
      claimId: f.claimId,
      holderOrgId: f.holderOrgId,
      holderName: map.get(f.holderOrgId) ?? f.holderOrgId,
      lenderOrgId: f.lenderOrgId,
      lenderName: map.get(f.lenderOrgId) ?? f.lenderOrgId,
      issuerName: map.get(c.issuerOrgId) ?? c.issuerOrgId,
      claimAmountMinor: c.amountMinor,
      faceMinor: f.faceMinor,
      outstandingMinor: outstandingMinor(c),
      maturityDate: c.maturityDate,
      depth: c.depth,
      claimState: c.state,
      rateBps: f.rateBps,
      feeMinor: f.feeMinor,
      interestMinor: f.interestMinor,
      netMinor: f.netMinor,
      disbursementDate: f.disbursementDate,
      recourse: f.recourse,
      paymentReference: f.paymentReference,
      declineReason: f.declineReason,
      policyId: f.policyId,
      createdTxId: f.createdTxId,
    }))
    .sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status));
}


/** Active pledges the organisation gave (as holder) or received (as lender). */
export async function listPledges(db: Db, actor: Actor) {
  const rows = await db
    .select({ p: pledges, c: claims })
    .from(pledges)
    .innerJoin(claims, eq(claims.id, pledges.claimId))
    .where(and(eq(pledges.status, "active"), or(eq(pledges.lenderOrgId, actor.orgId), eq(pledges.pledgorOrgId, actor.orgId))));
  const map = await organisationNames(db);
  return rows.map(({ p, c }) => ({
    id: p.id,
    claimId: p.claimId,
    pledgorName: map.get(p.pledgorOrgId) ?? p.pledgorOrgId,
    lenderName: map.get(p.lenderOrgId) ?? p.lenderOrgId,
    lenderOrgId: p.lenderOrgId,
    amountMinor: outstandingMinor(c),
    maturityDate: c.maturityDate,
    issuerName: map.get(c.issuerOrgId) ?? c.issuerOrgId,
  }));
}
