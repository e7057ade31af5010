"use client";

import Link from "next/link";
import { useTranslations } from "next-intl";
import { useState, type FormEvent, type ReactNode } from "react";
import { Alert, Button, Field, inputClass } from "./ui";

/** The server's rule (server/trpc/routers/auth.ts passwordSchema), checked here first so the reason sits by the field. */
export const PASSWORD_MIN_CHARACTERS = 10;
export const PASSWORD_MAX_CHARACTERS = 200;

/**
 * A form that asks for one new password (accepting an invitation, resetting a forgotten
 * one): the length rule is checked by the field before anything is sent, and a refusal by
 * the server (an invitation already used, a link that lapsed) shows above the field.
 */
export function NewPasswordForm({
  intro,
  label,
  submitLabel,
  pending,
  serverError,
  onSubmit,
}: {
  intro?: ReactNode;
  label: string;
  submitLabel: string;
  pending: boolean;
  serverError: string | null;
  onSubmit: (password: string) => void;
}) {
  const t = useTranslations("common");
  const [password, setPassword] = useState("");
  const [tried, setTried] = useState(false);
  const length = [...password].length;
  const problem = length < PASSWORD_MIN_CHARACTERS ? t("passwordTooShort", { min: PASSWORD_MIN_CHARACTERS }) : length > PASSWORD_MAX_CHARACTERS ? t("passwordTooLong", { max: PASSWORD_MAX_CHARACTERS }) : null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (problem === null) onSubmit(password);
  };
  const shown = tried ? (problem ?? undefined) : undefined;
  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      {intro}
      {serverError ? <Alert>{serverError}</Alert> : null}
      <Field label={label} htmlFor="password" hint={t("passwordHint", { min: PASSWORD_MIN_CHARACTERS })} error={shown}>
        <input
          id="password"
          type="password"
          className={inputClass}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="new-password"
          aria-invalid={shown ? true : undefined}
          aria-describedby={shown ? "password-error" : undefined}
        />
      </Field>
      <Button type="submit" disabled={pending} className="w-full">
        {submitLabel}
      </Button>
    </form>
  );
}

/** What both forms show once the password is set: the outcome, and the way to sign in with it. */
export function PasswordSet({ message, signInLabel }: { message: string; signInLabel: string }) {
  return (
    <div className="space-y-4">
      <Alert tone="green">{message}</Alert>
      <Link href="/signin" className="text-sm font-medium text-brand-600 hover:underline">
        {signInLabel}
      </Link>
    </div>
  );
}
