"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { bytesToHex } from "@/contracts/hex";
import { decodeSignedTransaction } from "@/contracts/ledger/schema";
import { signDigest } from "@/contracts/signing";
import { transactionDigest } from "@/contracts/transaction";
import { Button } from "../../_components/ui";
import { useErrorMessage } from "../../_lib/errors";
import { rememberKnownKeys } from "../../_lib/known-keys";
import { refusalText } from "../../_lib/refusal-text";
import { SignerError, useSigner } from "../../_lib/signing-context";
import { useTRPC } from "../../_trpc/client";
import type { KeyRequest } from "./key-status";

/**
 * An admin confirms a further key of the organisation: this browser's unlocked key (an
 * active key of the organisation) cosigns the registration exactly as the new key signed
 * it, decoded and hashed here, so the admin's key signs what the request says and nothing
 * the server made up. The ledger checks the cosignature.
 */
export function ConfirmRequest({ request }: { request: KeyRequest }) {
  const t = useTranslations();
  const errorMessage = useErrorMessage();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const signer = useSigner();
  const confirm = useMutation(trpc.keys.confirm.mutationOptions({ onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.keys.myKeys.queryKey() }) }));
  const [error, setError] = useState<string | null>(null);

  async function run() {
    setError(null);
    try {
      const decoded = decodeSignedTransaction(request.registration);
      if (!decoded.ok || decoded.value.transaction.type !== "key.register" || decoded.value.transaction.body.keyId !== request.keyId) {
        throw new Error(t("keys.confirm.notThisKey"));
      }
      const identity = await signer.requireIdentity({ reason: t("keys.confirm.reason", { key: request.keyId }) });
      const signatureHex = bytesToHex(signDigest(identity.privateKey, transactionDigest(decoded.value.transaction)));
      const result = await confirm.mutateAsync({ requestId: request.id, keyId: identity.keyId, signatureHex });
      if (result.ledger?.status === "refused") setError(refusalText(t, result.ledger.code, result.ledger.text));
      // An admin who confirmed a key here knows it: the key-set check does not warn about it.
      else rememberKnownKeys(window.localStorage, request.orgId, [request.keyId]);
    } catch (failure) {
      if (!(failure instanceof SignerError && failure.code === "cancelled")) setError(errorMessage(failure));
    }
  }

  return (
    <span className="inline-flex flex-col items-start gap-1">
      <Button disabled={confirm.isPending} onClick={() => void run()}>
        {t("keys.confirm.button")}
      </Button>
      {error ? (
        <span role="alert" className="text-xs text-red-700">
          {error}
        </span>
      ) : null}
    </span>
  );
}
