import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { serverEnv } from "../env";
import { authenticate } from "../auth/accounts";
import { processRuntime } from "../runtime/process";

const credentialsSchema = z.object({ email: z.string().trim().email().max(254), password: z.string().min(1).max(200) });

export const SIGN_IN_ERRORS = {
  CredentialsSignin: "Wrong email or password. Check both and try again.",
  RateLimited: "Too many sign-in attempts. Wait 15 minutes and try again.",
} as const;

export function authOptions(): NextAuthOptions {
  return {
    secret: serverEnv().NEXTAUTH_SECRET,
    session: { strategy: "jwt", maxAge: 8 * 60 * 60 },
    pages: { signIn: "/signin" },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(raw) {
          const parsed = credentialsSchema.safeParse(raw);
          if (!parsed.success) return null;
          const email = parsed.data.email.toLowerCase();
          const runtime = await processRuntime();
          if (!(await runtime.limits.signIn.take(email))) throw new Error("RateLimited");
          const result = await authenticate(runtime.db, email, parsed.data.password);
          if (!result) return null;
          await runtime.limits.signIn.reset(email);
          return { id: result.userId, email };
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
