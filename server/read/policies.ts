import { and, asc, desc, eq, isNotNull, or } from "drizzle-orm";
import type { Db } from "@/db/client";
import { claims, creditLines, financingPolicies, financings } from "@/db/schema";
import { outstandingMinor } from "@/contracts/ledger/claims";
import { policyIneligibility, type PolicyIneligibilityCode } from "@/contracts/ledger/financing";
import { beijingDate } from "@/contracts/ledger/maturity";
import type { FinancingPolicy } from "@/contracts/ledger/types";
import { quoteFinancing, type PricingCode } from "@/contracts/pricing";
import type { Actor } from "../actor";
import { assertAllowed, canSeePolicies } from "../authz";
import { organisationNames, toPolicy } from "../ledger/repository";
import { loadVisibleClaim } from "./visibility";

/*
 * Auto-financing. A lender signs a policy (financingPolicy.set) for one core enterprise; a
 * holder whose piece it covers signs an application under it with the quoted terms
 * (financing.requestUnderPolicy), which the contract prices and accepts at once. Nobody at
 * the lender looks at it: the policy is the lender's standing mandate, and the lender's own
 * settlement agent (server/witness/lender-agent.ts) confirms the disbursement with the
 * lender's key once a quorum of witnesses cosigned the application's block.
 * This file holds the reads: policies, instant offers, what the policies financed.
 */

/** A policy as the ledger holds it, with the display names of its two organisations. */
export interface PolicyDto extends FinancingPolicy {
  lenderName: string;
  coreEnterpriseName: string;
}

/** A lender's own policies (active first), a core enterprise's lenders' active policies, everything for operator and auditor. */
export async function listPolicies(db: Db, actor: Actor): Promise<PolicyDto[]> {
  const scope = canSeePolicies(actor);
  assertAllowed(scope !== "none", "Only lenders, core enterprises, the operator and auditors see financing policies.");
  const where =
    scope === "all"
      ? undefined
      : scope === "lender"
        ? eq(financingPolicies.lenderOrgId, actor.orgId)
        : and(eq(financingPolicies.coreEnterpriseOrgId, actor.orgId), eq(financingPolicies.status, "active"));
  const rows = await db.select().from(financingPolicies).where(where).orderBy(asc(financingPolicies.status), desc(financingPolicies.createdTxId));
  const names = await organisationNames(db, rows.flatMap((r) => [r.lenderOrgId, r.coreEnterpriseOrgId]));
  return rows.map(toPolicy).map((policy) => ({
    ...policy,
    lenderName: names.get(policy.lenderOrgId) ?? policy.lenderOrgId,
    coreEnterpriseName: names.get(policy.coreEnterpriseOrgId) ?? policy.coreEnterpriseOrgId,
  }));
}

/** Core enterprises a lender can set a policy for: those it granted a line to. */
export async function policyTargets(db: Db, actor: Actor): Promise<{ id: string; name: string }[]> {
  assertAllowed(canSeePolicies(actor) === "lender", "Only lenders set financing policies.");
  const rows = await db.selectDistinct({ id: creditLines.coreEnterpriseOrgId }).from(creditLines).where(eq(creditLines.lenderOrgId, actor.orgId));
  const names = await organisationNames(db, rows.map((r) => r.id));
  return rows.map((r) => ({ id: r.id, name: names.get(r.id) ?? r.id })).sort((a, b) => a.name.localeCompare(b.name));
}

/** Why a policy's instant offer does not apply: the contract's own codes, so the offer and the ledger never disagree. */
export type PolicyOfferIneligibility = PolicyIneligibilityCode | PricingCode;

export interface PolicyOfferDto {
  policyId: string;
  lenderOrgId: string;
  lenderName: string;
  rateBps: number;
  feeMinor: bigint;
  recourse: boolean;
  maxAmountMinor: bigint;
  maxDepth: number;
  disbursementDate: string;
  eligible: boolean;
  reason: PolicyOfferIneligibility | null;
  days: number | null;
  interestMinor: bigint | null;
  feesMinor: bigint | null;
  netMinor: bigint | null;
}

/**
 * The instant offers a holder has for one of its claims: every active policy for the claim's
 * core enterprise, priced for today exactly as the contract will price it, or the reason it
 * does not apply. Only the claim's holder asks (others see no offers, not an error).
 */
export async function policyOffersForClaim(db: Db, actor: Actor, claimId: string, nowMs = Date.now()): Promise<PolicyOfferDto[]> {
  const claim = await loadVisibleClaim(db, actor, claimId);
  if (claim.holderOrgId !== actor.orgId) return [];
  const rows = await db
    .select()
    .from(financingPolicies)
    .where(and(eq(financingPolicies.coreEnterpriseOrgId, claim.issuerOrgId), eq(financingPolicies.status, "active")))
    .orderBy(asc(financingPolicies.rateBps));
  const names = await organisationNames(db, rows.map((r) => r.lenderOrgId));
  const faceMinor = outstandingMinor(claim);
  const disbursementDate = beijingDate(nowMs);
  return rows.map(toPolicy).map((policy) => {
    const quote = quoteFinancing({ faceMinor, rateBps: policy.rateBps, feeMinor: policy.feeMinor, disbursementDate, maturityDate: claim.maturityDate });
    const reason: PolicyOfferIneligibility | null = policyIneligibility(policy, claim)?.code ?? (quote.ok ? null : quote.code);
    return {
      policyId: policy.id,
      lenderOrgId: policy.lenderOrgId,
      lenderName: names.get(policy.lenderOrgId) ?? policy.lenderOrgId,
      rateBps: policy.rateBps,
      feeMinor: policy.feeMinor,
      recourse: policy.recourse,
      maxAmountMinor: policy.maxAmountMinor,
      maxDepth: policy.maxDepth,
      disbursementDate,
      eligible: reason === null,
      reason,
      days: quote.ok ? quote.days : null,
      interestMinor: quote.ok ? quote.interestMinor : null,
      feesMinor: quote.ok ? quote.feesMinor : null,
      netMinor: quote.ok ? quote.netMinor : null,
    };
  });
}

/** Figures for a lender's policy page: what its policies financed so far. */
export async function policyActivity(db: Db, actor: Actor) {
  assertAllowed(canSeePolicies(actor) === "lender", "Only lenders see their auto-financing activity.");
  const rows = await db
    .select({ f: financings, depth: claims.depth })
    .from(financings)
    .innerJoin(claims, eq(claims.id, financings.claimId))
    .where(and(eq(financings.lenderOrgId, actor.orgId), isNotNull(financings.policyId), or(eq(financings.status, "disbursed"), eq(financings.status, "accepted"))))
    .orderBy(desc(financings.createdTxId))
    .limit(50);
  const names = await organisationNames(db, rows.map(({ f }) => f.holderOrgId));
  return rows.map(({ f, depth }) => ({
    financingId: f.id,
    policyId: f.policyId,
    status: f.status,
    holderName: names.get(f.holderOrgId) ?? f.holderOrgId,
    depth,
    faceMinor: f.faceMinor,
    netMinor: f.netMinor,
    paymentReference: f.paymentReference,
  }));
}
