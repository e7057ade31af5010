"use client";

import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useEffect, useState } from "react";
import { runWithBatchVerifier } from "@/contracts/signing";
import { checkEligibility, parseTrustPolicy, verifyBundleUnderPolicy, type AcceptedCheckpoint, type BundleWithNote, type TrustCheckCode } from "@/contracts/trust-policy";
import type { ClaimStateLeaf } from "@/contracts/state-leaves";
import { checkpointNoteTextHash } from "@/contracts/tlog-checkpoint";
import type { FinancingDto } from "../../../_trpc/types";
import { useTRPC } from "../../../_trpc/client";
import { Alert, Badge, Card } from "../../../_components/ui";
import { VerifierFailure } from "../../../_components/verifier-failure";
import { useFormatters } from "../../../_lib/use-formatters";
import { loadTrust, rememberAccepted } from "../../../_lib/trust-store";
import { fetchConsistencyProofHex } from "../../../_lib/consistency-proof";
import { createWebCryptoVerifier } from "../../../_lib/webcrypto-verifier";

const verifier = createWebCryptoVerifier();

/** What the desk decided, in the browser, from verified facts only. */
export type DeskDecision =
  | { status: "checking" }
  /** No pinned policy: nothing verified; the offer still names the checkpoint of the bundle it was shown. */
  | { status: "no-policy"; checkpointHash: string | null }
  | { status: "refused"; code: TrustCheckCode; detail: string }
  | { status: "eligible"; state: ClaimStateLeaf; accepted: AcceptedCheckpoint };

async function decide(orgId: string, financing: FinancingDto, bundle: BundleWithNote): Promise<DeskDecision> {
  const stored = await loadTrust(orgId);
  if (stored.policy === null) return { status: "no-policy", checkpointHash: checkpointNoteTextHash(bundle.state?.checkpointNote) };
  const policy = parseTrustPolicy(stored.policy);
  if (!policy.ok) return { status: "refused", code: policy.code, detail: policy.detail };
  const consistencyProofHex = await fetchConsistencyProofHex(stored.lastAccepted, bundle.state?.checkpointNote);
  const verified = await runWithBatchVerifier((batched) => verifyBundleUnderPolicy({ bundle, policy: policy.policy, lastAccepted: stored.lastAccepted, consistencyProofHex }, batched), verifier);
  if (!verified.ok) return { status: "refused", code: verified.code, detail: verified.detail };
  const application = { claimId: financing.claimId, financingId: financing.id, applicantOrgId: financing.holderOrgId, lenderOrgId: financing.lenderOrgId };
  const eligible = checkEligibility(bundle.claimId, verified.state, application, Date.now());
  await rememberAccepted(orgId, verified.accepted);
  if (!eligible.ok) return { status: "refused", code: eligible.code, detail: eligible.detail };
  return { status: "eligible", state: verified.state, accepted: verified.accepted };
}

/**
 * The lender's checks before an offer, run here against the organisation's pinned trust policy:
 * the bundle is for this application's claim, its checkpoint carries a quorum of cosignatures and
 * extends the last one this browser accepted, and the verified state says the applicant holds the
 * claim, unpledged elsewhere, never financed, not matured. Shows the verified state and who cosigned.
 */
export function TrustChecks({ orgId, financing, onDecision }: { orgId: string; financing: FinancingDto; onDecision: (decision: DeskDecision) => void }) {
  const trpc = useTRPC();
  const t = useTranslations("trust");
  const tAll = useTranslations();
  const format = useFormatters();
  const provenance = useQuery(trpc.ledger.provenance.queryOptions({ claimId: financing.claimId }, { retry: false }));
  const bundle = provenance.data?.bundle as BundleWithNote | undefined;
  const [decision, setDecision] = useState<DeskDecision>({ status: "checking" });
  useEffect(() => {
    let current = true;
    if (bundle) {
      decide(orgId, financing, bundle).then(
        (value) => current && setDecision(value),
        (error: unknown) => current && setDecision({ status: "refused", code: "provenance_failed", detail: error instanceof Error ? error.message : String(error) }),
      );
    }
    return () => {
      current = false;
    };
  }, [orgId, financing, bundle]);
  useEffect(() => onDecision(decision), [decision, onDecision]);

  const names = provenance.data?.organisationNames ?? {};
  const name = (orgId: string) => names[orgId] ?? orgId;
  if (provenance.error) return <Alert>{provenance.error.message}</Alert>;
  if (decision.status === "checking") return <p className="text-sm text-slate-500">{t("desk.checking")}</p>;
  if (decision.status === "no-policy") {
    return (
      <div data-testid="trust-decision-no-policy">
        <Alert tone="amber">{t("desk.noPolicy", { reason: t("checks.no_trust_policy") })}</Alert>
      </div>
    );
  }
  if (decision.status === "refused") {
    return (
      <div className="rounded-xl border border-rose-200 bg-rose-50 p-5" data-testid="trust-decision-refused" role="alert">
        <div className="text-base font-semibold text-rose-800">{t("desk.doNotFinance", { reason: t(`checks.${decision.code}`) })}</div>
        {/* The title names the trust check; a provenance failure inside it is told by its own code. */}
        <VerifierFailure code={decision.code} detail={decision.detail} meaning={decision.code === "provenance_failed"} />
      </div>
    );
  }
  const { state, accepted } = decision;
  const facts: [string, string][] = [
    [t("desk.holder"), name(state.holderOrgId)],
    [t("desk.state"), tAll.has(`states.${state.state}`) ? tAll(`states.${state.state}`) : state.state],
    [t("desk.outstanding"), format.money(state.outstandingMinor)],
    [t("desk.maturity"), format.date(state.maturityDate)],
    [t("desk.pledge"), state.activePledge === null ? t("desk.pledgeNone") : t("desk.pledgeTo", { name: name(state.activePledge.lenderOrgId) })],
    [t("desk.financedBefore"), state.financedOnce ? t("desk.financedYes") : t("desk.financedNever")],
  ];
  return (
    <Card title={<span className="flex items-center gap-2">{t("desk.verifiedState")} <Badge tone="green">{t("desk.eligible")}</Badge></span>}>
      <div className="space-y-3" data-testid="trust-decision-eligible">
        <dl className="grid gap-4 text-sm sm:grid-cols-3">
          {facts.map(([label, value]) => (
            <div key={label}>
              <dt className="text-xs uppercase tracking-wide text-slate-500">{label}</dt>
              <dd className="mt-1 font-medium">{value}</dd>
            </div>
          ))}
        </dl>
        <p className="text-sm text-slate-700" data-testid="trust-cosigners">
          {t("desk.cosigners", { size: accepted.size, cosigners: accepted.cosigners.join(", "), hash: accepted.checkpointHash.slice(0, 16) })}
        </p>
      </div>
    </Card>
  );
}
