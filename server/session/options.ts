import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseFailure, reportDatabaseFailure } from "@/db/availability";
import type { Db } from "@/db/client";
import type { Limiter } from "../auth/rate-limit";
import { serverEnv } from "../env";
import { authenticate } from "../auth/accounts";
import { authenticatePasskey } from "../auth/passkeys";
import type { AuthenticationResponseJSON } from "@simplewebauthn/server";
import { processRuntime } from "../runtime/process";

const credentialsSchema = z.object({ email: z.string().trim().email().max(254), password: z.string().min(1).max(200) });
/** The authenticator's answer to a sign-in challenge, as JSON text (@simplewebauthn/browser's AuthenticationResponseJSON). */
const passkeyAnswerSchema = z.object({ response: z.string().min(2).max(16_384) });

async function checkPasskey(db: Db, text: string, nowMs: number): Promise<{ id: string; email: string } | null> {
  let response: AuthenticationResponseJSON;
  try {
    response = JSON.parse(text) as AuthenticationResponseJSON;
  } catch {
    return null;
  }
  if (typeof response?.id !== "string" || typeof response.response?.clientDataJSON !== "string") return null;
  try {
    const user = await authenticatePasskey(db, response, nowMs);
    return user === null ? null : { id: user.userId, email: user.email };
  } catch (error) {
    if (isDatabaseFailure(error)) {
      reportDatabaseFailure(error);
      throw new Error("DatabaseUnavailable");
    }
    console.error(`[auth] passkey sign-in failed on our side: ${error instanceof Error ? error.name : typeof error}`);
    throw new Error("SignInFailed");
  }
}

export const SIGN_IN_ERRORS = {
  CredentialsSignin: "Wrong email or password. Check both and try again.",
  RateLimited: "Too many sign-in attempts. Wait 15 minutes and try again.",
  DatabaseUnavailable: DATABASE_UNAVAILABLE_MESSAGE,
  SignInFailed: "Sign-in failed on our side. Try again in a moment.",
} as const;

/**
 * next-auth puts the message of whatever authorize throws into the redirect URL
 * (/api/auth/error?error=<message>), so a failed query would put its SQL and the user's
 * email into the browser history and every proxy's log. authorize therefore only ever
 * throws one of the fixed codes above; what went wrong goes to the server log, by code.
 */
async function checkPassword(db: Db, signInLimiter: Limiter, email: string, password: string): Promise<{ id: string; email: string } | null> {
  // The limiter may itself live in the database (shared by the instances): its failure is the database's too.
  if (!(await signInLimiter.take(email).catch(signInUnavailable))) throw new Error("RateLimited");
  let result: Awaited<ReturnType<typeof authenticate>>;
  try {
    result = await authenticate(db, email, password);
  } catch (error) {
    // The database, not the person, failed: the attempt does not count against the account.
    // A shared limiter's refund needs the database too; if it is still away, the attempt stays
    // counted (one of ten), which is better than failing the answer.
    await signInLimiter.refund(email).catch(() => {});
    if (isDatabaseFailure(error)) {
      reportDatabaseFailure(error);
      throw new Error("DatabaseUnavailable");
    }
    // Name and code only: a failed query's message carries its parameters (the email).
    const code = (error as { code?: unknown } | null)?.code;
    console.error(`[auth] sign-in failed on our side: ${error instanceof Error ? error.name : typeof error}${typeof code === "string" ? ` [${code}]` : ""}`);
    throw new Error("SignInFailed");
  }
  if (!result) return null;
  await signInLimiter.reset(email).catch(() => {});
  return { id: result.userId, email };
}

/** The process's runtime could not be made (its database did not open): a fixed code, the failure logged by code. */
function signInUnavailable(error: unknown): never {
  if (isDatabaseFailure(error)) {
    reportDatabaseFailure(error);
    throw new Error("DatabaseUnavailable");
  }
  throw new Error("SignInFailed");
}

export function authOptions(): NextAuthOptions {
  return {
    secret: serverEnv().NEXTAUTH_SECRET,
    session: { strategy: "jwt", maxAge: 8 * 60 * 60 },
    // Errors land on the sign-in page (/signin?error=<fixed code>), never on next-auth's own page.
    pages: { signIn: "/signin", error: "/signin" },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(raw) {
          const parsed = credentialsSchema.safeParse(raw);
          if (!parsed.success) return null;
          const runtime = await processRuntime().catch(signInUnavailable);
          return checkPassword(runtime.db, runtime.limits.signIn, parsed.data.email.toLowerCase(), parsed.data.password);
        },
      }),
      // Signing in with a passkey: the answer to a challenge from auth.passkeySignInOptions,
      // taken once (server/auth/passkeys.ts). The challenge is the rate limit: one per answer.
      CredentialsProvider({
        id: "passkey",
        name: "Passkey",
        credentials: { response: { label: "Passkey answer", type: "text" } },
        async authorize(raw) {
          const parsed = passkeyAnswerSchema.safeParse(raw);
          if (!parsed.success) return null;
          const runtime = await processRuntime().catch(signInUnavailable);
          return checkPasskey(runtime.db, parsed.data.response, runtime.clock());
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user) token.sub = user.id;
        return token;
      },
      session({ session, token }) {
        return { ...session, userId: token.sub };
      },
    },
  };
}
