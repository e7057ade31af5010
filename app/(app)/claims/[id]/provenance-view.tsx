"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { hexToBytes } from "@/contracts/hex";
import { verifyProvenanceBatched, type ProvenanceBundle, type ProvenanceResult } from "@/contracts/provenance";
import { outstandingMinor } from "@/contracts/ledger/claims";
import { useTRPC } from "../../../_trpc/client";
import { Alert, Badge, Card } from "../../../_components/ui";
import { errorMessage } from "../../../_lib/errors";
import { formatMinor } from "../../../_lib/format";
import { createWebCryptoVerifier } from "../../../_lib/webcrypto-verifier";

const STEP_LABEL: Record<string, string> = {
  "claim.issue": "Issued",
  "claim.accept": "Accepted",
  "claim.split": "Split and passed on",
  "claim.reject": "Rejected",
  "claim.withdraw": "Withdrawn",
  "claim.pledge": "Pledged",
  "claim.release": "Released",
  "financing.request": "Financing requested",
  "financing.offer": "Financing offered",
  "financing.accept": "Financing accepted",
  "financing.disburse": "Financed (disbursed)",
  "financing.decline": "Financing declined",
};

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

  if (provenance.error) return <Alert>{errorMessage(provenance.error)}</Alert>;
  if (!provenance.data || !key.data || !result) return <p className="text-sm text-slate-500">Fetching and verifying the provenance in your browser…</p>;
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
            Provenance verified in your browser
          </div>
          <ul className="mt-2 grid gap-1 text-sm text-emerald-900 sm:grid-cols-2">
            <li>{verdict.checked.signatures} Ed25519 signatures checked</li>
            <li>{verdict.checked.inclusionProofs} Merkle inclusion proofs (RFC 9162)</li>
            <li>{verdict.checked.transactionsReplayed} transactions replayed through the contracts</li>
            <li>Checkpoint of {verdict.checked.checkpointSize} transactions, signed by the operator key the platform names ({key.data.keyId.slice(0, 12)}…), not one you pinned: see the trust checks</li>
          </ul>
          <p className="mt-2 text-xs text-emerald-700">Verified in {result.ms.toFixed(0)} ms. Back to the core enterprise&apos;s signed issuance.</p>
        </div>
      ) : (
        <div className="rounded-xl border border-rose-200 bg-rose-50 p-5" data-testid="provenance-failed" role="alert">
          <div className="text-base font-semibold text-rose-800">Provenance check failed: {verdict.code.replaceAll("_", " ")}</div>
          <p className="mt-1 text-sm text-rose-800">
            {verdict.detail}
            {verdict.leafIndex !== undefined ? ` (ledger leaf #${verdict.leafIndex})` : ""}
          </p>
          <p className="mt-2 text-xs text-rose-700">Do not rely on this claim. Report it to the platform operator and your auditor.</p>
        </div>
      )}
      <Card title="This claim">
        <dl className="grid gap-4 text-sm sm:grid-cols-4">
          <div>
            <dt className="text-xs uppercase tracking-wide text-slate-500">Amount</dt>
            <dd className="mt-1 font-semibold tabular-nums">{formatMinor(outstandingMinor(claim))}</dd>
          </div>
          <div>
            <dt className="text-xs uppercase tracking-wide text-slate-500">Holder</dt>
            <dd className="mt-1">{names[claim.holderOrgId] ?? claim.holderOrgId}</dd>
          </div>
          <div>
            <dt className="text-xs uppercase tracking-wide text-slate-500">Maturity</dt>
            <dd className="mt-1">{claim.maturityDate}</dd>
          </div>
          <div>
            <dt className="text-xs uppercase tracking-wide text-slate-500">Status · tier</dt>
            <dd className="mt-1">
              <Badge tone="blue">{claim.state}</Badge> · {claim.depth}
            </dd>
          </div>
        </dl>
      </Card>
      {verdict.ok ? (
        <Card title="Path from the core enterprise's issuance">
          <ol className="relative space-y-4 border-l border-slate-200 pl-6" data-testid="lineage">
            {verdict.lineage.map((step) => (
              <li key={step.txId}>
                <span className="absolute -left-1.5 mt-1.5 h-3 w-3 rounded-full border-2 border-white bg-brand-500" aria-hidden />
                <div className="flex flex-wrap items-baseline justify-between gap-2">
                  <div className="text-sm font-medium text-slate-900">
                    {STEP_LABEL[step.type] ?? step.type} · {formatMinor(step.amountMinor)}
                  </div>
                  <div className="text-xs text-slate-500">{new Date(step.acceptedAtMs).toLocaleString("en-GB", { timeZone: "UTC" })} UTC</div>
                </div>
                <div className="text-xs text-slate-500">
                  signed by {step.signerOrgName} · leaf #{step.leafIndex} · tx {step.txId.slice(0, 16)}…
                </div>
              </li>
            ))}
          </ol>
        </Card>
      ) : null}
    </div>
  );
}
