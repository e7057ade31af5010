import { z } from "zod";
import { PERMISSIONS } from "@/db/schema";
import { inviteUser, listUsers, updateUser } from "../../commands/users";
import { authedProcedure, router } from "../init";

export const usersRouter = router({
  list: authedProcedure.input(z.object({ orgId: z.string().min(1).max(64) })).query(({ ctx, input }) => listUsers(ctx.db, ctx.actor, input.orgId)),
  invite: authedProcedure
    .input(z.object({ orgId: z.string().min(1).max(64), email: z.string().trim().email().max(254), name: z.string().trim().min(1).max(120), permission: z.enum(PERMISSIONS) }))
    .mutation(({ ctx, input }) => inviteUser(ctx.db, ctx.actor, input, ctx.runtime.mail)),
  update: authedProcedure
    .input(z.object({ userId: z.string().min(1).max(64), permission: z.enum(PERMISSIONS).optional(), status: z.enum(["active", "disabled"]).optional(), revocations: z.array(z.unknown()).max(20).optional() }))
    .mutation(async ({ ctx, input }) => {
      const user = await updateUser(ctx.db, ctx.actor, input);
      // A disable's revocations committed beside the ledger's submit path: ask the witnesses now.
      if ((input.revocations ?? []).length > 0) ctx.runtime.cosigner.kick();
      return user;
    }),
});
