import { and, eq, gt, inArray, isNull, lte, ne, sql, type SQL } from "drizzle-orm";
import type { PgSelect } from "drizzle-orm/pg-core";
import type { Db } from "@/db/client";
import { claims, creditLines, financings } from "@/db/schema";
import type { Actor } from "../actor";
import { assertAllowed, canSeeDashboard } from "../authz";
import { listOwnClaims, ownClaimConditions } from "./claims";
import { organisationNames } from "../ledger/repository";
import { beijingDate } from "@/contracts/ledger/maturity";
import { LIVE_CLAIM_STATES } from "@/contracts/ledger/types";
import { outstandingMinor } from "@/contracts/ledger/claims";

const DAY_MS = 86_400_000;

export interface Figure {
  /** Names the figure for the interface's catalogue (messages/*.json, dashboard.figures). */
  key: string;
  /** How many claims, offers, lines or applications the figure adds up, where its hint names one. */
  count?: number;
  label: string;
  valueMinor: bigint;
  hint: string;
}

export interface ClaimRowDto {
  id: string;
  rootId: string;
  amountMinor: bigint;
  outstandingMinor: bigint;
  state: string;
  maturityDate: string;
  depth: number;
  holderOrgId: string;
  holderName: string;
  issuerName: string;
  offeredToName: string | null;
  /** The trade-document reference of an issuance (claims.trade_reference); null on pieces and on issuances without one. */
  tradeReference: string | null;
}

type ClaimLike = { id: string; rootId: string; amountMinor: bigint; settledMinor: bigint; state: string; maturityDate: string; depth: number; holderOrgId: string; issuerOrgId: string; offeredToOrgId: string | null; tradeReference?: string | null };

/** The rows with the names of the organisations they name (and only those are read). */
async function toRows(db: Db, list: ClaimLike[]): Promise<ClaimRowDto[]> {
  const names = await organisationNames(db, list.flatMap((c) => [c.holderOrgId, c.issuerOrgId, ...(c.offeredToOrgId ? [c.offeredToOrgId] : [])]));
  return list.map((c) => ({
    id: c.id,
    rootId: c.rootId,
    amountMinor: c.amountMinor,
    outstandingMinor: outstandingMinor(c),
    state: c.state,
    maturityDate: c.maturityDate,
    depth: c.depth,
    holderOrgId: c.holderOrgId,
    holderName: names.get(c.holderOrgId) ?? c.holderOrgId,
    issuerName: names.get(c.issuerOrgId) ?? c.issuerOrgId,
    offeredToName: c.offeredToOrgId ? (names.get(c.offeredToOrgId) ?? c.offeredToOrgId) : null,
    tradeReference: c.tradeReference ?? null,
  }));
}

/** How many claims the dashboard lists (soonest maturity first); the claims and issuances pages list them all. */
export const DASHBOARD_ROWS = 10;

export interface Dashboard {
  figures: Figure[];
  /** The first rows (DASHBOARD_ROWS) of the role's list, by maturity date then id. */
  claims: ClaimRowDto[];
  /** How many the whole list has. */
  claimsTotal: number;
}

/**
 * The figures and first rows of an organisation's dashboard, computed from the materialised
 * ledger state. Every total is an aggregate in the database (the page is asked often and a
 * book may hold thousands of claims); only the listed rows are read.
 */
export async function dashboardFor(db: Db, actor: Actor, nowMs = Date.now(), shown = DASHBOARD_ROWS): Promise<Dashboard> {
  assertAllowed(canSeeDashboard(actor), "Your organisation is awaiting approval.");
  const list = listFor(actor);
  const [figures, rows, claimsTotal] = await Promise.all([figuresFor(db, actor, nowMs), list.rows(db, shown), list.count(db)]);
  return { figures, claims: rows, claimsTotal };
}

/** The role's whole list (the claims page's holdings and offers, the issuances page). */
export async function claimRowsFor(db: Db, actor: Actor): Promise<ClaimRowDto[]> {
  assertAllowed(canSeeDashboard(actor), "Your organisation is awaiting approval.");
  return listFor(actor).rows(db);
}

interface Totals {
  count: number;
  /** Σ (amount − settled). */
  outstandingMinor: bigint;
  /** Σ amount. */
  amountMinor: bigint;
}

/** Count and sums of the claims matching `where`, in one aggregate query. */
async function claimTotals(db: Db, where: SQL | undefined): Promise<Totals> {
  const [row] = await db
    .select({
      count: sql<number>`count(*)::int`,
      outstanding: sql<string>`coalesce(sum(${claims.amountMinor} - ${claims.settledMinor}), 0)::text`,
      amount: sql<string>`coalesce(sum(${claims.amountMinor}), 0)::text`,
    })
    .from(claims)
    .where(where);
  return { count: Number(row?.count ?? 0), outstandingMinor: BigInt(row?.outstanding ?? "0"), amountMinor: BigInt(row?.amount ?? "0") };
}

const asMinor = (value: string | null | undefined) => BigInt(value ?? "0");

async function figuresFor(db: Db, actor: Actor, nowMs: number): Promise<Figure[]> {
  switch (actor.orgRole) {
    case "supplier":
      return supplierFigures(db, actor);
    case "core_enterprise":
      return coreFigures(db, actor, nowMs);
    case "lender":
      return lenderFigures(db, actor);
    default:
      return auditFigures(db);
  }
}

async function supplierFigures(db: Db, actor: Actor): Promise<Figure[]> {
  const own = ownClaimConditions(actor);
  // What it holds and is still owed, overdue pieces included: the same pieces as the cash
  // chart's "waiting for maturity" (read/portfolio.ts supplierCash), so card and chart agree.
  const [held, inbox, [early]] = await Promise.all([
    claimTotals(db, and(...own, eq(claims.holderOrgId, actor.orgId), inArray(claims.state, ["held", "pledged", "overdue"]), gt(sql`${claims.amountMinor} - ${claims.settledMinor}`, 0))),
    claimTotals(db, and(...own, eq(claims.offeredToOrgId, actor.orgId))),
    db.select({ net: sql<string>`coalesce(sum(${financings.netMinor}), 0)::text` }).from(financings).where(and(eq(financings.holderOrgId, actor.orgId), eq(financings.status, "disbursed"))),
  ]);
  return [
    { key: "holdings", count: held.count, label: "Holdings", valueMinor: held.outstandingMinor, hint: `${held.count} claim${held.count === 1 ? "" : "s"} you hold` },
    { key: "awaitingAcceptance", count: inbox.count, label: "Awaiting your acceptance", valueMinor: inbox.amountMinor, hint: `${inbox.count} offer${inbox.count === 1 ? "" : "s"} in your inbox` },
    { key: "receivedEarly", label: "Received early", valueMinor: asMinor(early?.net), hint: "cash from financing" },
  ];
}

async function coreFigures(db: Db, actor: Actor, nowMs: number): Promise<Figure[]> {
  const live = and(eq(claims.issuerOrgId, actor.orgId), inArray(claims.state, [...LIVE_CLAIM_STATES]));
  // Due in 30 days: not yet matured, maturing within 30 Beijing days. What is already past
  // maturity is overdue, not "coming up", and is left to the overdue figures.
  const today = beijingDate(nowMs);
  const soon = beijingDate(nowMs + 30 * DAY_MS);
  const [[lines], outstanding, dueSoon, overdue] = await Promise.all([
    db
      .select({ count: sql<number>`count(*)::int`, available: sql<string>`coalesce(sum(${creditLines.limitMinor} - ${creditLines.usedMinor}), 0)::text` })
      .from(creditLines)
      .where(and(eq(creditLines.coreEnterpriseOrgId, actor.orgId), eq(creditLines.status, "active"))),
    claimTotals(db, live),
    claimTotals(db, and(live, ne(claims.state, "overdue"), gt(claims.maturityDate, today), lte(claims.maturityDate, soon))),
    // Past maturity and unpaid: its own figure, so the treasury sees at once what it already owes.
    claimTotals(db, and(live, eq(claims.state, "overdue"))),
  ]);
  const lineCount = Number(lines?.count ?? 0);
  return [
    { key: "creditAvailable", count: lineCount, label: "Credit available", valueMinor: asMinor(lines?.available), hint: `across ${lineCount} credit line${lineCount === 1 ? "" : "s"}` },
    { key: "outstandingClaims", label: "Outstanding claims", valueMinor: outstanding.outstandingMinor, hint: "issued, not yet repaid" },
    { key: "dueIn30Days", count: dueSoon.count, label: "Due in 30 days", valueMinor: dueSoon.outstandingMinor, hint: "repayments coming up" },
    { key: "overdueIssued", count: overdue.count, label: "Overdue", valueMinor: overdue.outstandingMinor, hint: "unpaid after maturity" },
  ];
}

async function lenderFigures(db: Db, actor: Actor): Promise<Figure[]> {
  const [financed, [open], [lines]] = await Promise.all([
    claimTotals(db, lenderHoldings(actor)),
    db
      .select({ count: sql<number>`count(*)::int`, outstanding: sql<string>`coalesce(sum(${claims.amountMinor} - ${claims.settledMinor}), 0)::text` })
      .from(financings)
      .innerJoin(claims, eq(claims.id, financings.claimId))
      .where(and(eq(financings.lenderOrgId, actor.orgId), eq(financings.status, "requested"))),
    db.select({ count: sql<number>`count(*)::int`, granted: sql<string>`coalesce(sum(${creditLines.limitMinor}), 0)::text` }).from(creditLines).where(eq(creditLines.lenderOrgId, actor.orgId)),
  ]);
  const applications = Number(open?.count ?? 0);
  const lineCount = Number(lines?.count ?? 0);
  return [
    { key: "exposure", count: financed.count, label: "Exposure", valueMinor: financed.outstandingMinor, hint: `${financed.count} financed claim${financed.count === 1 ? "" : "s"}` },
    { key: "applications", count: applications, label: "Applications", valueMinor: asMinor(open?.outstanding), hint: `${applications} waiting for a decision` },
    { key: "creditGranted", count: lineCount, label: "Credit granted", valueMinor: asMinor(lines?.granted), hint: `${lineCount} line${lineCount === 1 ? "" : "s"} to core enterprises` },
  ];
}

async function auditFigures(db: Db): Promise<Figure[]> {
  const [roots, live, overdue] = await Promise.all([
    claimTotals(db, and(isNull(claims.parentId), sql`${claims.state} not in ('withdrawn','rejected')`)),
    claimTotals(db, inArray(claims.state, [...LIVE_CLAIM_STATES])),
    claimTotals(db, eq(claims.state, "overdue")),
  ]);
  return [
    { key: "claimsOnLedger", count: roots.count, label: "Claims on the ledger", valueMinor: roots.amountMinor, hint: `${roots.count} issuance${roots.count === 1 ? "" : "s"}` },
    { key: "outstanding", label: "Outstanding", valueMinor: live.outstandingMinor, hint: "not yet settled" },
    { key: "overdue", label: "Overdue", valueMinor: overdue.outstandingMinor, hint: "unpaid after maturity" },
  ];
}

const lenderHoldings = (actor: Actor) => and(eq(claims.holderOrgId, actor.orgId), inArray(claims.state, ["financed", "overdue"]));

/** A role's list: its rows (all, or the first `limit`) by maturity date then id, and how many there are. */
interface ClaimList {
  rows(db: Db, limit?: number): Promise<ClaimRowDto[]>;
  count(db: Db): Promise<number>;
}

function listFor(actor: Actor): ClaimList {
  switch (actor.orgRole) {
    case "supplier":
      return {
        rows: async (db, limit) => toRows(db, await listOwnClaims(db, actor, limit === undefined ? undefined : { limit })),
        count: async (db) => (await claimTotals(db, and(...ownClaimConditions(actor)))).count,
      };
    case "core_enterprise": {
      const issued = and(eq(claims.issuerOrgId, actor.orgId), isNull(claims.parentId));
      return {
        rows: async (db, limit) => {
          const roots = await limited(db.select().from(claims).where(issued).orderBy(claims.maturityDate, claims.id).$dynamic(), limit);
          // The live pieces of the listed issuances only: each row speaks for its own.
          const rootIds = roots.map((root) => root.id);
          const live = rootIds.length === 0 ? [] : await db.select().from(claims).where(and(inArray(claims.rootId, rootIds), inArray(claims.state, [...LIVE_CLAIM_STATES])));
          return issuanceRows(await toRows(db, roots), live);
        },
        count: async (db) => (await claimTotals(db, issued)).count,
      };
    }
    case "lender":
      return {
        rows: async (db, limit) => toRows(db, await limited(db.select().from(claims).where(lenderHoldings(actor)).orderBy(claims.maturityDate, claims.id).$dynamic(), limit)),
        count: async (db) => (await claimTotals(db, lenderHoldings(actor))).count,
      };
    default: {
      const live = inArray(claims.state, [...LIVE_CLAIM_STATES]);
      return {
        rows: async (db, limit) => toRows(db, await limited(db.select().from(claims).where(live).orderBy(claims.maturityDate, claims.id).$dynamic(), limit)),
        count: async (db) => (await claimTotals(db, live)).count,
      };
    }
  }
}

function limited<Q extends PgSelect>(query: Q, limit: number | undefined) {
  return limit === undefined ? query : query.limit(limit);
}

/**
 * An issuance row speaks for its pieces once its tier-1 supplier has split it: what they
 * still owe in total (the "Outstanding claims" figure adds up the same pieces), overdue when
 * any is, settled when none is left. The root's own record stops at the split.
 */
function issuanceRows(rows: ClaimRowDto[], live: ClaimLike[]): ClaimRowDto[] {
  const pieces = new Map<string, { outstandingMinor: bigint; overdue: boolean }>();
  for (const piece of live) {
    const entry = pieces.get(piece.rootId) ?? { outstandingMinor: 0n, overdue: false };
    entry.outstandingMinor += outstandingMinor(piece);
    entry.overdue ||= piece.state === "overdue";
    pieces.set(piece.rootId, entry);
  }
  return rows.map((row) => {
    if (row.state !== "split") return row;
    const entry = pieces.get(row.id);
    if (!entry) return { ...row, outstandingMinor: 0n, state: "settled" };
    return { ...row, outstandingMinor: entry.outstandingMinor, state: entry.overdue ? "overdue" : row.state };
  });
}
