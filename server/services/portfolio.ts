import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { claims, financings, repayments } from "@/db/schema";
import { daysFromInstant } from "@/contracts/ledger/maturity";
import { LIVE_CLAIM_STATES } from "@/contracts/ledger/types";
import type { Actor } from "../actor";
import { assertAllowed, canSeeOwnPortfolio } from "../authz";
import { organisationNames } from "../ledger/repository";

/*
 * The figures behind the dashboard charts, computed from the materialised ledger tables for
 * the caller's own organisation only. Amounts are bigint minor units (fen); the browser
 * formats them and converts to numbers only to draw.
 */

export interface Slice {
  /** Stable key (an organisation id, a bucket or a tier). */
  key: string;
  label: string;
  valueMinor: bigint;
  /** How many claims (or financings) make up the slice. */
  count: number;
}

export interface Chart {
  id: string;
  title: string;
  description: string;
  slices: Slice[];
}


/** Maturity buckets, from the most urgent. A claim past its maturity date and not repaid is overdue. */
export const MATURITY_BUCKETS = [
  { key: "overdue", label: "Overdue" },
  { key: "d30", label: "≤ 30 days" },
  { key: "d90", label: "31–90 days" },
  { key: "d180", label: "91–180 days" },
  { key: "later", label: "> 180 days" },
] as const;

/** Whole calendar days from the Beijing business day of `nowMs` to a `YYYY-MM-DD` maturity date. */
export function daysToMaturity(maturityDate: string, nowMs: number): number {
  return daysFromInstant(nowMs, maturityDate);
}

export function maturityBucket(maturityDate: string, state: string, nowMs: number): (typeof MATURITY_BUCKETS)[number]["key"] {
  const days = daysToMaturity(maturityDate, nowMs);
  // Due today is not late yet; the day after, an unpaid claim is (the overdue job marks it so).
  if (state === "overdue" || days < 0) return "overdue";
  if (days <= 30) return "d30";
  if (days <= 90) return "d90";
  if (days <= 180) return "d180";
  return "later";
}

export const TIER_KEYS = ["1", "2", "3", "4+"] as const;
const tierOf = (depth: number) => (depth >= 4 ? "4+" : String(depth));

type Row = { key: string; valueMinor: bigint };

/** Sums rows into the given slices, in their order; slices with nothing stay at zero. */
function tally(keys: readonly { key: string; label: string }[], rows: Row[]): Slice[] {
  const slices = keys.map((k) => ({ ...k, valueMinor: 0n, count: 0 }));
  const byKey = new Map(slices.map((s) => [s.key, s]));
  for (const row of rows) {
    const slice = byKey.get(row.key);
    if (!slice) continue;
    slice.valueMinor += row.valueMinor;
    slice.count += 1;
  }
  return slices;
}

/** The charts of the caller's dashboard: one set per kind of organisation. */
export async function portfolioFor(db: Db, actor: Actor, nowMs = Date.now()): Promise<Chart[]> {
  assertAllowed(canSeeOwnPortfolio(actor), "Portfolio figures are for members of an approved lender, core enterprise or supplier.");
  switch (actor.orgRole) {
    case "lender":
      return lenderCharts(db, actor.orgId, nowMs);
    case "core_enterprise":
      return [await outstandingByTier(db, actor.orgId)];
    default:
      return [await supplierCash(db, actor.orgId)];
  }
}

/** What the lender has paid out and not yet got back: the claims it financed, still outstanding. */
async function lenderCharts(db: Db, lenderOrgId: string, nowMs: number): Promise<Chart[]> {
  const rows = await db
    .select({ issuerOrgId: claims.issuerOrgId, amountMinor: claims.amountMinor, settledMinor: claims.settledMinor, maturityDate: claims.maturityDate, state: claims.state })
    .from(claims)
    .where(and(eq(claims.holderOrgId, lenderOrgId), inArray(claims.state, ["financed", "overdue"])));
  const names = await organisationNames(db);
  const outstanding = rows.map((r) => ({ ...r, valueMinor: r.amountMinor - r.settledMinor })).filter((r) => r.valueMinor > 0n);
  const issuers = [...new Set(outstanding.map((r) => r.issuerOrgId))].map((id) => ({ key: id, label: names.get(id) ?? id }));
  const byIssuer = tally(issuers, outstanding.map((r) => ({ key: r.issuerOrgId, valueMinor: r.valueMinor }))).sort((a, b) => (b.valueMinor > a.valueMinor ? 1 : b.valueMinor < a.valueMinor ? -1 : a.label.localeCompare(b.label)));
  return [
    {
      id: "exposure-by-core",
      title: "Exposure by core enterprise",
      description: "Outstanding amount of the claims you financed, by the core enterprise that owes it.",
      slices: byIssuer,
    },
    {
      id: "exposure-by-maturity",
      title: "Exposure by maturity",
      description: "Outstanding amount of the claims you financed, by days until the core enterprise repays.",
      slices: tally(MATURITY_BUCKETS, outstanding.map((r) => ({ key: maturityBucket(r.maturityDate, r.state, nowMs), valueMinor: r.valueMinor }))),
    },
  ];
}

/** What the core enterprise still owes, by how far down the chain each piece has travelled. */
async function outstandingByTier(db: Db, coreOrgId: string): Promise<Chart> {
  const rows = await db
    .select({ depth: claims.depth, amountMinor: claims.amountMinor, settledMinor: claims.settledMinor })
    .from(claims)
    .where(and(eq(claims.issuerOrgId, coreOrgId), inArray(claims.state, [...LIVE_CLAIM_STATES])));
  return {
    id: "outstanding-by-tier",
    title: "Outstanding by tier",
    description: "What you still owe, by the supplier tier that holds each piece (tier 1 holds what you issued; tier 2 received a part from tier 1, and so on).",
    slices: tally(
      TIER_KEYS.map((t) => ({ key: t, label: `Tier ${t}` })),
      rows.map((r) => ({ key: tierOf(r.depth), valueMinor: r.amountMinor - r.settledMinor })).filter((r) => r.valueMinor > 0n),
    ),
  };
}

/**
 * A supplier's cash position: received early (net proceeds of its disbursed financings),
 * waiting (what the claims it holds will pay at maturity) and settled (what repayments
 * paid it).
 */
async function supplierCash(db: Db, orgId: string): Promise<Chart> {
  const early = await db.select({ valueMinor: financings.netMinor }).from(financings).where(and(eq(financings.holderOrgId, orgId), eq(financings.status, "disbursed")));
  const held = await db
    .select({ amountMinor: claims.amountMinor, settledMinor: claims.settledMinor })
    .from(claims)
    .where(and(eq(claims.holderOrgId, orgId), inArray(claims.state, ["held", "pledged", "overdue"])));
  // One row per repayment allocation made to this organisation.
  const settled = await db
    .select({ valueMinor: sql<string>`(allocation->>'amountMinor')` })
    .from(sql`${repayments}, jsonb_array_elements(${repayments.allocations}) as allocation`)
    .where(sql`allocation->>'holderOrgId' = ${orgId}`);
  const rows: Row[] = [
    ...early.map((e) => ({ key: "early", valueMinor: e.valueMinor ?? 0n })),
    ...held.map((c) => ({ key: "waiting", valueMinor: c.amountMinor - c.settledMinor })).filter((r) => r.valueMinor > 0n),
    ...settled.map((s) => ({ key: "settled", valueMinor: BigInt(s.valueMinor) })),
  ];
  return {
    id: "supplier-cash",
    title: "Cash received early, waiting and settled",
    description: "Received early: net proceeds of claims you financed. Waiting: what the claims you hold pay at maturity. Settled: what repayments paid you.",
    slices: tally(
      [
        { key: "early", label: "Received early" },
        { key: "waiting", label: "Waiting for maturity" },
        { key: "settled", label: "Settled" },
      ],
      rows,
    ),
  };
}
