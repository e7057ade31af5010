"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslations } from "next-intl";
import { Alert, Badge, Button } from "../../_components/ui";
import { useErrorMessage } from "../../_lib/errors";
import { useFormatters } from "../../_lib/use-formatters";
import { downloadKeyFile, signKeyRegistration, type KeyFile, type OrganisationProfile } from "../../_lib/keystore";
import { SignerError, useSigner } from "../../_lib/signing-context";
import { useTRPC } from "../../_trpc/client";
import { keyStatus, type OrganisationKeys } from "./key-status";

interface BrowserKeyProps {
  profile: OrganisationProfile;
  keyFile: KeyFile;
  keys: OrganisationKeys | undefined;
  canRequest: boolean;
}

/** The key this browser holds for the user: where it stands on the ledger, and what to do with it. */
export function BrowserKey({ profile, keyFile, keys, canRequest }: BrowserKeyProps) {
  const t = useTranslations("keys");
  const errorMessage = useErrorMessage();
  const format = useFormatters();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const signer = useSigner();
  const request = useMutation(trpc.keys.requestRegistration.mutationOptions({ onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.keys.myKeys.queryKey() }) }));
  const [message, setMessage] = useState<{ tone: "red" | "green"; text: string } | null>(null);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const status = keyStatus(keyFile.keyId, keys);
  const wrongOrg = keyFile.orgId !== profile.orgId;

  async function requestRegistration() {
    setMessage(null);
    try {
      const identity = await signer.requireIdentity({ reason: t("reasonRegistration") });
      const filed = await request.mutateAsync({ signed: signKeyRegistration(identity, profile, Date.now(), signer.networkId) });
      setMessage({ tone: "green", text: filed.approver === "organisation" ? t("requestedOrganisation") : t("requested") });
    } catch (failure) {
      setMessage({ tone: "red", text: errorMessage(failure) });
    }
  }

  async function unlock() {
    setMessage(null);
    try {
      await signer.requireIdentity({ reason: t("reasonReady") });
    } catch (failure) {
      if (!(failure instanceof SignerError && failure.code === "cancelled")) setMessage({ tone: "red", text: errorMessage(failure) });
    }
  }

  function remove() {
    signer.lock();
    signer.keystore.remove();
  }

  const canSignRequest = canRequest && !wrongOrg && (status?.kind === "unregistered" || status?.kind === "expired");
  return (
    <div className="space-y-4" data-testid="browser-key">
      {wrongOrg ? <Alert>{t("wrongOrg", { orgId: keyFile.orgId, org: profile.orgName })}</Alert> : null}
      {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
      <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-[10rem_1fr]">
        <dt className="text-slate-500">{t("keyId")}</dt>
        <dd className="font-mono text-xs break-all text-slate-900" data-testid="browser-key-id">
          {keyFile.keyId}
        </dd>
        <dt className="text-slate-500">{t("label")}</dt>
        <dd className="text-slate-900">{keyFile.label || "—"}</dd>
        <dt className="text-slate-500">{t("created")}</dt>
        <dd className="text-slate-900">{format.dateTime(keyFile.createdAtMs)}</dd>
        <dt className="text-slate-500">{t("onLedger")}</dt>
        <dd data-testid="browser-key-status">{status ? <Badge tone={status.tone}>{t(`status.${status.kind}`)}</Badge> : <span className="text-slate-400">{t("checking")}</span>}</dd>
        <dt className="text-slate-500">{t("inTab")}</dt>
        <dd>
          {signer.status === "unlocked" ? <Badge tone="green">{t("unlocked")}</Badge> : <Badge>{t("locked")}</Badge>}
          <span className="ml-2 text-xs text-slate-500">{signer.status === "unlocked" ? t("unlockedHint") : t("lockedHint")}</span>
        </dd>
      </dl>
      {status?.kind === "pending" ? (
        <p className="text-sm text-slate-600">{t("pendingNote")}</p>
      ) : null}
      {status?.kind === "expired" ? (
        <p className="text-sm text-slate-600">{t("expiredNote")}</p>
      ) : null}
      {status?.kind === "rejected" ? <p className="text-sm text-slate-600">{t("rejectedNote")}</p> : null}
      <div className="flex flex-wrap gap-2 border-t border-slate-100 pt-4">
        <Button variant="secondary" onClick={() => downloadKeyFile(keyFile)}>
          {t("downloadBackup")}
        </Button>
        {canSignRequest ? (
          <Button disabled={request.isPending} onClick={() => void requestRegistration()}>
            {status?.kind === "expired" ? t("signAgain") : t("requestRegistration")}
          </Button>
        ) : null}
        {signer.status === "unlocked" ? (
          <Button variant="secondary" onClick={signer.lock}>
            {t("lockNow")}
          </Button>
        ) : (
          <Button variant="secondary" disabled={wrongOrg} onClick={() => void unlock()}>
            {t("unlock")}
          </Button>
        )}
        {confirmRemove ? (
          <span className="flex flex-wrap items-center gap-2 rounded-md bg-rose-50 px-3 py-1.5 text-sm text-rose-800" role="group" aria-label={t("confirmRemoval")}>
            {t("removeWarning")}
            <Button variant="danger" onClick={remove}>
              {t("removeIt")}
            </Button>
            <Button variant="ghost" onClick={() => setConfirmRemove(false)}>
              {t("keepIt")}
            </Button>
          </span>
        ) : (
          <Button variant="ghost" onClick={() => setConfirmRemove(true)}>
            {t("remove")}
          </Button>
        )}
      </div>
    </div>
  );
}
