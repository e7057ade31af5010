"use client";

import Link from "next/link";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useState, type FormEvent } from "react";
import { Alert, Button, Field, inputClass } from "../_components/ui";

/** next-auth's error names that have words of their own in the catalogue (signin.errors). */
const KNOWN_ERRORS = new Set(["CredentialsSignin", "RateLimited"]);

export function SignInForm() {
  const t = useTranslations("signin");
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    const result = await signIn("credentials", { email: String(form.get("email")), password: String(form.get("password")), redirect: false });
    setBusy(false);
    if (!result || result.error) {
      setError(t(`errors.${KNOWN_ERRORS.has(result?.error ?? "") ? (result?.error as string) : "failed"}`));
      return;
    }
    router.replace("/dashboard");
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} className="space-y-5" noValidate>
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
      <p className="text-center text-sm text-slate-500">
        {t("newOrganisation")}{" "}
        <Link href="/apply" className="font-medium text-brand-600 hover:underline">
          {t("apply")}
        </Link>
      </p>
    </form>
  );
}
