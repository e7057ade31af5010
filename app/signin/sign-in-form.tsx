"use client";

import Link from "next/link";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useState, type FormEvent } from "react";
import { useMutation } from "@tanstack/react-query";
import { Alert, Button, Field, inputClass } from "../_components/ui";
import { errorMessage } from "../_lib/errors";
import { passkeySignInAnswer } from "../_lib/passkeys";
import { useTRPC } from "../_trpc/client";

/** The sign-in error codes (server/session/options.ts SIGN_IN_ERRORS), each with words in the catalogue (signin.errors). */
const KNOWN_ERRORS = ["CredentialsSignin", "RateLimited", "DatabaseUnavailable", "SignInFailed"] as const;
type KnownError = (typeof KNOWN_ERRORS)[number];

function isKnownError(code: string): code is KnownError {
  return (KNOWN_ERRORS as readonly string[]).includes(code);
}

export function SignInForm({ errorCode }: { errorCode?: string }) {
  const t = useTranslations("signin");
  /** The message for a sign-in error code; anything not in the table gets the generic text, never the code itself. */
  const signInMessage = (code: string | null | undefined): string | null => (code ? t(`errors.${isKnownError(code) ? code : "failed"}`) : null);
  const router = useRouter();
  const [error, setError] = useState<string | null>(signInMessage(errorCode));
  const [busy, setBusy] = useState(false);
  const trpc = useTRPC();
  const tAll = useTranslations();
  const passkeyOptions = useMutation(trpc.auth.passkeySignInOptions.mutationOptions());

  /** Signs in with a passkey: the server's single-use challenge, answered by the authenticator, checked by next-auth's "passkey" provider. */
  async function signInWithPasskey() {
    setBusy(true);
    setError(null);
    try {
      const response = await passkeySignInAnswer(await passkeyOptions.mutateAsync());
      const result = await signIn("passkey", { response, redirect: false });
      if (!result || result.error) {
        setError(result?.error === "CredentialsSignin" ? t("passkeyRefused") : signInMessage(result?.error ?? "unknown"));
        return;
      }
      router.replace("/dashboard");
      router.refresh();
    } catch (failure) {
      setError(errorMessage(failure, tAll));
    } finally {
      setBusy(false);
    }
  }

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
    // method="post": before the page is interactive the browser submits the form itself, and a
    // GET would put the password in the address bar, the history and the server's logs.
    <form method="post" action="/signin" onSubmit={onSubmit} className="space-y-5" noValidate>
      {error ? <Alert>{error}</Alert> : null}
      <Field label={t("email")} htmlFor="email">
        <input id="email" name="email" type="email" autoComplete="username" required className={inputClass} autoFocus />
      </Field>
      <Field label={t("password")} htmlFor="password">
        <input id="password" name="password" type="password" autoComplete="current-password" required className={inputClass} />
      </Field>
      <Button type="submit" className="w-full" disabled={busy}>
        {busy ? t("submitting") : t("submit")}
      </Button>
      <Button type="button" variant="secondary" className="w-full" disabled={busy} onClick={() => void signInWithPasskey()}>
        {t("passkey")}
      </Button>
      <p className="text-center text-sm">
        <Link href="/reset-password" className="font-medium text-brand-600 hover:underline">
          {t("forgotPassword")}
        </Link>
      </p>
      <p className="text-center text-sm text-slate-500">
        {t("newOrganisation")}{" "}
        <Link href="/apply" className="font-medium text-brand-600 hover:underline">
          {t("apply")}
        </Link>
      </p>
    </form>
  );
}
