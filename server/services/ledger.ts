import { and, arrayOverlaps, desc, eq, inArray, ne, or, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { claims, creditLines, financings, ledgerCheckpoints, ledgerEntries, ledgerHead, ledgerOrganisations, pledges } from "@/db/schema";
import type { Actor } from "../actor";
import { assertAllowed, canManageCreditLines } from "../authz";
import { DomainError, notFound } from "../errors";
import { canSeeClaim, canSubmitFor, canSubmitType } from "../ledger/authz";
import type { SubmitResult } from "../ledger/service";
import type { Runtime } from "../runtime";
import { organisationNames, toClaim } from "../ledger/repository";
import { buildProvenanceBundle, type ProvenanceStore } from "../ledger/provenance";
import { loadPlatformKey } from "../ledger/platform-key";
import type { Claim, LedgerEvent } from "@/contracts/ledger/types";
import { disburseAutoFinancings } from "./auto-financing";

/** Submits a transaction the caller's browser signed; the signer must be the caller's organisation. */
export async function submitSigned(runtime: Runtime, actor: Actor, wire: { transaction: { type: string; signer: { orgId: string } } }): Promise<SubmitResult> {
  assertAllowed(canSubmitFor(actor, wire.transaction.signer.orgId), "You can only submit transactions signed for your own organisation, with the maker permission or above.");
  assertAllowed(canSubmitType(actor, wire.transaction.type), "Only an admin of the lender can change its credit lines or auto-financing policies.");
  // Counted per organisation after the authorisation check, so nobody spends another organisation's budget.
  if (!runtime.limits.submissions.take(actor.orgId)) {
    throw new DomainError("rate_limited", "submission_rate_limited", `Your organisation has submitted more than ${runtime.limits.submissionsPerMinute} transactions in the last minute. Wait a minute and try again.`);
  }
  // A refusal (malformed_transaction included) is an answer, returned as the typed Refusal.
  const result = await runtime.ledger.submit(wire);
  if (result.status === "accepted") await disburseRightAway(runtime.db, result.events);
  return result;
}

/**
 * A financing the contract approved under a policy (its financing.autoApproved event) is
 * accepted when it commits; its disbursement is confirmed at once so that the holder's
 * answer comes back with the money on its way. The application stands even if this fails:
 * the scheduled auto-disburse job confirms it later.
 */
async function disburseRightAway(db: Db, events: readonly LedgerEvent[]): Promise<void> {
  const financingIds = events.flatMap((event) => (event.type === "financing.autoApproved" ? [event.financingId] : []));
  if (financingIds.length === 0) return;
  try {
    await disburseAutoFinancings(db, { financingIds });
  } catch (error) {
    console.error(`[auto-financing] disbursement of ${financingIds.join(", ")} deferred to the job:`, error instanceof Error ? error.message : error);
  }
}

export async function ledgerStatus(db: Db) {
  const [head] = await db.select({ size: ledgerHead.size }).from(ledgerHead);
  const [checkpoint] = await db.select().from(ledgerCheckpoints).orderBy(desc(ledgerCheckpoints.size)).limit(1);
  const byType = await db.select({ type: ledgerEntries.type, count: sql<number>`count(*)::int` }).from(ledgerEntries).groupBy(ledgerEntries.type);
  return {
    size: head?.size ?? 0,
    checkpoint: checkpoint ? { size: checkpoint.size, rootHash: checkpoint.rootHash, timestampMs: checkpoint.timestampMs, checkpointHash: checkpoint.checkpointHash, keyId: checkpoint.keyId } : null,
    transactionsByType: Object.fromEntries(byType.map((r) => [r.type, r.count])),
  };
}

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

/** The claims an organisation holds or is offered (a supplier's or lender's own book). */
export async function listOwnClaims(db: Db, actor: Actor) {
  const rows = await db
    .select()
    .from(claims)
    // A split claim was consumed into its children, which are listed instead.
    .where(and(or(eq(claims.holderOrgId, actor.orgId), eq(claims.offeredToOrgId, actor.orgId)), ne(claims.state, "split")))
    .orderBy(claims.maturityDate, claims.id);
  // A core enterprise "holds" its own issuance only while offering it; that is shown as issued, not held.
  return rows.filter((r) => !(r.issuerOrgId === actor.orgId && r.id === r.rootId && r.state === "offered")).map(toClaim);
}

/**
 * Credit lines of the caller: received (core enterprise) or granted (lender). A line whose
 * expiry time has passed is shown as expired even before anyone signs creditLine.expire,
 * because the contracts already treat it so.
 */
export async function listCreditLines(db: Db, actor: Actor, nowMs = Date.now()) {
  const column = actor.orgRole === "lender" ? creditLines.lenderOrgId : creditLines.coreEnterpriseOrgId;
  const rows = await db.select().from(creditLines).where(eq(column, actor.orgId)).orderBy(creditLines.expiresAtMs);
  const names = await organisationNames(db);
  return rows.map((r) => ({
    id: r.id,
    lenderOrgId: r.lenderOrgId,
    lenderName: names.get(r.lenderOrgId) ?? r.lenderOrgId,
    coreEnterpriseOrgId: r.coreEnterpriseOrgId,
    coreEnterpriseName: names.get(r.coreEnterpriseOrgId) ?? r.coreEnterpriseOrgId,
    limitMinor: r.limitMinor,
    usedMinor: r.usedMinor,
    availableMinor: r.limitMinor - r.usedMinor,
    expiresAtMs: r.expiresAtMs,
    status: (r.status !== "expired" && nowMs >= r.expiresAtMs ? "expired" : r.status) as "active" | "frozen" | "expired",
  }));
}

/** The core enterprises registered on the ledger: whom a lender can grant a credit line to. */
export async function grantableCoreEnterprises(db: Db, actor: Actor) {
  assertAllowed(canManageCreditLines(actor), "Only an admin of a lender grants credit lines.");
  return db
    .select({ id: ledgerOrganisations.id, name: ledgerOrganisations.name })
    .from(ledgerOrganisations)
    .where(eq(ledgerOrganisations.role, "core_enterprise"))
    .orderBy(ledgerOrganisations.name);
}

/** The whole tree of one issuance (穿透): for its core enterprise, auditors and the operator. */
export async function issuanceTree(db: Db, actor: Actor, rootId: string) {
  const [root] = await db.select().from(claims).where(eq(claims.id, rootId));
  const allowed = root && root.id === root.rootId && (root.issuerOrgId === actor.orgId || actor.orgRole === "auditor" || actor.orgRole === "operator");
  if (!allowed) throw notFound("claim_not_found", "No such issuance.");
  const tree = await db.select().from(claims).where(eq(claims.rootId, rootId)).orderBy(claims.depth, claims.id);
  const names = await organisationNames(db);
  return tree.map((c) => ({ ...toClaim(c), holderName: names.get(c.holderOrgId) ?? c.holderOrgId, offeredToName: c.offeredToOrgId ? (names.get(c.offeredToOrgId) ?? null) : null }));
}

/** What came in and went out: ledger entries signed by the organisation or touching its claims. */
export async function history(db: Db, actor: Actor, limit = 50) {
  const own = await db.select({ id: claims.id }).from(claims).where(or(eq(claims.holderOrgId, actor.orgId), eq(claims.offeredToOrgId, actor.orgId)));
  const ids = own.map((c) => c.id);
  const touching = ids.length ? arrayOverlaps(ledgerEntries.claimIds, ids) : sql`false`;
  const rows = await db
    .select({ leafIndex: ledgerEntries.leafIndex, txId: ledgerEntries.txId, type: ledgerEntries.type, signerOrgId: ledgerEntries.signerOrgId, acceptedAtMs: ledgerEntries.acceptedAtMs, claimIds: ledgerEntries.claimIds })
    .from(ledgerEntries)
    .where(or(eq(ledgerEntries.signerOrgId, actor.orgId), touching))
    .orderBy(desc(ledgerEntries.leafIndex))
    .limit(limit);
  const names = await organisationNames(db);
  return rows.map((r) => ({ ...r, signerName: names.get(r.signerOrgId) ?? r.signerOrgId, outgoing: r.signerOrgId === actor.orgId }));
}

/** The provenance bundle of a claim the caller may see, for verification in their own browser. */
export async function provenanceFor(db: Db, subtrees: ProvenanceStore, actor: Actor, claimId: string) {
  const claim = await loadVisibleClaim(db, actor, claimId);
  const bundle = await buildProvenanceBundle(db, claimId, subtrees);
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

/** The operator's public key that checkpoints are signed with: the anchor of every verification. */
export async function operatorKey(db: Db) {
  const key = await loadPlatformKey(db);
  return { keyId: key.keyId, publicKeyHex: key.publicKeyHex };
}
