"use client";

import Link from "next/link";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Alert, Button, Field, inputClass } from "../_components/ui";

const MESSAGES: Record<string, string> = {
  CredentialsSignin: "Wrong email or password. Check both and try again.",
  RateLimited: "Too many sign-in attempts. Wait 15 minutes and try again.",
  DatabaseUnavailable: "The ledger is unavailable; nothing was changed. Try again in a moment.",
  SignInFailed: "Sign-in failed on our side. Try again in a moment.",
};

const GENERIC = "Sign-in failed. Try again in a moment.";

/** The message for a sign-in error code; anything not in the table gets the generic text, never the code itself. */
function signInMessage(code: string | null | undefined): string | null {
  if (!code) return null;
  return Object.hasOwn(MESSAGES, code) ? MESSAGES[code]! : GENERIC;
}

export function SignInForm({ errorCode }: { errorCode?: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(signInMessage(errorCode));
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    const result = await signIn("credentials", { email: String(form.get("email")), password: String(form.get("password")), redirect: false });
    setBusy(false);
    if (!result || result.error) {
      setError(signInMessage(result?.error ?? "unknown"));
      return;
    }
    router.replace("/dashboard");
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} className="space-y-5" noValidate>
      {error ? <Alert>{error}</Alert> : null}
      <Field label="Work email" htmlFor="email">
        <input id="email" name="email" type="email" autoComplete="username" required className={inputClass} autoFocus />
      </Field>
      <Field label="Password" htmlFor="password">
        <input id="password" name="password" type="password" autoComplete="current-password" required className={inputClass} />
      </Field>
      <Button type="submit" className="w-full" disabled={busy}>
        {busy ? "Signing in…" : "Sign in"}
      </Button>
      <p className="text-center text-sm text-slate-500">
        New organisation?{" "}
        <Link href="/apply" className="font-medium text-brand-600 hover:underline">
          Apply to join
        </Link>
      </p>
    </form>
  );
}
