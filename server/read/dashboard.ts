import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { claims, creditLines, financings } from "@/db/schema";
import type { Actor } from "../actor";
import { assertAllowed, canSeeDashboard } from "../authz";
import { listOwnClaims } from "./claims";
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

const sum = (values: bigint[]) => values.reduce((a, b) => a + b, 0n);

/** The figures and claim list of an organisation's dashboard, computed from the materialised ledger state. */
export async function dashboardFor(db: Db, actor: Actor, nowMs = Date.now()): Promise<{ figures: Figure[]; claims: ClaimRowDto[] }> {
  assertAllowed(canSeeDashboard(actor), "Your organisation is awaiting approval.");
  switch (actor.orgRole) {
    case "supplier":
      return supplierDashboard(db, actor);
    case "core_enterprise":
      return coreDashboard(db, actor, nowMs);
    case "lender":
      return lenderDashboard(db, actor);
    default:
      return auditDashboard(db);
  }
}

async function supplierDashboard(db: Db, actor: Actor) {
  const own = await listOwnClaims(db, actor);
  // What it holds and is still owed, overdue pieces included: the same pieces as the cash
  // chart's "waiting for maturity" (read/portfolio.ts supplierCash), so card and chart agree.
  const held = own.filter((c) => c.holderOrgId === actor.orgId && ["held", "pledged", "overdue"].includes(c.state) && outstandingMinor(c) > 0n);
  const inbox = own.filter((c) => c.offeredToOrgId === actor.orgId);
  const early = await db.select({ net: financings.netMinor }).from(financings).where(and(eq(financings.holderOrgId, actor.orgId), eq(financings.status, "disbursed")));
  return {
    figures: [
      { key: "holdings", count: held.length, label: "Holdings", valueMinor: sum(held.map((c) => outstandingMinor(c))), hint: `${held.length} claim${held.length === 1 ? "" : "s"} you hold` },
      { key: "awaitingAcceptance", count: inbox.length, label: "Awaiting your acceptance", valueMinor: sum(inbox.map((c) => c.amountMinor)), hint: `${inbox.length} offer${inbox.length === 1 ? "" : "s"} in your inbox` },
      { key: "receivedEarly", label: "Received early", valueMinor: sum(early.map((e) => e.net ?? 0n)), hint: "cash from financing" },
    ],
    claims: await toRows(db, own),
  };
}

async function coreDashboard(db: Db, actor: Actor, nowMs: number) {
  const lines = await db.select().from(creditLines).where(and(eq(creditLines.coreEnterpriseOrgId, actor.orgId), eq(creditLines.status, "active")));
  const issued = await db.select().from(claims).where(and(eq(claims.issuerOrgId, actor.orgId), isNull(claims.parentId)));
  const live = await db.select().from(claims).where(and(eq(claims.issuerOrgId, actor.orgId), inArray(claims.state, [...LIVE_CLAIM_STATES])));
  // Due in 30 days: not yet matured, maturing within 30 Beijing days. What is already past
  // maturity is overdue, not "coming up", and is left to the overdue figures.
  const today = beijingDate(nowMs);
  const soon = beijingDate(nowMs + 30 * DAY_MS);
  const dueSoon = live.filter((c) => c.state !== "overdue" && c.maturityDate > today && c.maturityDate <= soon);
  // Past maturity and unpaid: its own figure, so the treasury sees at once what it already owes.
  const overdue = live.filter((c) => c.state === "overdue");
  return {
    figures: [
      { key: "creditAvailable", count: lines.length, label: "Credit available", valueMinor: sum(lines.map((l) => l.limitMinor - l.usedMinor)), hint: `across ${lines.length} credit line${lines.length === 1 ? "" : "s"}` },
      { key: "outstandingClaims", label: "Outstanding claims", valueMinor: sum(live.map((c) => outstandingMinor(c))), hint: "issued, not yet repaid" },
      { key: "dueIn30Days", count: dueSoon.length, label: "Due in 30 days", valueMinor: sum(dueSoon.map((c) => outstandingMinor(c))), hint: "repayments coming up" },
      { key: "overdueIssued", count: overdue.length, label: "Overdue", valueMinor: sum(overdue.map((c) => outstandingMinor(c))), hint: "unpaid after maturity" },
    ],
    claims: issuanceRows(await toRows(db, issued), live),
  };
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

async function lenderDashboard(db: Db, actor: Actor) {
  const financed = await db.select().from(claims).where(and(eq(claims.holderOrgId, actor.orgId), inArray(claims.state, ["financed", "overdue"])));
  const open = await db
    .select({ amountMinor: claims.amountMinor, settledMinor: claims.settledMinor })
    .from(financings)
    .innerJoin(claims, eq(claims.id, financings.claimId))
    .where(and(eq(financings.lenderOrgId, actor.orgId), eq(financings.status, "requested")));
  const lines = await db.select().from(creditLines).where(eq(creditLines.lenderOrgId, actor.orgId));
  return {
    figures: [
      { key: "exposure", count: financed.length, label: "Exposure", valueMinor: sum(financed.map((c) => outstandingMinor(c))), hint: `${financed.length} financed claim${financed.length === 1 ? "" : "s"}` },
      { key: "applications", count: open.length, label: "Applications", valueMinor: sum(open.map((c) => outstandingMinor(c))), hint: `${open.length} waiting for a decision` },
      { key: "creditGranted", count: lines.length, label: "Credit granted", valueMinor: sum(lines.map((l) => l.limitMinor)), hint: `${lines.length} line${lines.length === 1 ? "" : "s"} to core enterprises` },
    ],
    claims: await toRows(db, financed),
  };
}

async function auditDashboard(db: Db) {
  const roots = await db.select().from(claims).where(and(isNull(claims.parentId), sql`${claims.state} not in ('withdrawn','rejected')`));
  const live = await db.select().from(claims).where(inArray(claims.state, [...LIVE_CLAIM_STATES]));
  return {
    figures: [
      { key: "claimsOnLedger", count: roots.length, label: "Claims on the ledger", valueMinor: sum(roots.map((c) => c.amountMinor)), hint: `${roots.length} issuance${roots.length === 1 ? "" : "s"}` },
      { key: "outstanding", label: "Outstanding", valueMinor: sum(live.map((c) => outstandingMinor(c))), hint: "not yet settled" },
      { key: "overdue", label: "Overdue", valueMinor: sum(live.filter((c) => c.state === "overdue").map((c) => outstandingMinor(c))), hint: "unpaid after maturity" },
    ],
    claims: await toRows(db, live),
  };
}
