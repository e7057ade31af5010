import { and, eq, inArray, or } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import {
  claims,
  creditLines,
  financingPolicies,
  financings,
  ledgerNonces,
  ledgerOrganisations,
  pledges,
  repayments,
  signingKeys,
} from "@/db/schema";
import { MemoryState, type PrefetchKeys } from "@/contracts/ledger/state";
import type {
  Claim,
  CreditLine,
  Financing,
  FinancingPolicy,
  Organisation,
  Pledge,
  Repayment,
  SigningKey,
  StateChange,
} from "@/contracts/ledger/types";

/*
 * Row <-> entity mapping for the materialised ledger state, and the two things the ledger
 * service needs from it: load what a transaction needs (prefetch) and write what it changed.
 */

type ClaimRow = typeof claims.$inferSelect;
type CreditLineRow = typeof creditLines.$inferSelect;
type FinancingRow = typeof financings.$inferSelect;
type PolicyRow = typeof financingPolicies.$inferSelect;
type PledgeRow = typeof pledges.$inferSelect;
type RepaymentRow = typeof repayments.$inferSelect;
type KeyRow = typeof signingKeys.$inferSelect;

export const toOrganisation = (row: typeof ledgerOrganisations.$inferSelect): Organisation => ({
  id: row.id,
  name: row.name,
  role: row.role as Organisation["role"],
});

export const toKey = (row: KeyRow): SigningKey => ({
  keyId: row.keyId,
  orgId: row.orgId,
  publicKeyHex: row.publicKeyHex,
  status: row.status as SigningKey["status"],
  registeredAtMs: row.registeredAtMs,
  revokedAtMs: row.revokedAtMs,
});

export const toCreditLine = (row: CreditLineRow): CreditLine => ({
  id: row.id,
  lenderOrgId: row.lenderOrgId,
  coreEnterpriseOrgId: row.coreEnterpriseOrgId,
  currency: row.currency as CreditLine["currency"],
  limitMinor: row.limitMinor,
  usedMinor: row.usedMinor,
  expiresAtMs: row.expiresAtMs,
  status: row.status as CreditLine["status"],
  createdTxId: row.createdTxId,
});

export const toClaim = (row: ClaimRow): Claim => ({
  id: row.id,
  rootId: row.rootId,
  parentId: row.parentId,
  issuerOrgId: row.issuerOrgId,
  creditLineId: row.creditLineId,
  holderOrgId: row.holderOrgId,
  offeredToOrgId: row.offeredToOrgId,
  amountMinor: row.amountMinor,
  settledMinor: row.settledMinor,
  currency: row.currency as Claim["currency"],
  maturityDate: row.maturityDate,
  depth: row.depth,
  state: row.state as Claim["state"],
  documents: row.documents,
  createdTxId: row.createdTxId,
  financedOnce: row.financedOnce,
  activeFinancingId: row.activeFinancingId,
  rootRepaidMinor: row.rootRepaidMinor,
});

export const toPledge = (row: PledgeRow): Pledge => ({
  id: row.id,
  claimId: row.claimId,
  pledgorOrgId: row.pledgorOrgId,
  lenderOrgId: row.lenderOrgId,
  status: row.status as Pledge["status"],
  createdTxId: row.createdTxId,
  releasedTxId: row.releasedTxId,
});

export const toFinancing = (row: FinancingRow): Financing => ({
  id: row.id,
  claimId: row.claimId,
  holderOrgId: row.holderOrgId,
  lenderOrgId: row.lenderOrgId,
  status: row.status as Financing["status"],
  faceMinor: row.faceMinor,
  rateBps: row.rateBps,
  feeMinor: row.feeMinor,
  disbursementDate: row.disbursementDate,
  interestMinor: row.interestMinor,
  netMinor: row.netMinor,
  recourse: row.recourse,
  paymentReference: row.paymentReference,
  declinedByOrgId: row.declinedByOrgId,
  declineReason: row.declineReason,
  policyId: row.policyId,
  createdTxId: row.createdTxId,
});

export const toPolicy = (row: PolicyRow): FinancingPolicy => ({
  id: row.id,
  lenderOrgId: row.lenderOrgId,
  coreEnterpriseOrgId: row.coreEnterpriseOrgId,
  currency: row.currency as FinancingPolicy["currency"],
  maxAmountMinor: row.maxAmountMinor,
  maxDepth: row.maxDepth,
  rateBps: row.rateBps,
  feeMinor: row.feeMinor,
  recourse: row.recourse,
  status: row.status as FinancingPolicy["status"],
  createdTxId: row.createdTxId,
  endedTxId: row.endedTxId,
});

export const toRepayment = (row: RepaymentRow): Repayment => ({
  id: row.id,
  rootClaimId: row.rootClaimId,
  amountMinor: row.amountMinor,
  paymentReference: row.paymentReference,
  allocations: row.allocations.map((a) => ({ claimId: a.claimId, holderOrgId: a.holderOrgId, amountMinor: BigInt(a.amountMinor) })),
  createdTxId: row.createdTxId,
});

/**
 * Loads everything one transaction needs into a MemoryState, following the transitive rule
 * of PrefetchKeys: keys bring their organisations, financings their claims, claims their
 * whole issuance tree, its active pledges and its credit line.
 */
export async function prefetchState(db: DbOrTx, keys: PrefetchKeys): Promise<MemoryState> {
  const keyRows = keys.keyIds.length ? await db.select().from(signingKeys).where(inArray(signingKeys.keyId, keys.keyIds)) : [];
  const financingRows = keys.financingIds.length ? await db.select().from(financings).where(inArray(financings.id, keys.financingIds)) : [];
  const claimIds = [...new Set([...keys.claimIds, ...financingRows.map((f) => f.claimId)])];
  const seedClaims = claimIds.length ? await db.select({ rootId: claims.rootId }).from(claims).where(inArray(claims.id, claimIds)) : [];
  const rootIds = [...new Set(seedClaims.map((c) => c.rootId))];
  const claimRows = rootIds.length ? await db.select().from(claims).where(inArray(claims.rootId, rootIds)) : [];
  const pledgeRows = claimRows.length
    ? await db.select().from(pledges).where(and(inArray(pledges.claimId, claimRows.map((c) => c.id)), eq(pledges.status, "active")))
    : [];
  const creditLineIds = [...new Set([...keys.creditLineIds, ...claimRows.map((c) => c.creditLineId)])];
  const creditLineRows = creditLineIds.length ? await db.select().from(creditLines).where(inArray(creditLines.id, creditLineIds)) : [];
  const orgIds = [...new Set([...keys.orgIds, ...keyRows.map((k) => k.orgId)])];
  const orgRows = orgIds.length ? await db.select().from(ledgerOrganisations).where(inArray(ledgerOrganisations.id, orgIds)) : [];
  const nonceRows = keys.nonces.length
    ? await db
        .select()
        .from(ledgerNonces)
        .where(or(...keys.nonces.map((n) => and(eq(ledgerNonces.orgId, n.orgId), eq(ledgerNonces.keyId, n.keyId), eq(ledgerNonces.nonce, n.nonce)))))
    : [];
  const policyRows = await loadPolicies(db, keys);
  const anyKey = keys.hasKeys && keyRows.length === 0 ? await db.select({ keyId: signingKeys.keyId }).from(signingKeys).limit(1) : [];
  return new PrefetchedState(anyKey.length > 0, {
    orgs: orgRows.map(toOrganisation),
    keys: keyRows.map(toKey),
    creditLines: creditLineRows.map(toCreditLine),
    claims: claimRows.map(toClaim),
    pledges: pledgeRows.map(toPledge),
    financings: financingRows.map(toFinancing),
    policies: policyRows.map(toPolicy),
    nonces: nonceRows,
  });
}

/** The policies named by id and the active policy of each lender and core enterprise pair asked for. */
async function loadPolicies(db: DbOrTx, keys: PrefetchKeys): Promise<PolicyRow[]> {
  const byId = keys.policyIds.length ? inArray(financingPolicies.id, keys.policyIds) : undefined;
  const byPair = keys.activePolicies.map((p) =>
    and(eq(financingPolicies.lenderOrgId, p.lenderOrgId), eq(financingPolicies.coreEnterpriseOrgId, p.coreEnterpriseOrgId), eq(financingPolicies.status, "active")),
  );
  const conditions = [...(byId ? [byId] : []), ...byPair];
  return conditions.length ? db.select().from(financingPolicies).where(or(...conditions)) : [];
}

/** The prefetched rows; knows whether the ledger has keys even when none was loaded. */
class PrefetchedState extends MemoryState {
  constructor(
    private readonly keysExistElsewhere: boolean,
    contents: ConstructorParameters<typeof MemoryState>[0],
  ) {
    super(contents);
  }
  override hasKeys(): boolean {
    return this.keysExistElsewhere || super.hasKeys();
  }
}

/** Display names of the organisations on the ledger, by id. */
export async function organisationNames(db: DbOrTx): Promise<Map<string, string>> {
  const rows = await db.select({ id: ledgerOrganisations.id, name: ledgerOrganisations.name }).from(ledgerOrganisations);
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Writes the upserts a transaction produced, in order. */
export async function writeChanges(db: DbOrTx, changes: readonly StateChange[]): Promise<void> {
  for (const change of changes) await writeChange(db, change);
}

async function writeChange(db: DbOrTx, change: StateChange): Promise<void> {
  switch (change.kind) {
    case "org": {
      const v = change.value;
      await db.insert(ledgerOrganisations).values(v).onConflictDoUpdate({ target: ledgerOrganisations.id, set: { name: v.name, role: v.role } });
      return;
    }
    case "key": {
      const { keyId, ...rest } = change.value;
      await db.insert(signingKeys).values(change.value).onConflictDoUpdate({ target: signingKeys.keyId, set: rest });
      return void keyId;
    }
    case "creditLine": {
      const { id, ...rest } = change.value;
      await db.insert(creditLines).values(change.value).onConflictDoUpdate({ target: creditLines.id, set: rest });
      return void id;
    }
    case "claim": {
      const { id, ...rest } = change.value;
      await db.insert(claims).values(change.value).onConflictDoUpdate({ target: claims.id, set: rest });
      return void id;
    }
    case "pledge": {
      const { id, ...rest } = change.value;
      await db.insert(pledges).values(change.value).onConflictDoUpdate({ target: pledges.id, set: rest });
      return void id;
    }
    case "policy": {
      const { id, ...rest } = change.value;
      await db.insert(financingPolicies).values(change.value).onConflictDoUpdate({ target: financingPolicies.id, set: rest });
      return void id;
    }
    case "financing": {
      const { id, ...rest } = change.value;
      await db.insert(financings).values(change.value).onConflictDoUpdate({ target: financings.id, set: rest });
      return void id;
    }
    case "repayment": {
      const v = change.value;
      const allocations = v.allocations.map((a) => ({ claimId: a.claimId, holderOrgId: a.holderOrgId, amountMinor: a.amountMinor.toString() }));
      await db.insert(repayments).values({ ...v, allocations });
      return;
    }
    case "nonce":
      await db.insert(ledgerNonces).values(change.value);
      return;
  }
}

/** Claim ids a set of changes touched (for the entry's lineage index). */
export function touchedClaimIds(changes: readonly StateChange[]): string[] {
  const ids = new Set<string>();
  for (const change of changes) {
    if (change.kind === "claim") ids.add(change.value.id);
    if (change.kind === "pledge" || change.kind === "financing") ids.add(change.value.claimId);
    if (change.kind === "repayment") for (const a of change.value.allocations) ids.add(a.claimId);
  }
  return [...ids];
}

