"use client";

import { useTranslations } from "next-intl";
import { useEffect, useState } from "react";
import { parseVerifierKey } from "@/contracts/note";
import { verifyProvenanceBatched, type LineageStep, type ProvenanceBundle } from "@/contracts/provenance";
import { runWithBatchVerifier } from "@/contracts/signing";
import type { ClaimStateLeaf } from "@/contracts/state-leaves";
import { parseTrustPolicy, parseTrustPolicyText, verifyBundleUnderPolicy } from "@/contracts/trust-policy";
import { Badge, Button, Card, inputClass } from "../../_components/ui";
import { VerifierFailure } from "../../_components/verifier-failure";
import { useFormatters } from "../../_lib/use-formatters";
import { createWebCryptoVerifier } from "../../_lib/webcrypto-verifier";

const verifier = createWebCryptoVerifier();

/** What the platform publishes at /trust-policy.json (server/read/published-trust.ts); quorum 0 when it has no witnesses. */
interface PublishedPolicy {
  format: string;
  origin: string;
  operatorKeys: string[];
  witnesses: string[];
  quorum: number;
}

interface SharedAnswer {
  claimId: string;
  sharedAtMs: number;
  bundle: ProvenanceBundle;
}

type Verdict =
  | { kind: "refused"; code: string; detail: string }
  | { kind: "failed"; code: string; detail: string; leafIndex?: number }
  | { kind: "verified"; claimId: string; state: ClaimStateLeaf; names: Record<string, string>; checkpointSize: number; cosigners: string[]; witnessed: boolean; policy: PublishedPolicy; own: boolean };

/** A policy the visitor pasted on this page, kept in this browser only: used instead of the published one. */
const OWN_POLICY_KEY = "double-chain-verify-policy";

function ownPolicy(): PublishedPolicy | null {
  const text = window.localStorage.getItem(OWN_POLICY_KEY);
  if (text === null) return null;
  const parsed = parseTrustPolicyText(text);
  return parsed.ok ? (JSON.parse(text) as PublishedPolicy) : null;
}

async function json(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/** The names the verified lineage gives each signer (taken from the replayed ledger, not from the server). */
function namesOf(lineage: readonly LineageStep[]): Record<string, string> {
  return Object.fromEntries(lineage.map((step) => [step.signerOrgId, step.signerOrgName]));
}

/**
 * Fetches the published policy and the shared bundle (two requests: the bundle never brings its
 * own keys), then verifies here. With witnesses published: verifyBundleUnderPolicy (operator
 * signature, witness quorum, replay, state proofs). Without: the operator's signature and the
 * replay only, which the page says plainly.
 */
async function verifyShare(token: string, own: PublishedPolicy | null): Promise<Verdict> {
  const [policyResponse, shareResponse] = await Promise.all([own === null ? fetch("/trust-policy.json", { cache: "no-store" }) : null, fetch(`/api/verify/${encodeURIComponent(token)}`, { cache: "no-store" })]);
  if (!shareResponse.ok) {
    const body = (await json(shareResponse)) as { code?: string; error?: string } | null;
    return { kind: "refused", code: body?.code ?? `http_${shareResponse.status}`, detail: body?.error ?? "" };
  }
  const policy = own ?? (policyResponse?.ok ? ((await json(policyResponse)) as PublishedPolicy | null) : null);
  if (policy === null || !Array.isArray(policy.operatorKeys) || !Array.isArray(policy.witnesses)) return { kind: "failed", code: "trust_policy_malformed", detail: "/trust-policy.json" };
  const shared = (await json(shareResponse)) as SharedAnswer | null;
  if (shared === null || typeof shared.claimId !== "string" || typeof shared.bundle !== "object") return { kind: "failed", code: "bundle_malformed", detail: "" };
  const checked = policy.witnesses.length > 0 ? await underPolicy(shared, policy) : await operatorOnly(shared, policy);
  const verdict = checked.kind === "verified" ? { ...checked, own: own !== null } : checked;
  if (verdict.kind === "verified" && (verdict.state.claimId !== shared.claimId || shared.bundle.claimId !== shared.claimId)) {
    return { kind: "failed", code: "bundle_for_another_claim", detail: `${verdict.state.claimId} ≠ ${shared.claimId}` };
  }
  return verdict;
}

async function underPolicy(shared: SharedAnswer, published: PublishedPolicy): Promise<Verdict> {
  const policy = parseTrustPolicy(published);
  if (!policy.ok) return { kind: "failed", code: policy.code, detail: policy.detail };
  const result = await runWithBatchVerifier((batched) => verifyBundleUnderPolicy({ bundle: shared.bundle, policy: policy.policy, lastAccepted: null, consistencyProofHex: null }, batched), verifier);
  if (!result.ok) return { kind: "failed", code: result.code, detail: result.detail, ...(result.leafIndex === undefined ? {} : { leafIndex: result.leafIndex }) };
  return {
    kind: "verified",
    claimId: result.state.claimId,
    state: result.state,
    names: namesOf(result.lineage),
    checkpointSize: result.accepted.size,
    cosigners: result.verified.cosigners.map((cosigner) => cosigner.name),
    witnessed: true,
    policy: published,
    own: false,
  };
}

async function operatorOnly(shared: SharedAnswer, published: PublishedPolicy): Promise<Verdict> {
  const key = parseVerifierKey(published.operatorKeys[0] ?? "");
  if (!key.ok) return { kind: "failed", code: "trust_policy_malformed", detail: key.detail };
  const result = await verifyProvenanceBatched(shared.bundle, key.key.publicKey, verifier, { requireState: true });
  if (!result.ok) return { kind: "failed", code: result.code, detail: result.detail, ...(result.leafIndex === undefined ? {} : { leafIndex: result.leafIndex }) };
  if (result.state === undefined) return { kind: "failed", code: "state_proof_missing", detail: "" };
  return { kind: "verified", claimId: result.state.claim.claimId, state: result.state.claim, names: namesOf(result.lineage), checkpointSize: result.checked.checkpointSize, cosigners: [], witnessed: false, policy: published, own: false };
}

export function VerifyView({ token }: { token: string }) {
  const [verdict, setVerdict] = useState<Verdict | null>(null);
  const [kept, setKept] = useState(false);
  // Bumped when the visitor sets or forgets their own policy: the bundle is verified again.
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    const own = ownPolicy();
    verifyShare(token, own).then(
      (done) => {
        if (!current) return;
        setVerdict(done);
        setKept(own !== null);
      },
      (error: unknown) => current && setVerdict({ kind: "failed", code: "verification_error", detail: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      current = false;
    };
  }, [token, round]);
  const again = () => {
    setVerdict(null);
    setRound((value) => value + 1);
  };
  return (
    <div className="space-y-6">
      <VerdictView verdict={verdict} />
      <OwnPolicy kept={kept} onChange={again} />
    </div>
  );
}

/** The visitor pastes a policy obtained elsewhere (their bank's, the witnesses'): it replaces the published one, in this browser. */
function OwnPolicy({ kept, onChange }: { kept: boolean; onChange: () => void }) {
  const t = useTranslations("verify");
  const [text, setText] = useState("");
  const parsed = text.trim() ? parseTrustPolicyText(text) : null;
  return (
    <Card title={t("ownPolicyTitle")}>
      <div className="space-y-3 text-sm">
        <p className="text-slate-600">{kept ? t("ownPolicyKept") : t("ownPolicyHint")}</p>
        <textarea aria-label={t("ownPolicyLabel")} className={`${inputClass} h-28 font-mono text-xs`} value={text} onChange={(event) => setText(event.target.value)} spellCheck={false} />
        {parsed && !parsed.ok ? <p className="text-xs text-rose-700">{parsed.detail}</p> : null}
        <div className="flex gap-3">
          <Button
            disabled={!parsed?.ok}
            onClick={() => {
              window.localStorage.setItem(OWN_POLICY_KEY, text);
              setText("");
              onChange();
            }}
          >
            {t("useOwnPolicy")}
          </Button>
          {kept ? (
            <Button
              variant="secondary"
              onClick={() => {
                window.localStorage.removeItem(OWN_POLICY_KEY);
                onChange();
              }}
            >
              {t("forgetOwnPolicy")}
            </Button>
          ) : null}
        </div>
      </div>
    </Card>
  );
}

function VerdictView({ verdict }: { verdict: Verdict | null }) {
  const t = useTranslations();
  if (verdict === null) return <p className="text-sm text-slate-500" role="status">{t("verify.verifying")}</p>;
  if (verdict.kind === "refused") {
    return (
      <div className="rounded-xl border border-rose-200 bg-rose-50 p-5" role="alert" data-testid="verify-refused" data-code={verdict.code}>
        <div className="text-base font-semibold text-rose-800">{t("verify.refusedTitle")}</div>
        <p className="mt-1 text-sm text-rose-800">{t.has(`verify.refusals.${verdict.code}`) ? t(`verify.refusals.${verdict.code}`) : t("verify.refusals.other", { code: verdict.code })}</p>
      </div>
    );
  }
  if (verdict.kind === "failed") {
    return (
      <div className="rounded-xl border border-rose-200 bg-rose-50 p-5" role="alert" data-testid="verify-failed" data-code={verdict.code}>
        <div className="text-base font-semibold text-rose-800">{t("verify.failedTitle")}</div>
        <VerifierFailure code={verdict.code} detail={verdict.detail} {...(verdict.leafIndex === undefined ? {} : { leafIndex: verdict.leafIndex })} />
        <p className="mt-2 text-xs text-rose-700">{t("verify.doNotRely")}</p>
      </div>
    );
  }
  return <Verified verdict={verdict} />;
}

function Verified({ verdict }: { verdict: Extract<Verdict, { kind: "verified" }> }) {
  const t = useTranslations();
  const format = useFormatters();
  const state = verdict.state;
  return (
    <div className="space-y-6">
      <div className="rounded-xl border border-emerald-200 bg-emerald-50 p-5" role="status" data-testid="verify-ok">
        <div className="text-base font-semibold text-emerald-800">{t("verify.verifiedTitle")}</div>
        <p className="mt-1 text-sm text-emerald-900">{verdict.witnessed ? t("verify.verifiedWitnessed", { count: verdict.cosigners.length, quorum: verdict.policy.quorum }) : t("verify.verifiedOperatorOnly")}</p>
      </div>
      <Card title={t("verify.claimTitle")}>
        <dl className="grid grid-cols-[9rem_1fr] gap-x-4 gap-y-3 text-sm">
          <dt className="text-xs uppercase tracking-wide text-slate-500">{t("voucher.claimId")}</dt>
          <dd className="break-all font-mono text-xs" data-testid="verify-claim-id">{verdict.claimId}</dd>
          <dt className="text-xs uppercase tracking-wide text-slate-500">{t("voucher.holder")}</dt>
          <dd data-testid="verify-holder">{verdict.names[state.holderOrgId] ?? state.holderOrgId}</dd>
          <dt className="text-xs uppercase tracking-wide text-slate-500">{t("voucher.issuer")}</dt>
          <dd>{verdict.names[state.issuerOrgId] ?? state.issuerOrgId}</dd>
          <dt className="text-xs uppercase tracking-wide text-slate-500">{t("voucher.faceValue")}</dt>
          <dd className="font-semibold tabular-nums" data-testid="verify-amount">{format.money(state.amountMinor)}</dd>
          <dt className="text-xs uppercase tracking-wide text-slate-500">{t("voucher.inCapitals")}</dt>
          <dd data-testid="verify-capitals">{format.capitals(state.amountMinor)}</dd>
          {state.outstandingMinor !== state.amountMinor ? (
            <>
              <dt className="text-xs uppercase tracking-wide text-slate-500">{t("voucher.outstanding")}</dt>
              <dd>{`${format.money(state.outstandingMinor)} ${format.capitals(state.outstandingMinor)}`}</dd>
            </>
          ) : null}
          <dt className="text-xs uppercase tracking-wide text-slate-500">{t("voucher.maturity")}</dt>
          <dd>{format.date(state.maturityDate)}</dd>
          <dt className="text-xs uppercase tracking-wide text-slate-500">{t("voucher.status")}</dt>
          <dd data-testid="verify-status">
            <Badge tone="blue">{t.has(`states.${state.state}`) ? t(`states.${state.state}`) : state.state}</Badge>
            {state.activePledge ? ` · ${t("verify.pledged")}` : ""}
            {state.financedOnce ? ` · ${t("verify.financedOnce")}` : ""}
          </dd>
          <dt className="text-xs uppercase tracking-wide text-slate-500">{t("voucher.checkpoint")}</dt>
          <dd className="text-xs">
            {t("verify.checkpointValue", { size: verdict.checkpointSize })}
            <div data-testid="verify-cosigners">{t("voucher.cosigners")} {verdict.cosigners.join(", ") || t("voucher.noCosigners")}</div>
          </dd>
        </dl>
      </Card>
      <Card title={t("verify.trustTitle")}>
        <div className="space-y-2 text-sm text-slate-700" data-testid="verify-trust">
          <p>{verdict.own ? t("verify.trustExplainOwn") : t("verify.trustExplain")}</p>
          <p>{verdict.witnessed ? t("verify.trustWitnesses", { quorum: verdict.policy.quorum, count: verdict.policy.witnesses.length }) : t("verify.trustNoWitnesses")}</p>
          <p>{t("verify.revealed")}</p>
          <details className="text-xs">
            <summary className="cursor-pointer font-medium">{t("verify.policyShown")}</summary>
            <pre className="mt-2 overflow-x-auto rounded bg-slate-50 p-2 font-mono">{JSON.stringify(verdict.policy, null, 2)}</pre>
          </details>
        </div>
      </Card>
    </div>
  );
}
