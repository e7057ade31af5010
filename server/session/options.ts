import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { serverEnv } from "../env";
import { authenticate } from "../auth/accounts";
import { processRuntime } from "../runtime/process";

const credentialsSchema = z.object({ email: z.string().trim().email().max(254), password: z.string().min(1).max(200) });

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
          // The sign-in page shows the text for this error name (app/signin/sign-in-form.tsx).
          if (!runtime.limits.signIn.take(email)) throw new Error("RateLimited");
          const result = await authenticate(runtime.db, email, parsed.data.password);
          if (!result) return null;
          runtime.limits.signIn.reset(email);
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
