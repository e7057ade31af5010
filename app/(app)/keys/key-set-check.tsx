"use client";

import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useEffect, useState } from "react";
import { checkOrgKeySet, type KeySetCheck, type ListedKey } from "@/contracts/key-set-check";
import { parseVerifierKey, type NoteVerifierKey } from "@/contracts/note";
import { runWithBatchVerifier } from "@/contracts/signing";
import type { OrgLeafKey } from "@/contracts/state-leaves";
import { parseTrustPolicy } from "@/contracts/trust-policy";
import { Alert, Button } from "../../_components/ui";
import { useErrorMessage } from "../../_lib/errors";
import { loadKnownKeys, rememberKnownKeys } from "../../_lib/known-keys";
import { useSigner } from "../../_lib/signing-context";
import { loadTrust, rememberAccepted } from "../../_lib/trust-store";
import { fetchConsistencyProofHex } from "../../_lib/consistency-proof";
import { createWebCryptoVerifier } from "../../_lib/webcrypto-verifier";
import { useTRPC } from "../../_trpc/client";
import type { OrganisationKeys } from "./key-status";

const verifier = createWebCryptoVerifier();

type Outcome = { status: "checking" } | { status: "policy_invalid"; detail: string } | { status: "checked"; check: KeySetCheck };

/**
 * Checks the organisation's key set the ledger committed to against what this page lists and
 * what this browser knows (contracts/key-set-check.ts), and warns about every difference: a key
 * nobody here knows may be one the operator added. Runs in the browser, against the pinned
 * trust policy when the organisation has one.
 */
export function KeySetCheckPanel({ orgId, keys }: { orgId: string; keys: OrganisationKeys }) {
  const t = useTranslations("keys.keySet");
  const errorMessage = useErrorMessage();
  const trpc = useTRPC();
  const signer = useSigner();
  const answer = useQuery(trpc.keys.keySetProof.queryOptions(undefined, { retry: false }));
  // Rendered only once the keys have loaded in the browser, so local storage is there.
  const [stored, setStored] = useState<Set<string>>(() => loadKnownKeys(window.localStorage, orgId));
  const [outcome, setOutcome] = useState<Outcome>({ status: "checking" });

  useEffect(() => {
    const data = answer.data;
    if (data === undefined || data.status !== "proved") return;
    const known = new Set(stored);
    if (signer.keyFile) known.add(signer.keyFile.keyId);
    if (signer.passkey) known.add(signer.passkey.keyId);
    const listed: ListedKey[] = keys.keys.filter((key) => key.status === "active").map((key) => ({ keyId: key.keyId, publicKeyHex: key.publicKeyHex, role: key.role, holderUserId: key.holder.userId }));
    let cancelled = false;
    void (async () => {
      const trust = await loadTrust(orgId).catch(() => null);
      const policy = trust?.policy ? parseTrustPolicy(trust.policy) : null;
      if (policy && !policy.ok) {
        if (!cancelled) setOutcome({ status: "policy_invalid", detail: policy.detail });
        return;
      }
      const operatorKeys = data.operatorKeys.map(parseVerifierKey).flatMap((parsed): NoteVerifierKey[] => (parsed.ok ? [parsed.key] : []));
      // Under a pinned policy the checkpoint must extend the last one this browser accepted (here or at the desk), which it then becomes.
      const lastAccepted = policy?.ok ? (trust?.lastAccepted ?? null) : null;
      const consistencyProofHex = await fetchConsistencyProofHex(lastAccepted, data.checkpointNote);
      const input = { orgId, answer: data, policy: policy?.ok ? policy.policy : null, operatorKeys, listed, known, lastAccepted, consistencyProofHex };
      const check = await runWithBatchVerifier((batched) => checkOrgKeySet(input, batched), verifier);
      if (check.ok && check.verified.accepted !== null) await rememberAccepted(orgId, check.verified.accepted).catch(() => undefined);
      if (!cancelled) setOutcome({ status: "checked", check });
    })();
    return () => {
      cancelled = true;
    };
  }, [answer.data, stored, keys, orgId, signer.keyFile, signer.passkey]);

  if (answer.error) return <Alert>{t("failed", { detail: errorMessage(answer.error) })}</Alert>;
  if (answer.data !== undefined && answer.data.status !== "proved") return <p className="text-sm text-slate-500" data-testid="key-set-check">{t(answer.data.status)}</p>;
  if (outcome.status === "checking") return <p className="text-sm text-slate-500" data-testid="key-set-check">{t("checking")}</p>;
  if (outcome.status === "policy_invalid") return <Alert>{t("policyInvalid", { detail: outcome.detail })}</Alert>;
  const check = outcome.check;
  if (!check.ok) {
    return (
      <div data-testid="key-set-check" data-outcome="failed">
        <Alert>
          <p className="font-medium">{t("notVerified")}</p>
          <p className="mt-1">{t(`codes.${check.code}`)}</p>
          <p className="mt-1 break-all font-mono text-xs">{check.detail}</p>
        </Alert>
      </div>
    );
  }
  const verified = check.verified;
  const holderName = (key: OrgLeafKey) => keys.keys.find((listed) => listed.keyId === key.keyId)?.holder.name ?? key.holderUserId;
  const markKnown = (keyIds: string[]) => setStored(rememberKnownKeys(window.localStorage, orgId, keyIds));
  const clean = verified.unknown.length === 0 && verified.listedNotCommitted.length === 0 && verified.committedNotListed.length === 0;
  return (
    <div className="space-y-3" data-testid="key-set-check" data-outcome={clean ? "clean" : "warnings"}>
      {verified.witnessed ? (
        <Alert tone={clean ? "green" : "blue"}>{t("verifiedCosigned", { size: verified.size, cosigners: verified.cosigners.join(", "), count: verified.committed.length })}</Alert>
      ) : (
        <Alert tone="amber">{t("verifiedOperatorOnly", { size: verified.size, count: verified.committed.length })}</Alert>
      )}
      {verified.unknown.length > 0 ? (
        <Alert>
          <p className="font-medium">{t("unknownTitle", { count: verified.unknown.length })}</p>
          <p className="mt-1">{t("unknownBody")}</p>
          <ul className="mt-2 space-y-2">
            {verified.unknown.map((key) => (
              <li key={key.keyId} className="flex flex-wrap items-center gap-2" data-testid={`unknown-key-${key.keyId}`}>
                <span className="break-all font-mono text-xs">{key.keyId}</span>
                <span>{t("keyOf", { holder: holderName(key), role: t(`roles.${key.role}`) })}</span>
                <Button variant="secondary" onClick={() => markKnown([key.keyId])}>
                  {t("markKnown")}
                </Button>
              </li>
            ))}
          </ul>
        </Alert>
      ) : null}
      <KeyIdList title={t("listedNotCommitted", { count: verified.listedNotCommitted.length })} keyIds={verified.listedNotCommitted.map((key) => key.keyId)} testIdPrefix="uncommitted-key-" />
      <KeyIdList title={t("committedNotListed", { count: verified.committedNotListed.length })} keyIds={verified.committedNotListed.map((key) => key.keyId)} />
    </div>
  );
}

/** A warning naming key ids, one a line; nothing when there are none. */
function KeyIdList({ title, keyIds, testIdPrefix }: { title: string; keyIds: string[]; testIdPrefix?: string }) {
  if (keyIds.length === 0) return null;
  return (
    <Alert>
      <p className="font-medium">{title}</p>
      <ul className="mt-1 break-all font-mono text-xs">
        {keyIds.map((keyId) => (
          <li key={keyId} data-testid={testIdPrefix ? `${testIdPrefix}${keyId}` : undefined}>
            {keyId}
          </li>
        ))}
      </ul>
    </Alert>
  );
}
