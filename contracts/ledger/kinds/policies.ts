/** Financing policies: a lender's standing terms for a core enterprise's claims. */
import { z } from "zod";
import { applyFinancingPolicySet, applyFinancingPolicyRevoke } from "../policies";
import { FINANCING_POLICY_SET_CODES, FINANCING_POLICY_REVOKE_CODES } from "../codes";
import { amountMinorSchema, orgIdSchema, policyIdSchema, MAX_POLICY_DEPTH, rateBpsSchema } from "../fields";
import { CURRENCIES } from "../types";
import { defineKind, namesNothing, registeredSignerOnly, approvedSigner } from "./descriptor";

export const financingPolicySet = defineKind({
  type: "financingPolicy.set",
  body: z
    .object({
      coreEnterpriseOrgId: orgIdSchema,
      currency: z.enum(CURRENCIES),
      maxAmountMinor: amountMinorSchema,
      maxDepth: z.int().min(1).max(MAX_POLICY_DEPTH),
      rateBps: rateBpsSchema,
      feeMinor: amountMinorSchema,
      recourse: z.boolean(),
    })
    .strict(),
  codes: FINANCING_POLICY_SET_CODES,
  transition: applyFinancingPolicySet,
  prefetch: (transaction) => ({
    orgIds: [transaction.body.coreEnterpriseOrgId],
    activePolicies: [{ lenderOrgId: transaction.signer.orgId, coreEnterpriseOrgId: transaction.body.coreEnterpriseOrgId }],
  }),
  names: { ...namesNothing, orgs: (body) => [body.coreEnterpriseOrgId] },
  lineage: "policy-introduction",
  signing: approvedSigner,
});

export const financingPolicyRevoke = defineKind({
  type: "financingPolicy.revoke",
  body: z.object({ policyId: policyIdSchema }).strict(),
  codes: FINANCING_POLICY_REVOKE_CODES,
  transition: applyFinancingPolicyRevoke,
  prefetch: (transaction) => ({ policyIds: [transaction.body.policyId] }),
  names: namesNothing,
  lineage: "none",
  signing: registeredSignerOnly,
});
