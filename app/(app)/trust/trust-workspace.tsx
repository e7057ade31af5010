"use client";

import { useEffect, useState } from "react";
import { formatTrustPolicy, parseTrustPolicyText, TRUST_CHECK_TEXT } from "@/contracts/trust-policy";
import { Alert, Badge, Button, Card, Field, inputClass } from "../../_components/ui";
import { loadTrust, pinPolicy, type StoredTrust } from "../../_lib/trust-store";

/** Shows the pinned policy and the last accepted checkpoint; an admin pins a new policy explicitly. */
export function TrustWorkspace({ orgId, canPin, email }: { orgId: string; canPin: boolean; email: string }) {
  const [stored, setStored] = useState<StoredTrust | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  useEffect(() => {
    loadTrust(orgId).then(setStored, (error: unknown) => setLoadError(error instanceof Error ? error.message : String(error)));
  }, [orgId]);
  if (loadError) return <Alert>This browser cannot keep a trust policy: {loadError}</Alert>;
  if (!stored) return <p className="text-sm text-slate-500">Reading this browser&apos;s trust policy…</p>;
  return (
    <div className="space-y-6">
      <PinnedPolicy stored={stored} />
      {canPin ? <PinForm orgId={orgId} email={email} onPinned={setStored} hasPolicy={stored.policy !== null} /> : <p className="text-sm text-slate-600">Only an admin of your organisation changes the trust policy.</p>}
    </div>
  );
}

function PinnedPolicy({ stored }: { stored: StoredTrust }) {
  const policy = stored.policy;
  if (policy === null) return <div data-testid="trust-none"><Alert tone="amber">{TRUST_CHECK_TEXT.no_trust_policy}</Alert></div>;
  return (
    <Card title={<span className="flex items-center gap-2">Pinned policy <Badge tone="green">{policy.quorum} of {policy.witnesses.length} witnesses</Badge></span>}>
      <dl className="space-y-3 text-sm" data-testid="trust-pinned">
        <div>
          <dt className="text-xs uppercase tracking-wide text-slate-500">Log</dt>
          <dd className="mt-1 font-mono">{policy.origin}</dd>
        </div>
        <div>
          <dt className="text-xs uppercase tracking-wide text-slate-500">Operator keys</dt>
          {policy.operatorKeys.map((key) => <dd key={key} className="mt-1 break-all font-mono text-xs">{key}</dd>)}
        </div>
        <div>
          <dt className="text-xs uppercase tracking-wide text-slate-500">Witness keys</dt>
          {policy.witnesses.map((key) => <dd key={key} className="mt-1 break-all font-mono text-xs">{key}</dd>)}
        </div>
        <div>
          <dt className="text-xs uppercase tracking-wide text-slate-500">Pinned</dt>
          <dd className="mt-1">{stored.pinnedAtMs ? new Date(stored.pinnedAtMs).toISOString() : "—"}{stored.pinnedBy ? ` by ${stored.pinnedBy}` : ""}</dd>
        </div>
        <div>
          <dt className="text-xs uppercase tracking-wide text-slate-500">Last checkpoint accepted in this browser</dt>
          <dd className="mt-1" data-testid="trust-last-accepted">
            {stored.lastAccepted ? `size ${stored.lastAccepted.size}, cosigned by ${stored.lastAccepted.cosigners.join(", ")} (hash ${stored.lastAccepted.checkpointHash.slice(0, 16)}…)` : "none yet"}
          </dd>
        </div>
      </dl>
    </Card>
  );
}

function PinForm({ orgId, email, hasPolicy, onPinned }: { orgId: string; email: string; hasPolicy: boolean; onPinned: (stored: StoredTrust) => void }) {
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
    <Card title={hasPolicy ? "Replace the trust policy" : "Pin a trust policy"}>
      <div className="space-y-4">
        <Field label="Trust policy (JSON)" htmlFor="trust-policy" hint="From your risk team: the operator's checkpoint key and the witnesses' keys, as each party published them, and the quorum." error={parsed && !parsed.ok ? `${TRUST_CHECK_TEXT[parsed.code]} ${parsed.detail}` : undefined}>
          <textarea id="trust-policy" className={`${inputClass} h-48 font-mono text-xs`} value={text} onChange={(event) => setText(event.target.value)} spellCheck={false} />
        </Field>
        <label className="flex items-center gap-2 text-sm text-slate-700">
          <input type="checkbox" checked={confirmed} onChange={(event) => setConfirmed(event.target.checked)} />
          I checked these keys against sources outside this platform{hasPolicy ? ", and I replace the pinned policy" : ""}.
        </label>
        {error ? <Alert>{error}</Alert> : null}
        <Button disabled={busy || !parsed?.ok || !confirmed} onClick={() => void pin()}>
          {hasPolicy ? "Replace policy" : "Pin policy"}
        </Button>
      </div>
    </Card>
  );
}
