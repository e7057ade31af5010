import { and, eq, getTableColumns, inArray, or, sql, type SQL } from "drizzle-orm";
import type { AnyPgColumn, PgTable } from "drizzle-orm/pg-core";
import type { DbOrTx } from "@/db/client";
import {
  claims,
  creditLines,
  financingPolicies,
  financings,
  ledgerCheckpoints,
  ledgerNonces,
  ledgerOrganisations,
  pledges,
  repayments,
  signingKeys,
  approvalPolicies,
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
  ApprovalPolicy,
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
  role: row.role as SigningKey["role"],
  holderUserId: row.holderUserId,
  webauthn: row.webauthn ?? null,
});

export const toApprovalPolicy = (row: typeof approvalPolicies.$inferSelect): ApprovalPolicy => ({
  orgId: row.orgId,
  approvalAboveMinor: row.approvalAboveMinor,
  keyChangeAdmins: row.keyChangeAdmins === 2 ? 2 : 1,
  createdTxId: row.createdTxId,
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
 * Loads everything one transaction (or, with mergePrefetchKeys, one block) needs into a MemoryState, following the transitive rule
 * of PrefetchKeys: keys bring their organisations, financings their claims, claims their
 * whole issuance tree, its active pledges and its credit line.
 *
 * `overlay` is what a block still being written (not yet committed) changed, for a block
 * applied ahead of the head lock on the state that one leaves (service.ts commitAhead): the
 * tables may then show the state before that block or after it, statement by statement, and
 * the overlay, laid over the rows, makes both the state after it. The rows it adds are
 * reached through it too (a claim the block in flight created brings its issuance's tree, a
 * key it registered its organisation, a financing it opened its claim), since the tables may
 * not hold them yet.
 */
export async function prefetchState(db: DbOrTx, keys: PrefetchKeys, overlay: readonly StateChange[] = []): Promise<MemoryState> {
  const ahead = overlayIndex(overlay);
  const keyRows = [
    ...(keys.keyIds.length ? await db.select().from(signingKeys).where(inList(signingKeys.keyId, keys.keyIds)) : []),
    // The whole key set of these organisations (guards on their last keys of a role); a key loaded twice is the same row.
    ...(keys.keySets.length ? await db.select().from(signingKeys).where(and(inList(signingKeys.orgId, keys.keySets), eq(signingKeys.status, "active"))) : []),
  ];
  const financingRows = keys.financingIds.length ? await db.select().from(financings).where(inList(financings.id, keys.financingIds)) : [];
  const financedClaimIds = [...financingRows.map((f) => f.claimId), ...keys.financingIds.flatMap((id) => ahead.financingClaims.get(id) ?? [])];
  const claimIds = [...new Set([...keys.claimIds, ...financedClaimIds, ...(await liveIssuanceIds(db, keys.invoices))])];
  const rootIds = [...new Set(claimIds.flatMap((id) => ahead.claimRoots.get(id) ?? []))];
  const claimRows = claimIds.length
    ? await db
        .select()
        .from(claims)
        .where(or(inArray(claims.rootId, db.select({ rootId: claims.rootId }).from(claims).where(inList(claims.id, claimIds))), ...(rootIds.length ? [inList(claims.rootId, rootIds)] : [])))
    : [];
  const pledgeRows = claimRows.length
    ? await db.select().from(pledges).where(and(inList(pledges.claimId, claimRows.map((c) => c.id)), eq(pledges.status, "active")))
    : [];
  const creditLineIds = [...new Set([...keys.creditLineIds, ...claimRows.map((c) => c.creditLineId), ...ahead.creditLineIds])];
  const creditLineRows = creditLineIds.length ? await db.select().from(creditLines).where(inList(creditLines.id, creditLineIds)) : [];
  const orgIds = [...new Set([...keys.orgIds, ...keyRows.map((k) => k.orgId), ...keys.keyIds.flatMap((id) => ahead.keyOrgs.get(id) ?? [])])];
  const orgRows = orgIds.length ? await db.select().from(ledgerOrganisations).where(inList(ledgerOrganisations.id, orgIds)) : [];
  const nonceRows = keys.nonces.length
    ? await db
        .select()
        .from(ledgerNonces)
        .where(sql`(${ledgerNonces.orgId}, ${ledgerNonces.keyId}, ${ledgerNonces.nonce}) in (select org_id, key_id, nonce from ${rowsFromJson(ledgerNonces, keys.nonces)})`)
    : [];
  const policyRows = await loadPolicies(db, keys);
  // Every organisation's approval policy: its approvals and key-set changes are judged by it.
  const approvalPolicyRows = orgIds.length ? await db.select().from(approvalPolicies).where(inList(approvalPolicies.orgId, orgIds)) : [];
  const anyKey = keys.hasKeys && keyRows.length === 0 ? await db.select({ keyId: signingKeys.keyId }).from(signingKeys).limit(1) : [];
  const checkpointRows = keys.checkpointHashes.length
    ? await db.select({ hash: ledgerCheckpoints.noteTextHash }).from(ledgerCheckpoints).where(inList(ledgerCheckpoints.noteTextHash, keys.checkpointHashes))
    : [];
  const state = new PrefetchedState(anyKey.length > 0, {
    orgs: orgRows.map(toOrganisation),
    keys: keyRows.map(toKey),
    approvalPolicies: approvalPolicyRows.map(toApprovalPolicy),
    creditLines: creditLineRows.map(toCreditLine),
    claims: claimRows.map(toClaim),
    pledges: pledgeRows.map(toPledge),
    financings: financingRows.map(toFinancing),
    policies: policyRows.map(toPolicy),
    nonces: nonceRows,
    // Tracked: a checkpoint the database does not hold has not closed.
    checkpointHashes: checkpointRows.map((row) => row.hash as string),
  });
  // In order, so each row ends as the block in flight left it.
  if (overlay.length > 0) state.applyChanges(overlay);
  return state;
}

/** What prefetchState reaches through an overlay: the issuance of each claim, the claim of each financing, the organisation of each key, the credit lines named. */
function overlayIndex(overlay: readonly StateChange[]) {
  const claimRoots = new Map<string, string>();
  const financingClaims = new Map<string, string>();
  const keyOrgs = new Map<string, string>();
  const creditLineIds = new Set<string>();
  for (const change of overlay) {
    if (change.kind === "claim") {
      claimRoots.set(change.value.id, change.value.rootId);
      creditLineIds.add(change.value.creditLineId);
    } else if (change.kind === "financing") financingClaims.set(change.value.id, change.value.claimId);
    else if (change.kind === "key") keyOrgs.set(change.value.keyId, change.value.orgId);
  }
  return { claimRoots, financingClaims, keyOrgs, creditLineIds };
}

/**
 * `column = any(values)` with the values as one text[] parameter: the statement has the same
 * text for any number of values, nothing is built per value (drizzle's inArray makes a
 * parameter, and several checks, for each one: a sixth of a block's CPU), and the planner
 * knows how many values there are, so it probes the index (a JSON list hides the count,
 * and 500 transaction ids became a sequential scan of the log).
 */
export function inList(column: AnyPgColumn, values: readonly string[]): SQL {
  return sql`${column} = any(${textArrayLiteral(values)}::text[])`;
}

/** A PostgreSQL array literal of strings, every element quoted (so "NULL", commas and braces stay text). */
export function textArrayLiteral(values: readonly string[]): string {
  return `{${values.map((value) => `"${value.replace(/[\\"]/g, "\\$&")}"`).join(",")}}`;
}

/** The live issuances naming these invoices (at most one each; claims_one_live_issuance_per_invoice serves the query). */
async function liveIssuanceIds(db: DbOrTx, invoices: readonly string[]): Promise<string[]> {
  if (invoices.length === 0) return [];
  const rows = await db
    .select({ id: claims.id })
    .from(claims)
    .where(
      sql`(${claims.documents} ->> 'invoiceSha256') = any(${textArrayLiteral(invoices)}::text[]) and ${claims.parentId} is null and ${claims.state} not in ('withdrawn', 'rejected') and ${claims.rootRepaidMinor} < ${claims.amountMinor}`,
    );
  return rows.map((row) => row.id);
}

/** The policies named by id and the active policy of each lender and core enterprise pair asked for. */
async function loadPolicies(db: DbOrTx, keys: PrefetchKeys): Promise<PolicyRow[]> {
  const byId = keys.policyIds.length ? inList(financingPolicies.id, keys.policyIds) : undefined;
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

/** Display names of the organisations on the ledger, by id: all of them, or only those of `ids`. */
export async function organisationNames(db: DbOrTx, ids?: Iterable<string>): Promise<Map<string, string>> {
  const wanted = ids === undefined ? null : [...new Set(ids)];
  if (wanted !== null && wanted.length === 0) return new Map();
  const query = db.select({ id: ledgerOrganisations.id, name: ledgerOrganisations.name }).from(ledgerOrganisations);
  const rows = await (wanted === null ? query : query.where(inList(ledgerOrganisations.id, wanted)));
  return new Map(rows.map((r) => [r.id, r.name]));
}

/**
 * How each kind of StateChange is stored: its table, the id of its row, and whether a later
 * change of the same row replaces it (upsert on that column) or every change is a new row
 * (insert, so a repeat is the database's unique violation, never silently merged). Writes run
 * in this order, which is the order of the foreign keys. A new kind is one entry here.
 */
const STATE_WRITERS: { [K in StateChange["kind"]]: StateWriter<Extract<StateChange, { kind: K }>["value"]> } = {
  org: { table: ledgerOrganisations, idOf: (org) => org.id, upsertOn: "id" },
  key: { table: signingKeys, idOf: (key) => key.keyId, upsertOn: "keyId" },
  approvalPolicy: { table: approvalPolicies, idOf: (policy) => policy.orgId, upsertOn: "orgId" },
  creditLine: { table: creditLines, idOf: (line) => line.id, upsertOn: "id" },
  claim: { table: claims, idOf: (claim) => claim.id, upsertOn: "id" },
  pledge: { table: pledges, idOf: (pledge) => pledge.id, upsertOn: "id" },
  policy: { table: financingPolicies, idOf: (policy) => policy.id, upsertOn: "id" },
  financing: { table: financings, idOf: (financing) => financing.id, upsertOn: "id" },
  repayment: { table: repayments, idOf: (repayment) => repayment.id, upsertOn: null },
  nonce: { table: ledgerNonces, idOf: (use) => `${use.orgId}\u0000${use.keyId}\u0000${use.nonce}`, upsertOn: null },
};

interface StateWriter<V> {
  table: PgTable;
  idOf(value: V): string;
  /** The primary key's property name, or null for rows that are only ever inserted. */
  upsertOn: string | null;
}

/**
 * Writes the changes of one transaction or of a whole block: one statement per table. For
 * upserted rows only the last value counts, and rows go in the order of their last change,
 * so a row that gives up a unique slot (a released pledge, a replaced policy, a declined
 * financing) is written before the row that takes it, as it happened.
 */
export async function writeChanges(db: DbOrTx, changes: readonly StateChange[]): Promise<void> {
  const byKind = new Map<StateChange["kind"], Map<string, StateChange["value"]>>();
  const inserted = new Map<StateChange["kind"], StateChange["value"][]>();
  for (const change of changes) {
    const writer = STATE_WRITERS[change.kind] as StateWriter<StateChange["value"]>;
    if (writer.upsertOn === null) {
      inserted.set(change.kind, [...(inserted.get(change.kind) ?? []), change.value]);
      continue;
    }
    const rows = byKind.get(change.kind) ?? new Map<string, StateChange["value"]>();
    const id = writer.idOf(change.value);
    rows.delete(id); // re-inserted at the end: the order of last change
    byKind.set(change.kind, rows.set(id, change.value));
  }
  for (const [kind, writer] of Object.entries(STATE_WRITERS) as [StateChange["kind"], StateWriter<unknown>][]) {
    const rows = writer.upsertOn === null ? (inserted.get(kind) ?? []) : [...(byKind.get(kind)?.values() ?? [])];
    await writeRows(db, writer.table, rows as object[], writer.upsertOn);
  }
}

/**
 * One INSERT (or INSERT ... ON CONFLICT DO UPDATE on `upsertOn`) for all `rows`, passed as a
 * single JSON parameter that the database turns into rows of the table's own type
 * (jsonb_populate_recordset): the statement text depends only on the table, whatever the
 * number of rows, and every value is converted by the column's own input function.
 */
export async function writeRows(db: DbOrTx, table: PgTable, rows: readonly object[], upsertOn: string | null = null): Promise<void> {
  const first = rows[0];
  if (first === undefined) return;
  const columns = Object.entries(getTableColumns(table)).filter(([property]) => property in first);
  const names = columns.map(([, column]) => `"${column.name}"`);
  const conflict =
    upsertOn === null
      ? sql``
      : sql.raw(
          ` on conflict ("${getTableColumns(table)[upsertOn]?.name ?? upsertOn}") do update set ` +
            columns.filter(([property]) => property !== upsertOn).map(([, column]) => `"${column.name}" = excluded."${column.name}"`).join(", "),
        );
  await db.execute(
    sql`insert into ${table} (${sql.raw(names.join(", "))}) select ${sql.raw(names.map((name) => `r.${name}`).join(", "))} from ${rowsFromJson(table, rows)} with ordinality as r order by r.ordinality${conflict}`,
  );
}

/** `jsonb_populate_recordset(null::table, $1)`: the rows (entity properties) as rows of the table's type. */
function rowsFromJson(table: PgTable, rows: readonly object[]): SQL {
  const columns = Object.entries(getTableColumns(table));
  const json = JSON.stringify(
    rows.map((row) => Object.fromEntries(columns.map(([property, column]) => [column.name, (row as Record<string, unknown>)[property] ?? null]))),
    (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value),
  );
  return sql`jsonb_populate_recordset(null::${table}, ${json}::jsonb)`;
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

