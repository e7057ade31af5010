"use client";

import Link from "next/link";
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { PASSKEY_NAME_MAX_LENGTH } from "@/db/enums";
import { useTRPC } from "../../../_trpc/client";
import { Alert, Button, EmptyState, inputClass } from "../../../_components/ui";
import { Skeleton } from "../../../_components/status-page";
import { errorMessage } from "../../../_lib/errors";
import { useFormatters } from "../../../_lib/use-formatters";

interface Passkey {
  credentialId: string;
  name: string | null;
  createdAtMs: number;
  lastUsedAtMs: number | null;
}

/** The person's sign-in passkeys: name, when made, when last used; rename in place, remove after a confirmation. */
export function SignInPasskeys() {
  const t = useTranslations();
  const trpc = useTRPC();
  const passkeys = useQuery(trpc.auth.myPasskeys.queryOptions());
  if (passkeys.error) return <Alert>{errorMessage(passkeys.error, t)}</Alert>;
  if (!passkeys.data) return <Skeleton label={t("signInSettings.loading")} rows={2} />;
  if (passkeys.data.length === 0) {
    return (
      <EmptyState title={t("signInSettings.none")}>
        {t.rich("signInSettings.noneBody", {
          link: (chunks) => (
            <Link href="/keys" className="font-medium text-brand-700 underline">
              {chunks}
            </Link>
          ),
        })}
      </EmptyState>
    );
  }
  return (
    <ul className="divide-y divide-slate-100" data-testid="sign-in-passkeys">
      {passkeys.data.map((passkey) => (
        <PasskeyRow key={passkey.credentialId} passkey={passkey} />
      ))}
    </ul>
  );
}

function PasskeyRow({ passkey }: { passkey: Passkey }) {
  const t = useTranslations();
  const format = useFormatters();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.auth.myPasskeys.queryKey() });
  const rename = useMutation(trpc.auth.renamePasskey.mutationOptions({ onSuccess: () => (setEditing(false), refresh()) }));
  const remove = useMutation(trpc.auth.removePasskey.mutationOptions({ onSuccess: refresh }));
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(passkey.name ?? "");
  const [confirming, setConfirming] = useState(false);
  const label = passkey.name ?? t("signInSettings.unnamed");
  const inputId = `passkey-name-${passkey.credentialId}`;
  return (
    <li className="py-4" data-testid="sign-in-passkey">
      {rename.error ? <Alert>{errorMessage(rename.error, t)}</Alert> : null}
      {remove.error ? <Alert>{errorMessage(remove.error, t)}</Alert> : null}
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          {editing ? (
            <form
              className="flex flex-wrap items-center gap-2"
              onSubmit={(event) => {
                event.preventDefault();
                rename.mutate({ credentialId: passkey.credentialId, name });
              }}
            >
              <label htmlFor={inputId} className="sr-only">
                {t("signInSettings.name")}
              </label>
              <input id={inputId} className={inputClass} value={name} maxLength={PASSKEY_NAME_MAX_LENGTH} onChange={(event) => setName(event.target.value)} autoFocus />
              <Button type="submit" disabled={rename.isPending || name.trim() === ""}>
                {t("signInSettings.save")}
              </Button>
              <Button type="button" variant="ghost" onClick={() => setEditing(false)}>
                {t("signInSettings.cancel")}
              </Button>
            </form>
          ) : (
            <p className="font-medium text-slate-900" data-testid="passkey-name">{label}</p>
          )}
          <p className="mt-1 text-sm text-slate-600">
            {t("signInSettings.created", { date: format.dateTime(passkey.createdAtMs) })}
            {" · "}
            {passkey.lastUsedAtMs === null ? t("signInSettings.neverUsed") : t("signInSettings.lastUsed", { date: format.dateTime(passkey.lastUsedAtMs) })}
          </p>
        </div>
        {!editing && !confirming ? (
          <div className="flex gap-2">
            <Button variant="secondary" onClick={() => setEditing(true)}>
              {t("signInSettings.rename")}
            </Button>
            <Button variant="secondary" onClick={() => setConfirming(true)}>
              {t("signInSettings.remove")}
            </Button>
          </div>
        ) : null}
      </div>
      {confirming ? (
        <div className="mt-3 rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-800" role="alertdialog" aria-label={t("signInSettings.confirmTitle", { name: label })}>
          <p className="font-medium">{t("signInSettings.confirmTitle", { name: label })}</p>
          <p className="mt-1">{t("signInSettings.confirmBody")}</p>
          <div className="mt-3 flex gap-2">
            <Button variant="danger" disabled={remove.isPending} onClick={() => remove.mutate({ credentialId: passkey.credentialId })}>
              {t("signInSettings.removeIt")}
            </Button>
            <Button variant="secondary" onClick={() => setConfirming(false)}>
              {t("signInSettings.keepIt")}
            </Button>
          </div>
        </div>
      ) : null}
    </li>
  );
}
