import { and, asc, desc, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { checkpointCosignatures, claims, ledgerCheckpoints, voucherShares } from "@/db/schema";
import { outstandingMinor } from "@/contracts/ledger/claims";
import type { ClaimDocuments, ClaimState } from "@/contracts/ledger/types";
import { parseNote } from "@/contracts/note";
import { checkpointTextHash } from "@/contracts/trust-policy";
import type { Actor } from "../actor";
import { canShareVoucher } from "../authz";
import { tokenHashOf } from "../ids";
import { organisationNames } from "../ledger/repository";
import { loadVisibleClaim } from "./visibility";

/*
 * The e-voucher (电子债权凭证) of one claim (issue 15): what the printable page and the PDF
 * show. Whoever may see the claim (canSeeClaim: its holder, its lineage's parties, auditors)
 * may see its voucher; the facts are the claim's row, the issuance's trade documents and the
 * last checkpoint with the witnesses that cosigned it. The voucher itself proves nothing: its
 * QR code leads to /verify, where the claim's bundle is checked in the reader's own browser.
 */

export interface VoucherCheckpoint {
  size: number;
  rootHashHex: string;
  /** SHA-256 of the checkpoint note's text: what the verify page and a lender's desk name it by. */
  checkpointHash: string;
  timestampMs: number;
  /** The witnesses whose cosignatures of this checkpoint were verified and stored, by name. */
  cosigners: string[];
}

export interface Voucher {
  claimId: string;
  rootId: string;
  parentId: string | null;
  tier: number;
  state: ClaimState;
  amountMinor: bigint;
  outstandingMinor: bigint;
  currency: string;
  maturityDate: string;
  issuer: { orgId: string; name: string };
  holder: { orgId: string; name: string };
  /** The trade documents of the issuance (the root's), as SHA-256 hashes. */
  documents: ClaimDocuments | null;
  /** The transaction that created this piece. */
  txId: string;
  checkpoint: VoucherCheckpoint | null;
  /** Whether the caller may share this voucher (the holder's members who sign). */
  canShare: boolean;
  /** Whether the share token the caller brought names a live share of this claim (its link then goes in the QR code). */
  shareLive: boolean;
}

export async function voucherFor(db: Db, actor: Actor, claimId: string, shareToken: string | null = null): Promise<Voucher> {
  const claim = await loadVisibleClaim(db, actor, claimId);
  const [root] = claim.parentId === null ? [{ documents: claim.documents }] : await db.select({ documents: claims.documents }).from(claims).where(eq(claims.id, claim.rootId));
  const names = await organisationNames(db, [claim.issuerOrgId, claim.holderOrgId]);
  return {
    claimId: claim.id,
    rootId: claim.rootId,
    parentId: claim.parentId,
    tier: claim.depth,
    state: claim.state,
    amountMinor: claim.amountMinor,
    outstandingMinor: outstandingMinor(claim),
    currency: claim.currency,
    maturityDate: claim.maturityDate,
    issuer: { orgId: claim.issuerOrgId, name: names.get(claim.issuerOrgId) ?? claim.issuerOrgId },
    holder: { orgId: claim.holderOrgId, name: names.get(claim.holderOrgId) ?? claim.holderOrgId },
    documents: root?.documents ?? null,
    txId: claim.createdTxId,
    checkpoint: await lastCheckpoint(db),
    canShare: canShareVoucher(actor, claim),
    shareLive: shareToken !== null && (await isLiveShareOf(db, claim.id, tokenHashOf(shareToken))),
  };
}

/** The last checkpoint with a signed note, and the witnesses that cosigned it so far. */
async function lastCheckpoint(db: Db): Promise<VoucherCheckpoint | null> {
  const [last] = await db.select().from(ledgerCheckpoints).orderBy(desc(ledgerCheckpoints.size)).limit(1);
  if (!last || last.note === null) return null;
  const note = parseNote(last.note);
  const cosigners = await db.select({ name: checkpointCosignatures.witnessName }).from(checkpointCosignatures).where(eq(checkpointCosignatures.size, last.size)).orderBy(asc(checkpointCosignatures.witnessName));
  return {
    size: last.size,
    rootHashHex: last.rootHash,
    checkpointHash: note.ok ? checkpointTextHash(note.note.text) : "",
    timestampMs: last.timestampMs,
    cosigners: cosigners.map((row) => row.name),
  };
}

export interface VoucherShareView {
  id: string;
  createdAtMs: number;
  revokedAtMs: number | null;
}

/** The shares of a claim's voucher the caller's organisation made (never another's). */
export async function voucherSharesFor(db: Db, actor: Actor, claimId: string): Promise<VoucherShareView[]> {
  await loadVisibleClaim(db, actor, claimId);
  return db
    .select({ id: voucherShares.id, createdAtMs: voucherShares.createdAtMs, revokedAtMs: voucherShares.revokedAtMs })
    .from(voucherShares)
    .where(and(eq(voucherShares.claimId, claimId), eq(voucherShares.orgId, actor.orgId)))
    .orderBy(desc(voucherShares.createdAtMs));
}

/** Whether `tokenHash` names a live share of this claim (the voucher page puts its link in the QR code). */
export async function isLiveShareOf(db: Db, claimId: string, tokenHash: string): Promise<boolean> {
  const [row] = await db
    .select({ id: voucherShares.id })
    .from(voucherShares)
    .where(and(eq(voucherShares.tokenHash, tokenHash), eq(voucherShares.claimId, claimId), isNull(voucherShares.revokedAtMs)));
  return row !== undefined;
}
