import { z } from "zod";
import { claimIdSchema, financingIdSchema } from "@/contracts/ledger/schema";
import { lendersForClaim, listFinancings, listPledges } from "../../services/financing";
import { orgProcedure, router } from "../init";

export const financingRouter = router({
  lendersForClaim: orgProcedure.input(z.object({ claimId: claimIdSchema })).query(({ ctx, input }) => lendersForClaim(ctx.db, ctx.actor, input.claimId)),
  pledges: orgProcedure.query(({ ctx }) => listPledges(ctx.db, ctx.actor)),
  list: orgProcedure.query(({ ctx }) => listFinancings(ctx.db, ctx.actor)),
  get: orgProcedure.input(z.object({ financingId: financingIdSchema })).query(async ({ ctx, input }) => (await listFinancings(ctx.db, ctx.actor, input))[0] ?? null),
});
