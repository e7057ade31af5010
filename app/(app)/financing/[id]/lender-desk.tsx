"use client";

import { useCallback, useState } from "react";
import { TRUST_CHECK_TEXT } from "@/contracts/trust-policy";
import type { FinancingDto } from "../../../_trpc/types";
import { FinancingActions } from "./financing-actions";
import { TrustChecks, type DeskDecision } from "./trust-checks";

/** Why the desk may not offer yet, or null. */
function offerBlocked(decision: DeskDecision): string | null {
  switch (decision.status) {
    case "checking":
      return "Checking the application against your trust policy…";
    case "refused":
      return `Not offered: ${TRUST_CHECK_TEXT[decision.code]}`;
    // Until the server serves cosigned checkpoints and the demo pins a policy (docs/witness.md §6), a
    // browser without a policy keeps the old path, with the warning TrustChecks shows.
    case "no-policy":
    case "eligible":
      return null;
  }
}

/** The lender's side of an application: its own trust checks first, then the actions they allow. */
export function LenderDesk({ orgId, financing, canSign }: { orgId: string; financing: FinancingDto; canSign: boolean }) {
  const [decision, setDecision] = useState<DeskDecision>({ status: "checking" });
  const onDecision = useCallback((value: DeskDecision) => setDecision(value), []);
  const checks = financing.status === "requested" || financing.status === "offered" || financing.status === "accepted";
  return (
    <>
      {checks ? <TrustChecks orgId={orgId} financing={financing} onDecision={onDecision} /> : null}
      <FinancingActions financing={financing} role="lender" canSign={canSign} offerBlocked={checks ? offerBlocked(decision) : null} />
    </>
  );
}
