"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Alert, Badge, Button } from "../../_components/ui";
import { errorMessage } from "../../_lib/errors";
import { downloadKeyFile, signKeyRegistration, type KeyFile, type OrganisationProfile } from "../../_lib/keystore";
import { SignerError, useSigner } from "../../_lib/signing-context";
import { useTRPC } from "../../_trpc/client";
import { formatDateTime, keyStatus, type OrganisationKeys } from "./key-status";

interface BrowserKeyProps {
  profile: OrganisationProfile;
  keyFile: KeyFile;
  keys: OrganisationKeys | undefined;
  canRequest: boolean;
}

/** The key this browser holds for the user: where it stands on the ledger, and what to do with it. */
export function BrowserKey({ profile, keyFile, keys, canRequest }: BrowserKeyProps) {
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
      const identity = await signer.requireIdentity({ reason: "to sign its registration request" });
      const filed = await request.mutateAsync({ signed: signKeyRegistration(identity, profile, Date.now(), signer.networkId) });
      const reviewer = filed.approver === "organisation" ? "An admin of your organisation confirms it next, with one of its active keys." : "The platform operator reviews it next.";
      setMessage({ tone: "green", text: `Registration requested. ${reviewer}` });
    } catch (failure) {
      setMessage({ tone: "red", text: failure instanceof SignerError ? failure.message : errorMessage(failure) });
    }
  }

  async function unlock() {
    setMessage(null);
    try {
      await signer.requireIdentity({ reason: "to keep it ready for signing" });
    } catch (failure) {
      if (!(failure instanceof SignerError && failure.code === "cancelled")) setMessage({ tone: "red", text: failure instanceof Error ? failure.message : String(failure) });
    }
  }

  function remove() {
    signer.lock();
    signer.keystore.remove();
  }

  const canSignRequest = canRequest && !wrongOrg && (status?.kind === "unregistered" || status?.kind === "expired");
  return (
    <div className="space-y-4" data-testid="browser-key">
      {wrongOrg ? <Alert>This key belongs to organisation {keyFile.orgId}, not to {profile.orgName}. Remove it from this browser and create or restore your own.</Alert> : null}
      {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
      <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-[10rem_1fr]">
        <dt className="text-slate-500">Key id</dt>
        <dd className="font-mono text-xs break-all text-slate-900" data-testid="browser-key-id">
          {keyFile.keyId}
        </dd>
        <dt className="text-slate-500">Label</dt>
        <dd className="text-slate-900">{keyFile.label || "—"}</dd>
        <dt className="text-slate-500">Created</dt>
        <dd className="text-slate-900">{formatDateTime(keyFile.createdAtMs)}</dd>
        <dt className="text-slate-500">On the ledger</dt>
        <dd data-testid="browser-key-status">{status ? <Badge tone={status.tone}>{status.label}</Badge> : <span className="text-slate-400">Checking…</span>}</dd>
        <dt className="text-slate-500">In this tab</dt>
        <dd>
          {signer.status === "unlocked" ? <Badge tone="green">Unlocked</Badge> : <Badge>Locked</Badge>}
          <span className="ml-2 text-xs text-slate-500">
            {signer.status === "unlocked" ? "Locks itself after 15 minutes without activity, and when you sign out." : "You are asked for the passphrase when you sign."}
          </span>
        </dd>
      </dl>
      {status?.kind === "pending" ? (
        <p className="text-sm text-slate-600">The platform operator reviews new keys; you can download the backup meanwhile. The ledger accepts signatures from this key once it is approved.</p>
      ) : null}
      {status?.kind === "expired" ? (
        <p className="text-sm text-slate-600">The registration was signed more than 24 hours ago, so the ledger would no longer accept it. Sign it again; the operator then approves the renewed request.</p>
      ) : null}
      {status?.kind === "rejected" ? <p className="text-sm text-slate-600">The operator rejected this key. Remove it from this browser and create a new one, or contact the operator.</p> : null}
      <div className="flex flex-wrap gap-2 border-t border-slate-100 pt-4">
        <Button variant="secondary" onClick={() => downloadKeyFile(keyFile)}>
          Download backup file
        </Button>
        {canSignRequest ? (
          <Button disabled={request.isPending} onClick={() => void requestRegistration()}>
            {status?.kind === "expired" ? "Sign the request again" : "Request registration"}
          </Button>
        ) : null}
        {signer.status === "unlocked" ? (
          <Button variant="secondary" onClick={signer.lock}>
            Lock now
          </Button>
        ) : (
          <Button variant="secondary" disabled={wrongOrg} onClick={() => void unlock()}>
            Unlock
          </Button>
        )}
        {confirmRemove ? (
          <span className="flex flex-wrap items-center gap-2 rounded-md bg-rose-50 px-3 py-1.5 text-sm text-rose-800" role="group" aria-label="Confirm removal">
            Without a backup file this key is lost for good.
            <Button variant="danger" onClick={remove}>
              Remove it
            </Button>
            <Button variant="ghost" onClick={() => setConfirmRemove(false)}>
              Keep it
            </Button>
          </span>
        ) : (
          <Button variant="ghost" onClick={() => setConfirmRemove(true)}>
            Remove from this browser
          </Button>
        )}
      </div>
    </div>
  );
}
