"use client";

import { useTranslations } from "next-intl";
import { useEffect, useState } from "react";
import { formatTrustPolicy, parseTrustPolicyText } from "@/contracts/trust-policy";
import { Alert, Badge, Button, Card, Field, inputClass } from "../../_components/ui";
import { useFormatters } from "../../_lib/use-formatters";
import { loadTrust, pinPolicy, type StoredTrust } from "../../_lib/trust-store";

/** Shows the pinned policy and the last accepted checkpoint; an admin pins a new policy explicitly. */
export function TrustWorkspace({ orgId, canPin, email }: { orgId: string; canPin: boolean; email: string }) {
  const t = useTranslations("trust");
  const [stored, setStored] = useState<StoredTrust | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  useEffect(() => {
    loadTrust(orgId).then(setStored, (error: unknown) => setLoadError(error instanceof Error ? error.message : String(error)));
  }, [orgId]);
  if (loadError) return <Alert>{t("cannotKeep", { error: loadError })}</Alert>;
  if (!stored) return <p className="text-sm text-slate-500">{t("reading")}</p>;
  return (
    <div className="space-y-6">
      <PinnedPolicy stored={stored} />
      {canPin ? <PinForm orgId={orgId} email={email} onPinned={setStored} hasPolicy={stored.policy !== null} /> : <p className="text-sm text-slate-600">{t("onlyAdmin")}</p>}
    </div>
  );
}

function PinnedPolicy({ stored }: { stored: StoredTrust }) {
  const t = useTranslations("trust");
  const format = useFormatters();
  const policy = stored.policy;
  if (policy === null) return <div data-testid="trust-none"><Alert tone="amber">{t("checks.no_trust_policy")}</Alert></div>;
  const pinnedAt = stored.pinnedAtMs ? format.dateTime(stored.pinnedAtMs) : "—";
  const last = stored.lastAccepted;
  return (
    <Card title={<span className="flex items-center gap-2">{t("pinnedTitle")} <Badge tone="green">{t("quorum", { quorum: policy.quorum, count: policy.witnesses.length })}</Badge></span>}>
      <dl className="space-y-3 text-sm" data-testid="trust-pinned">
        <div>
          <dt className="text-xs uppercase tracking-wide text-slate-500">{t("log")}</dt>
          <dd className="mt-1 font-mono">{policy.origin}</dd>
        </div>
        <div>
          <dt className="text-xs uppercase tracking-wide text-slate-500">{t("operatorKeys")}</dt>
          {policy.operatorKeys.map((key) => <dd key={key} className="mt-1 break-all font-mono text-xs">{key}</dd>)}
        </div>
        <div>
          <dt className="text-xs uppercase tracking-wide text-slate-500">{t("witnessKeys")}</dt>
          {policy.witnesses.map((key) => <dd key={key} className="mt-1 break-all font-mono text-xs">{key}</dd>)}
        </div>
        <div>
          <dt className="text-xs uppercase tracking-wide text-slate-500">{t("pinned")}</dt>
          <dd className="mt-1">{stored.pinnedBy ? t("pinnedBy", { at: pinnedAt, email: stored.pinnedBy }) : pinnedAt}</dd>
        </div>
        <div>
          <dt className="text-xs uppercase tracking-wide text-slate-500">{t("lastAccepted")}</dt>
          <dd className="mt-1" data-testid="trust-last-accepted">
            {last ? t("lastAcceptedValue", { size: last.size, cosigners: last.cosigners.join(", "), hash: last.checkpointHash.slice(0, 16) }) : t("noneYet")}
          </dd>
        </div>
      </dl>
    </Card>
  );
}

function PinForm({ orgId, email, hasPolicy, onPinned }: { orgId: string; email: string; hasPolicy: boolean; onPinned: (stored: StoredTrust) => void }) {
  const t = useTranslations("trust");
  const [text, setText] = useState("");
  const [confirmed, setConfirmed] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const parsed = text.trim() ? parseTrustPolicyText(text) : null;

  async function pin() {
    if (!parsed?.ok) return;
    setBusy(true);
    setError(null);
    try {
      onPinned(await pinPolicy(orgId, formatTrustPolicy(parsed.policy), email));
      setText("");
      setConfirmed(false);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title={hasPolicy ? t("replaceTitle") : t("pinTitle")}>
      <div className="space-y-4">
        <Field label={t("policyLabel")} htmlFor="trust-policy" hint={t("policyHint")} error={parsed && !parsed.ok ? `${t(`checks.${parsed.code}`)} ${parsed.detail}` : undefined}>
          <textarea id="trust-policy" className={`${inputClass} h-48 font-mono text-xs`} value={text} onChange={(event) => setText(event.target.value)} spellCheck={false} />
        </Field>
        <label className="flex items-center gap-2 text-sm text-slate-700">
          <input type="checkbox" checked={confirmed} onChange={(event) => setConfirmed(event.target.checked)} />
          {hasPolicy ? t("confirmReplace") : t("confirm")}
        </label>
        {error ? <Alert>{error}</Alert> : null}
        <Button disabled={busy || !parsed?.ok || !confirmed} onClick={() => void pin()}>
          {hasPolicy ? t("replace") : t("pin")}
        </Button>
      </div>
    </Card>
  );
}
