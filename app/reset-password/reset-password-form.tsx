"use client";

import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState, type FormEvent } from "react";
import { useTRPC } from "../_trpc/client";
import { NewPasswordForm, PasswordSet } from "../_components/new-password-form";
import { Alert, Button, Field, inputClass } from "../_components/ui";
import { useErrorMessage } from "../_lib/errors";

export function RequestResetForm() {
  const t = useTranslations("passwordReset");
  const errorMessage = useErrorMessage();
  const trpc = useTRPC();
  const request = useMutation(trpc.auth.requestPasswordReset.mutationOptions());
  const [email, setEmail] = useState("");

  if (request.isSuccess) return <Alert tone="green">{t("requested", { email })}</Alert>;
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    request.mutate({ email });
  };
  return (
    <form onSubmit={onSubmit} className="space-y-4">
      {request.error ? <Alert>{errorMessage(request.error)}</Alert> : null}
      <Field label={t("email")} htmlFor="email">
        <input id="email" type="email" autoComplete="username" required className={inputClass} value={email} onChange={(e) => setEmail(e.target.value)} />
      </Field>
      <Button type="submit" disabled={request.isPending} className="w-full">
        {t("send")}
      </Button>
    </form>
  );
}

export function ResetPasswordForm({ token }: { token: string }) {
  const t = useTranslations("passwordReset");
  const errorMessage = useErrorMessage();
  const trpc = useTRPC();
  const reset = useMutation(trpc.auth.resetPassword.mutationOptions());

  if (reset.isSuccess) return <PasswordSet message={t("done", { email: reset.data.email })} signInLabel={t("toSignIn")} />;
  return (
    <NewPasswordForm
      label={t("newPassword")}
      submitLabel={t("save")}
      pending={reset.isPending}
      serverError={reset.error ? errorMessage(reset.error) : null}
      onSubmit={(password) => reset.mutate({ token, password })}
    />
  );
}
