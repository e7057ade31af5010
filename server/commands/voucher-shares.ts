import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { voucherShares } from "@/db/schema";
import type { Actor } from "../actor";
import { canRevokeVoucherShare, canShareVoucher } from "../authz";
import { forbidden, notFound } from "../errors";
import { newId, newToken, tokenHashOf } from "../ids";

/*
 * A holder shares a claim's voucher (issue 15): a link /verify/<token> that anyone can open,
 * without an account, to check the claim's provenance in their own browser. The token (256
 * random bits) is returned once; only its SHA-256 is stored. The organisation that made a
 * share revokes it; a revoked share, or one whose claim has left the organisation that shared
 * it, opens nothing (server/read/shared-voucher.ts).
 */

export interface CreatedShare {
  id: string;
  /** The bearer token of the link, shown once: it is not kept. */
  token: string;
  createdAtMs: number;
}

/**
 * Shares a claim's voucher. `claim` is the claim as the caller may see it (loadVisibleClaim: whoever
 * cannot see it was already told it does not exist); of those, only the holder's members who sign share.
 */
export async function shareVoucher(db: Db, actor: Actor, claim: { id: string; holderOrgId: string }, nowMs: number): Promise<CreatedShare> {
  if (!canShareVoucher(actor, claim)) throw forbidden("voucher_share_not_holder", "Only the claim's holder can share its voucher.");
  const claimId = claim.id;
  const token = newToken();
  const share = { id: newId("vs"), tokenHash: tokenHashOf(token), claimId, orgId: actor.orgId, createdByUserId: actor.userId, createdAtMs: nowMs };
  await db.insert(voucherShares).values(share);
  return { id: share.id, token, createdAtMs: nowMs };
}

/** Revokes a share the caller's organisation made; any other share is "not found". Revoking twice keeps the first time. */
export async function revokeVoucherShare(db: Db, actor: Actor, shareId: string, nowMs: number): Promise<{ id: string; revokedAtMs: number }> {
  const [share] = await db.select().from(voucherShares).where(eq(voucherShares.id, shareId));
  if (!share || share.orgId !== actor.orgId) throw notFound("voucher_share_not_found", "No such share.");
  if (!canRevokeVoucherShare(actor, share)) throw forbidden("not_allowed", "Viewers cannot revoke a share.");
  const [revoked] = await db
    .update(voucherShares)
    .set({ revokedAtMs: nowMs })
    .where(and(eq(voucherShares.id, shareId), isNull(voucherShares.revokedAtMs)))
    .returning({ revokedAtMs: voucherShares.revokedAtMs });
  return { id: shareId, revokedAtMs: revoked?.revokedAtMs ?? share.revokedAtMs ?? nowMs };
}
