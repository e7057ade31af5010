import { and, arrayOverlaps, desc, eq, lt, or, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { claims, ledgerCheckpoints, ledgerEntries, ledgerHead, signingKeys, users } from "@/db/schema";
import type { KeyRole } from "@/contracts/ledger/types";
import type { Actor } from "../actor";
import { organisationNames } from "../ledger/repository";
import { loadPlatformKey } from "../platform/key";

/* The log as a whole: its size and last checkpoint, an organisation's history, the key checkpoints are signed with. */

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

/**
 * What came in and went out: ledger entries signed by the organisation or touching its claims.
 * An entry the organisation signed names the person whose key signed it and the key's role
 * (another organisation's people are not named).
 */
/** The most entries one page of ledger.history carries. */
export const HISTORY_PAGE_MAX = 100;

/** The organisation's latest log entries, newest first: `limit` of them, before leaf `before` when given (the next page's cursor is the last entry's leafIndex). */
export async function history(db: Db, actor: Actor, limit = 50, before?: number) {
  const own = await db.select({ id: claims.id }).from(claims).where(or(eq(claims.holderOrgId, actor.orgId), eq(claims.offeredToOrgId, actor.orgId)));
  const ids = own.map((c) => c.id);
  const touching = ids.length ? arrayOverlaps(ledgerEntries.claimIds, ids) : sql`false`;
  const rows = await db
    .select({
      leafIndex: ledgerEntries.leafIndex,
      txId: ledgerEntries.txId,
      type: ledgerEntries.type,
      signerOrgId: ledgerEntries.signerOrgId,
      acceptedAtMs: ledgerEntries.acceptedAtMs,
      claimIds: ledgerEntries.claimIds,
      signerRole: signingKeys.role,
      signerPerson: users.name,
    })
    .from(ledgerEntries)
    .leftJoin(signingKeys, eq(signingKeys.keyId, ledgerEntries.signerKeyId))
    .leftJoin(users, and(eq(users.id, signingKeys.holderUserId), eq(users.orgId, actor.orgId)))
    .where(and(or(eq(ledgerEntries.signerOrgId, actor.orgId), touching), before === undefined ? undefined : lt(ledgerEntries.leafIndex, before)))
    .orderBy(desc(ledgerEntries.leafIndex))
    .limit(limit);
  const names = await organisationNames(db);
  return rows.map(({ signerRole, signerPerson, ...r }) => {
    const outgoing = r.signerOrgId === actor.orgId;
    return {
      ...r,
      signerName: names.get(r.signerOrgId) ?? r.signerOrgId,
      outgoing,
      signedBy: outgoing && signerPerson !== null && signerRole !== null ? { person: signerPerson, role: signerRole as KeyRole } : null,
    };
  });
}

/** The operator's public key that checkpoints are signed with: the anchor of every verification. */
export async function operatorKey(db: Db) {
  const key = await loadPlatformKey(db);
  return { keyId: key.keyId, publicKeyHex: key.publicKeyHex };
}
