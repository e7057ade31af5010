"use client";

import { useTranslations } from "next-intl";
import { useCallback, useState } from "react";
import type { FinancingDto } from "../../../_trpc/types";
import { FinancingActions } from "./financing-actions";
import { TrustChecks, type DeskDecision } from "./trust-checks";

type Translate = ReturnType<typeof useTranslations<"trust">>;

/** Why the desk may not offer yet, or null. */
function offerBlocked(t: Translate, decision: DeskDecision): string | null {
  switch (decision.status) {
    case "checking":
      return t("desk.checking");
    case "refused":
      return t("desk.notOffered", { reason: t(`checks.${decision.code}`) });
    // Until the server serves cosigned checkpoints and the demo pins a policy (docs/witness.md §6), a
    // browser without a policy keeps the old path, with the warning TrustChecks shows.
    case "no-policy":
    case "eligible":
      return null;
  }
}

/** The checkpoint the desk's checks ran against: the one a signed offer or disbursement names. */
function decidedOn(decision: DeskDecision): string | null {
  if (decision.status === "eligible") return decision.accepted.checkpointHash;
  if (decision.status === "no-policy") return decision.checkpointHash;
  return null;
}

/** The lender's side of an application: its own trust checks first, then the actions they allow. */
export function LenderDesk({ orgId, financing, canSign }: { orgId: string; financing: FinancingDto; canSign: boolean }) {
  const t = useTranslations("trust");
  const [decision, setDecision] = useState<DeskDecision>({ status: "checking" });
  const onDecision = useCallback((value: DeskDecision) => setDecision(value), []);
  const checks = financing.status === "requested" || financing.status === "offered" || financing.status === "accepted";
  return (
    <>
      {checks ? <TrustChecks orgId={orgId} financing={financing} onDecision={onDecision} /> : null}
      <FinancingActions financing={financing} role="lender" canSign={canSign} offerBlocked={checks ? offerBlocked(t, decision) : null} checkpointHash={decidedOn(decision)} />
    </>
  );
}
