import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { claims, voucherShares } from "@/db/schema";
import type { ProvenanceBundle } from "@/contracts/provenance";
import { notFound } from "../errors";
import { tokenHashOf } from "../ids";
import { buildProvenanceBundle, type ProvenanceStore } from "../ledger/provenance";

/*
 * What a share link opens (issue 15): the claim's provenance bundle, built now, at the last
 * checkpoint, and nothing else the server could vouch for: the visitor's browser verifies the
 * bundle against the published trust policy, fetched separately (/trust-policy.json), and reads
 * holder, amount, maturity and status from the verified state, never from this answer.
 *
 * A share opens the claim's bundle only while it is live: not revoked, and the claim still
 * held by the organisation that shared it (a claim financed or passed on since is no longer
 * that holder's to show, and its new holder never agreed to be shown), and not split (a split
 * claim stands only as its pieces, some of them another's; each piece is shared on its own). Every refusal is a
 * not-found with its own code, so the page can say which.
 */

/** 256 bits as base64url: 43 characters. Anything else is not a token we gave out. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface SharedVoucher {
  claimId: string;
  sharedAtMs: number;
  bundle: ProvenanceBundle;
}

export async function sharedVoucher(db: Db, subtrees: ProvenanceStore, token: string): Promise<SharedVoucher> {
  const unknown = () => notFound("voucher_share_not_found", "This share link does not exist. Check that it was copied whole.");
  if (!TOKEN_PATTERN.test(token)) throw unknown();
  const [share] = await db.select().from(voucherShares).where(eq(voucherShares.tokenHash, tokenHashOf(token)));
  if (!share) throw unknown();
  if (share.revokedAtMs !== null) throw notFound("voucher_share_revoked", "The holder has revoked this share link.");
  const [claim] = await db.select({ holderOrgId: claims.holderOrgId, state: claims.state }).from(claims).where(eq(claims.id, share.claimId));
  if (!claim || claim.holderOrgId !== share.orgId || claim.state === "split") {
    throw notFound("voucher_share_lapsed", "The claim is no longer held as it was shared (passed on, financed or split into pieces), so this link shows nothing more.");
  }
  return { claimId: share.claimId, sharedAtMs: share.createdAtMs, bundle: await buildProvenanceBundle(db, share.claimId, subtrees) };
}
