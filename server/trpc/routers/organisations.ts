import { z } from "zod";
import { ORGANISATION_ROLES } from "@/contracts/ledger/types";
import { ORG_STATUSES } from "@/db/schema";
import { getOrganisation, listDirectory, listOrganisations, reviewOrganisation } from "../../commands/organisations";
import { authedProcedure, orgProcedure, router } from "../init";

const orgId = z.string().min(1).max(64);

export const organisationsRouter = router({
  list: orgProcedure.input(z.object({ status: z.enum(ORG_STATUSES).optional() }).default({})).query(({ ctx, input }) => listOrganisations(ctx.db, ctx.actor, input)),
  directory: orgProcedure.input(z.object({ role: z.enum(ORGANISATION_ROLES).optional() }).default({})).query(({ ctx, input }) => listDirectory(ctx.db, ctx.actor, input)),
  get: authedProcedure.input(z.object({ orgId })).query(({ ctx, input }) => getOrganisation(ctx.db, ctx.actor, input.orgId)),
  review: orgProcedure
    .input(z.object({ orgId, decision: z.enum(["approved", "rejected"]), note: z.string().trim().max(500).optional(), registrationNumber: z.string().trim().max(40).optional() }))
    .mutation(({ ctx, input }) => reviewOrganisation(ctx.db, ctx.actor, input)),
});
