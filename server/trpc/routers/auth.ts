import { z } from "zod";
import { ORGANISATION_ROLES } from "@/contracts/ledger/types";
import { acceptInvite, describeInvite } from "../../commands/users";
import { requestPasswordReset, resetPassword } from "../../commands/password-reset";
import { applyForOnboarding } from "../../commands/organisations";
import { checkUscc } from "@/contracts/uscc";
import { authedProcedure, publicProcedure, router } from "../init";
import { mySignInPasskeys, passkeyRegistrationOptions, passkeySignInOptions, registerPasskey, removeSignInPasskey, renameSignInPasskey } from "../../auth/passkeys";
import { PASSKEY_NAME_MAX_LENGTH } from "@/db/enums";
import type { RegistrationResponseJSON } from "@simplewebauthn/server";

const base64url = z.string().regex(/^[A-Za-z0-9_-]+$/).max(16_384);

/** A registration answer as @simplewebauthn/browser sends it; @simplewebauthn/server checks the rest. */
const registrationShape = z
  .object({
    id: base64url,
    rawId: base64url,
    type: z.literal("public-key"),
    response: z.object({ clientDataJSON: base64url, attestationObject: base64url }).passthrough(),
    clientExtensionResults: z.record(z.string(), z.unknown()),
  })
  .passthrough();
const registrationResponseSchema = z.custom<RegistrationResponseJSON>((value) => registrationShape.safeParse(value).success, "not a passkey registration answer");

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
  /** A fresh, single-use challenge for signing in with a passkey. */
  passkeySignInOptions: publicProcedure.mutation(({ ctx }) => passkeySignInOptions(ctx.db, ctx.runtime.limits.passkeySignIn, ctx.clientAddress ?? "unknown", ctx.runtime.clock())),
  /** A fresh, single-use challenge for making a passkey (sign-in, and a ledger signing key). */
  passkeyRegistrationOptions: authedProcedure.mutation(({ ctx }) => passkeyRegistrationOptions(ctx.db, ctx.actor, ctx.runtime.clock())),
  registerPasskey: authedProcedure.input(z.object({ response: registrationResponseSchema })).mutation(({ ctx, input }) => registerPasskey(ctx.db, ctx.actor, input.response, ctx.runtime.clock())),
  /** The signed-in person's own sign-in passkeys (settings page). */
  myPasskeys: authedProcedure.query(({ ctx }) => mySignInPasskeys(ctx.db, ctx.actor)),
  renamePasskey: authedProcedure
    .input(z.object({ credentialId: base64url.max(1024), name: z.string().trim().min(1).max(PASSKEY_NAME_MAX_LENGTH) }))
    .mutation(({ ctx, input }) => renameSignInPasskey(ctx.db, ctx.actor, input)),
  removePasskey: authedProcedure.input(z.object({ credentialId: base64url.max(1024) })).mutation(({ ctx, input }) => removeSignInPasskey(ctx.db, ctx.actor, input)),
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
