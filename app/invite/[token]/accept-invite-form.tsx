"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useTRPC } from "../../_trpc/client";
import { Alert } from "../../_components/ui";
import { NewPasswordForm, PasswordSet } from "../../_components/new-password-form";
import { useErrorMessage } from "../../_lib/errors";

export function AcceptInviteForm({ token }: { token: string }) {
  const t = useTranslations("invite");
  const errorMessage = useErrorMessage();
  const trpc = useTRPC();
  const invite = useQuery(trpc.auth.describeInvite.queryOptions({ token }, { retry: false }));
  const accept = useMutation(trpc.auth.acceptInvite.mutationOptions());

  if (invite.isPending) return <p className="text-sm text-slate-500">{t("checking")}</p>;
  if (invite.error) return <Alert>{errorMessage(invite.error)}</Alert>;
  if (accept.isSuccess) return <PasswordSet message={t("active", { email: accept.data.email })} signInLabel={t("toSignIn")} />;
  return (
    <NewPasswordForm
      intro={
        <p className="text-sm text-slate-600">
          {t.rich("invited", { name: invite.data.name, org: invite.data.orgName, email: invite.data.email, strong: (chunks) => <strong>{chunks}</strong> })}
        </p>
      }
      label={t("password")}
      submitLabel={t("activate")}
      pending={accept.isPending}
      serverError={accept.error ? errorMessage(accept.error) : null}
      onSubmit={(password) => accept.mutate({ token, password })}
    />
  );
}
