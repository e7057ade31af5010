"use client";

import Link from "next/link";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTranslations } from "next-intl";
import { useTRPC } from "../../_trpc/client";
import { Alert, Button, Field, inputClass } from "../../_components/ui";
import { useErrorMessage } from "../../_lib/errors";

export function AcceptInviteForm({ token }: { token: string }) {
  const t = useTranslations("invite");
  const errorMessage = useErrorMessage();
  const trpc = useTRPC();
  const invite = useQuery(trpc.auth.describeInvite.queryOptions({ token }, { retry: false }));
  const accept = useMutation(trpc.auth.acceptInvite.mutationOptions());
  const [password, setPassword] = useState("");

  if (invite.isPending) return <p className="text-sm text-slate-500">{t("checking")}</p>;
  if (invite.error) return <Alert>{errorMessage(invite.error)}</Alert>;
  if (accept.isSuccess) {
    return (
      <div className="space-y-4">
        <Alert tone="green">{t("active", { email: accept.data.email })}</Alert>
        <Link href="/signin" className="text-sm font-medium text-brand-600 hover:underline">
          {t("toSignIn")}
        </Link>
      </div>
    );
  }
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    accept.mutate({ token, password });
  };
  return (
    <form onSubmit={onSubmit} className="space-y-4">
      <p className="text-sm text-slate-600">
        {t.rich("invited", { name: invite.data.name, org: invite.data.orgName, email: invite.data.email, strong: (chunks) => <strong>{chunks}</strong> })}
      </p>
      {accept.error ? <Alert>{errorMessage(accept.error)}</Alert> : null}
      <Field label={t("password")} htmlFor="password" hint={t("passwordHint")}>
        <input id="password" type="password" className={inputClass} value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />
      </Field>
      <Button type="submit" disabled={accept.isPending} className="w-full">
        {t("activate")}
      </Button>
    </form>
  );
}
