import { z } from "zod";
import { claimIdSchema } from "@/contracts/ledger/schema";
import { revokeVoucherShare, shareVoucher } from "../../commands/voucher-shares";
import { voucherFor, voucherSharesFor } from "../../read/voucher";
import { loadVisibleClaim } from "../../read/visibility";
import { orgProcedure, router } from "../init";

const shareIdSchema = z.string().regex(/^vs_[0-9a-f]{20}$/, "Not a share id.");

/** Issue 15: a claim's e-voucher, and the share links its holder gives out (server/commands/voucher-shares.ts). */
export const vouchersRouter = router({
  /** The voucher's facts, for whoever may see the claim. */
  voucher: orgProcedure
    .input(z.object({ claimId: claimIdSchema, shareToken: z.string().max(64).optional() }))
    .query(({ ctx, input }) => voucherFor(ctx.db, ctx.actor, input.claimId, input.shareToken ?? null)),
  /** The caller's organisation's shares of this claim's voucher. */
  shares: orgProcedure.input(z.object({ claimId: claimIdSchema })).query(({ ctx, input }) => voucherSharesFor(ctx.db, ctx.actor, input.claimId)),
  /** A new share link (its token is in this answer only); the holder's signing members. */
  share: orgProcedure
    .input(z.object({ claimId: claimIdSchema }))
    .mutation(async ({ ctx, input }) => shareVoucher(ctx.db, ctx.actor, await loadVisibleClaim(ctx.db, ctx.actor, input.claimId), ctx.runtime.clock())),
  revoke: orgProcedure.input(z.object({ shareId: shareIdSchema })).mutation(({ ctx, input }) => revokeVoucherShare(ctx.db, ctx.actor, input.shareId, ctx.runtime.clock())),
});
