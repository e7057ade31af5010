import { z } from "zod";
import { ORGANISATION_ROLES } from "@/contracts/ledger/types";
import { acceptInvite, describeInvite } from "../../commands/users";
import { requestPasswordReset, resetPassword } from "../../commands/password-reset";
import { applyForOnboarding } from "../../commands/organisations";
import { checkUscc } from "@/contracts/uscc";
import { authedProcedure, publicProcedure, router } from "../init";

export const passwordSchema = z
  .string()
  .min(10, "Use at least 10 characters.")
  .max(200, "Use at most 200 characters.");

const applicationSchema = z.object({
  organisationName: z.string().trim().min(2).max(120),
  role: z.enum(ORGANISATION_ROLES.filter((r) => r !== "operator") as ["core_enterprise", "supplier", "lender", "auditor"]),
  city: z.string().trim().max(80).default(""),
  // Optional at application; when given, it must be a real unified social credit code (GB 32100 check character).
  registrationNumber: z
    .string()
    .trim()
    .max(40)
    .default("")
    .refine((code) => code === "" || checkUscc(code).ok, "Enter the 18-character unified social credit code exactly as on the business licence: its check character does not match.")
    .transform((code) => (code === "" ? code : code.toUpperCase())),
  adminName: z.string().trim().min(1).max(120),
  adminEmail: z.string().trim().email().max(254),
  adminPassword: passwordSchema,
});

export const authRouter = router({
  me: authedProcedure.query(({ ctx }) => ctx.actor),
  applyToJoin: publicProcedure.input(applicationSchema).mutation(({ ctx, input }) => applyForOnboarding(ctx.db, input)),
  describeInvite: publicProcedure.input(z.object({ token: z.string().min(10).max(200) })).query(({ ctx, input }) => describeInvite(ctx.db, input.token)),
  acceptInvite: publicProcedure
    .input(z.object({ token: z.string().min(10).max(200), password: passwordSchema }))
    .mutation(({ ctx, input }) => acceptInvite(ctx.db, input)),
  /** Always the same answer, whether or not the address has an account. */
  requestPasswordReset: publicProcedure
    .input(z.object({ email: z.string().trim().email().max(254) }))
    .mutation(async ({ ctx, input }) => {
      await requestPasswordReset(ctx.db, ctx.runtime.mail, input.email, ctx.runtime.clock());
      return { requested: true as const };
    }),
  resetPassword: publicProcedure
    .input(z.object({ token: z.string().min(10).max(200), password: passwordSchema }))
    .mutation(({ ctx, input }) => resetPassword(ctx.db, input, ctx.runtime.clock())),
});
