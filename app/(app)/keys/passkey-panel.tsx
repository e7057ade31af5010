"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslations } from "next-intl";
import { Alert, Badge, Button } from "../../_components/ui";
import { useErrorMessage } from "../../_lib/errors";
import type { OrganisationProfile } from "../../_lib/keystore";
import { createPasskey, signPasskeyRegistration } from "../../_lib/passkeys";
import { useSigner } from "../../_lib/signing-context";
import { useTRPC } from "../../_trpc/client";
import { keyStatus, type OrganisationKeys } from "./key-status";

interface PasskeyPanelProps {
  profile: OrganisationProfile;
  userName: string;
  keys: OrganisationKeys | undefined;
  canRequest: boolean;
}

/**
 * The user's passkey in this browser: create one (the authenticator makes it and keeps it;
 * the person verifies), which signs the user in from then on and, once its self-signed
 * registration is approved, signs ledger transactions; and see where it stands.
 * Once this browser holds a passkey, every transaction the user signs is signed with it.
 */
export function PasskeyPanel({ profile, userName, keys, canRequest }: PasskeyPanelProps) {
  const t = useTranslations("keys.passkey");
  const errorMessage = useErrorMessage();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const signer = useSigner();
  const registrationOptions = useMutation(trpc.auth.passkeyRegistrationOptions.mutationOptions());
  const registerForSignIn = useMutation(trpc.auth.registerPasskey.mutationOptions());
  const request = useMutation(trpc.keys.requestRegistration.mutationOptions({ onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.keys.myKeys.queryKey() }) }));
  const [message, setMessage] = useState<{ tone: "red" | "green"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const passkey = signer.passkey;
  const status = passkey ? keyStatus(passkey.keyId, keys) : null;

  async function requestRegistration(record = passkey) {
    if (!record) return;
    const filed = await request.mutateAsync({ signed: await signPasskeyRegistration(record, profile, Date.now(), signer.networkId) });
    setMessage({ tone: "green", text: filed.approver === "organisation" ? t("requestedOrganisation") : t("requested") });
  }

  async function run(action: () => Promise<void>) {
    setMessage(null);
    setBusy(true);
    try {
      await action();
    } catch (failure) {
      setMessage({ tone: "red", text: errorMessage(failure) });
    } finally {
      setBusy(false);
    }
  }

  const create = () =>
    run(async () => {
      // One passkey for both: the server keeps it for signing in, the ledger as a signing key.
      const optionsJSON = await registrationOptions.mutateAsync();
      const { record, response } = await createPasskey({ orgId: profile.orgId, label: t("defaultLabel", { name: userName }), nowMs: Date.now(), optionsJSON });
      await registerForSignIn.mutateAsync({ response });
      signer.savePasskey(record);
      await requestRegistration(record);
    });

  const canSignRequest = canRequest && passkey !== null && (status?.kind === "unregistered" || status?.kind === "expired");
  return (
    <div className="space-y-4" data-testid="passkey-panel">
      <p className="text-sm text-slate-600">{t("intro")}</p>
      {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
      {passkey ? (
        <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-[10rem_1fr]">
          <dt className="text-slate-500">{t("keyId")}</dt>
          <dd className="font-mono text-xs break-all text-slate-900" data-testid="passkey-key-id">
            {passkey.keyId}
          </dd>
          <dt className="text-slate-500">{t("site")}</dt>
          <dd className="text-slate-900">{passkey.parameters.origins.join(", ")}</dd>
          <dt className="text-slate-500">{t("onLedger")}</dt>
          <dd data-testid="passkey-status">{status ? <Badge tone={status.tone}>{t(`status.${status.kind}`)}</Badge> : <span className="text-slate-400">{t("checking")}</span>}</dd>
        </dl>
      ) : null}
      <div className="flex flex-wrap gap-2 border-t border-slate-100 pt-4">
        {passkey === null && canRequest ? (
          <Button disabled={busy} onClick={() => void create()}>
            {t("create")}
          </Button>
        ) : null}
        {canSignRequest ? (
          <Button disabled={busy} onClick={() => void run(() => requestRegistration())}>
            {t("requestRegistration")}
          </Button>
        ) : null}
        {passkey ? (
          <Button variant="ghost" disabled={busy} onClick={signer.removePasskey}>
            {t("remove")}
          </Button>
        ) : null}
      </div>
    </div>
  );
}
