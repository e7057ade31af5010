/**
 * Auto-financing policies: a lender's signed, standing mandate for the claims of one core
 * enterprise. Setting a policy replaces the lender's active one for that core enterprise
 * (at most one is active per pair, which the invariants and a unique index both hold);
 * only the lender revokes it. Applications under a policy live in financing.ts.
 */
import { deriveId } from "../canonical";
import type { CodeIn, FINANCING_POLICY_REVOKE_CODES, FINANCING_POLICY_SET_CODES } from "./codes";
import { fail, succeed, type Outcome, type TransitionContext } from "./outcome";
import type { StateView } from "./state";
import type { FinancingPolicy, LedgerEnvelope, StateChange } from "./types";

export function applyFinancingPolicySet(
  view: StateView,
  transaction: LedgerEnvelope<"financingPolicy.set">,
  context: TransitionContext,
): Outcome<CodeIn<typeof FINANCING_POLICY_SET_CODES>> {
  const { body, signer } = transaction;
  // Terms as their commitment alone are a provenance bundle's (terms-commitments.ts); the ledger takes them in full.
  const hidden = body.termsCommitmentHex !== undefined;
  if (hidden && context.partialReplay !== true) return fail("financing_terms_hidden");
  if (context.signerOrg?.role !== "lender") return fail("signer_not_lender");
  const target = view.getOrg(body.coreEnterpriseOrgId);
  if (target === undefined) return fail("organisation_not_found", body.coreEnterpriseOrgId);
  if (target.role !== "core_enterprise") return fail("recipient_not_core_enterprise");
  if (body.maxAmountMinor <= 0n) return fail("policy_max_amount_not_positive");
  const policy: FinancingPolicy = {
    id: deriveId("pol", context.txId, 0),
    lenderOrgId: signer.orgId,
    coreEnterpriseOrgId: target.id,
    currency: body.currency,
    maxAmountMinor: body.maxAmountMinor,
    maxDepth: body.maxDepth,
    rateBps: body.rateBps,
    feeMinor: body.feeMinor,
    recourse: body.recourse,
    status: "active",
    createdTxId: context.txId,
    endedTxId: null,
    ...(hidden ? { termsHidden: true as const } : {}),
  };
  const changes: StateChange[] = [];
  const events: Parameters<typeof succeed>[1] = [];
  const previous = view.getActivePolicy(signer.orgId, target.id);
  if (previous !== undefined) {
    changes.push({ kind: "policy", value: { ...previous, status: "replaced", endedTxId: context.txId } });
    events.push({ type: "financingPolicy.ended", policyId: previous.id, status: "replaced" });
  }
  changes.push({ kind: "policy", value: policy });
  events.push({ type: "financingPolicy.set", policyId: policy.id, lenderOrgId: policy.lenderOrgId, coreEnterpriseOrgId: target.id });
  return succeed(changes, events);
}

export function applyFinancingPolicyRevoke(
  view: StateView,
  transaction: LedgerEnvelope<"financingPolicy.revoke">,
  context: TransitionContext,
): Outcome<CodeIn<typeof FINANCING_POLICY_REVOKE_CODES>> {
  const policy = view.getPolicy(transaction.body.policyId);
  if (policy === undefined) return fail("policy_not_found");
  if (policy.lenderOrgId !== transaction.signer.orgId) return fail("signer_not_policy_lender");
  if (policy.status !== "active") return fail("policy_not_active", `status ${policy.status}`);
  return succeed(
    [{ kind: "policy", value: { ...policy, status: "revoked", endedTxId: context.txId } }],
    [{ type: "financingPolicy.ended", policyId: policy.id, status: "revoked" }],
  );
}
