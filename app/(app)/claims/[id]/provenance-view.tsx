"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslations } from "next-intl";
import { hexToBytes } from "@/contracts/hex";
import { verifyProvenanceBatched, type ProvenanceBundle, type ProvenanceResult } from "@/contracts/provenance";
import { outstandingMinor } from "@/contracts/ledger/claims";
import { useTRPC } from "../../../_trpc/client";
import { Alert, Badge, Card } from "../../../_components/ui";
import { LoadingPage } from "../../../_components/status-page";
import { VerifierFailure } from "../../../_components/verifier-failure";
import { errorMessage } from "../../../_lib/errors";
import { useFormatters } from "../../../_lib/use-formatters";
import { createWebCryptoVerifier } from "../../../_lib/webcrypto-verifier";

/** One per page: it remembers imported keys, so a second bundle reuses them. */
const webCryptoVerifier = createWebCryptoVerifier();

async function timedVerify(bundle: ProvenanceBundle, publicKeyHex: string): Promise<{ value: ProvenanceResult; ms: number }> {
  const started = performance.now();
  const value = await verifyProvenanceBatched(bundle, hexToBytes(publicKeyHex, 32), webCryptoVerifier);
  return { value, ms: performance.now() - started };
}

/**
 * Fetches the claim's provenance bundle and verifies it here, in the browser, with the same
 * contracts the server runs: signatures, Merkle inclusion in the operator-signed checkpoint,
 * and a replay of every step. Nothing the server says about validity is trusted.
 */
export function ProvenanceView({ claimId }: { claimId: string }) {
  const t = useTranslations();
  const format = useFormatters();
  const trpc = useTRPC();
  const provenance = useQuery(trpc.ledger.provenance.queryOptions({ claimId }, { retry: false }));
  const key = useQuery(trpc.ledger.operatorKey.queryOptions());
  const bundle = provenance.data?.bundle;
  const publicKeyHex = key.data?.publicKeyHex;
  // The verdict is kept with the bundle and key it is about, so a new bundle never shows an old verdict.
  const [verified, setVerified] = useState<{ bundle: ProvenanceBundle; publicKeyHex: string; value: ProvenanceResult; ms: number } | null>(null);
  useEffect(() => {
    let current = true;
    if (bundle && publicKeyHex) void timedVerify(bundle, publicKeyHex).then((done) => current && setVerified({ bundle, publicKeyHex, ...done }));
    return () => {
      current = false;
    };
  }, [bundle, publicKeyHex]);
  const result = verified && verified.bundle === bundle && verified.publicKeyHex === publicKeyHex ? verified : null;

  if (provenance.error) return <Alert>{errorMessage(provenance.error, t)}</Alert>;
  if (!provenance.data || !key.data || !result) return <LoadingPage label={t("provenance.verifying")} />;
  const names = provenance.data.organisationNames;
  const claim = provenance.data.claim;
  const verdict = result.value;
  return (
    <div className="space-y-6">
      {verdict.ok ? (
        <div className="rounded-xl border border-emerald-200 bg-emerald-50 p-5" data-testid="provenance-ok" role="status">
          <div className="flex items-center gap-2 text-base font-semibold text-emerald-800">
            <svg width="20" height="20" viewBox="0 0 20 20" fill="currentColor" aria-hidden>
              <path d="M10 18a8 8 0 100-16 8 8 0 000 16zm-1-5.6l-3-3 1.4-1.4L9 9.6l3.6-3.6L14 7.4l-5 5z" />
            </svg>
            {t("provenance.verified")}
          </div>
          <p className="mt-1 text-sm text-emerald-900">{t("provenance.verifiedSummary")}</p>
          <details className="mt-2 text-sm text-emerald-900">
            <summary className="cursor-pointer text-xs font-medium text-emerald-800">{t("provenance.detail")}</summary>
            <ul className="mt-2 grid gap-1 sm:grid-cols-2">
              <li>{t("provenance.signatures", { count: verdict.checked.signatures })}</li>
              <li>{t("provenance.proofs", { count: verdict.checked.inclusionProofs })}</li>
              <li>{t("provenance.replayed", { count: verdict.checked.transactionsReplayed })}</li>
              <li>{t("provenance.checkpoint", { size: verdict.checked.checkpointSize, keyId: key.data.keyId.slice(0, 12) })}</li>
            </ul>
            <p className="mt-2 text-xs text-emerald-700">{t("provenance.verifiedIn", { ms: result.ms.toFixed(0) })}</p>
          </details>
        </div>
      ) : (
        <div className="rounded-xl border border-rose-200 bg-rose-50 p-5" data-testid="provenance-failed" data-code={verdict.code} role="alert">
          <div className="text-base font-semibold text-rose-800">{t("provenance.failed")}</div>
          <VerifierFailure code={verdict.code} detail={verdict.detail} {...(verdict.leafIndex === undefined ? {} : { leafIndex: verdict.leafIndex })} />
          <p className="mt-2 text-xs text-rose-700">{t("provenance.doNotRely")}</p>
        </div>
      )}
      <Card title={t("provenance.thisClaim")}>
        <dl className="grid gap-4 text-sm sm:grid-cols-4">
          <div>
            <dt className="text-xs uppercase tracking-wide text-slate-500">{t("provenance.amount")}</dt>
            <dd className="mt-1 font-semibold tabular-nums">{format.money(outstandingMinor(claim))}</dd>
            <dd className="mt-0.5 text-xs text-slate-500" data-testid="claim-capitals">{format.capitals(outstandingMinor(claim))}</dd>
          </div>
          <div>
            <dt className="text-xs uppercase tracking-wide text-slate-500">{t("provenance.holder")}</dt>
            <dd className="mt-1">{names[claim.holderOrgId] ?? claim.holderOrgId}</dd>
          </div>
          <div>
            <dt className="text-xs uppercase tracking-wide text-slate-500">{t("provenance.maturity")}</dt>
            <dd className="mt-1">{format.date(claim.maturityDate)}</dd>
          </div>
          <div>
            <dt className="text-xs uppercase tracking-wide text-slate-500">{t("provenance.statusTier")}</dt>
            <dd className="mt-1">
              <Badge tone="blue">{t.has(`states.${claim.state}`) ? t(`states.${claim.state}`) : claim.state}</Badge> · {claim.depth}
            </dd>
          </div>
        </dl>
      </Card>
      {verdict.ok ? (
        <Card title={t("provenance.path")}>
          <ol className="relative space-y-4 border-l border-slate-200 pl-6" data-testid="lineage">
            {verdict.lineage.map((step) => (
              <li key={step.txId}>
                <span className="absolute -left-1.5 mt-1.5 h-3 w-3 rounded-full border-2 border-white bg-brand-500" aria-hidden />
                <div className="flex flex-wrap items-baseline justify-between gap-2">
                  <div className="text-sm font-medium text-slate-900">
                    {t.has(`provenance.steps.${step.type}`) ? t(`provenance.steps.${step.type}`) : t.has(`transactions.${step.type}`) ? t(`transactions.${step.type}`) : t("claims.otherTransaction")} · {format.money(step.amountMinor)}
                  </div>
                  <div className="text-xs text-slate-500">{format.dateTime(step.acceptedAtMs)}</div>
                </div>
                <div className="text-xs text-slate-500">
                  {t("provenance.signedBy", { name: step.signerOrgName })}{" "}
                  <span className="text-slate-400" title={t("provenance.entry", { leaf: step.leafIndex, txId: step.txId.slice(0, 16) })}>
                    · {step.txId.slice(0, 8)}
                  </span>
                </div>
              </li>
            ))}
          </ol>
        </Card>
      ) : null}
    </div>
  );
}
