import { z } from "zod";
import { claimIdSchema, financingIdSchema } from "@/contracts/ledger/schema";
import { lendersForClaim, listFinancings, listPledges } from "../../read/financing";
import { listPolicies, policyActivity, policyOffersForClaim, policyTargets } from "../../read/policies";
import { orgProcedure, router } from "../init";

export const financingRouter = router({
  lendersForClaim: orgProcedure.input(z.object({ claimId: claimIdSchema })).query(({ ctx, input }) => lendersForClaim(ctx.db, ctx.actor, input.claimId)),
  pledges: orgProcedure.query(({ ctx }) => listPledges(ctx.db, ctx.actor)),
  list: orgProcedure.query(({ ctx }) => listFinancings(ctx.db, ctx.actor)),
  /** Auto-financing policies the caller may see (its own, as a lender). */
  policies: orgProcedure.query(({ ctx }) => listPolicies(ctx.db, ctx.actor)),
  /** Core enterprises a lender may set a policy for. */
  policyTargets: orgProcedure.query(({ ctx }) => policyTargets(ctx.db, ctx.actor)),
  /** What the lender's policies financed. */
  policyActivity: orgProcedure.query(({ ctx }) => policyActivity(ctx.db, ctx.actor)),
  /** Instant offers under lenders' policies for a claim the caller holds, priced for today. */
  policyOffers: orgProcedure.input(z.object({ claimId: claimIdSchema })).query(({ ctx, input }) => policyOffersForClaim(ctx.db, ctx.actor, input.claimId)),
  get: orgProcedure.input(z.object({ financingId: financingIdSchema })).query(async ({ ctx, input }) => (await listFinancings(ctx.db, ctx.actor, input))[0] ?? null),
});
