/** Financing policies: a lender's standing terms for a core enterprise's claims. */
import { z } from "zod";
import { applyFinancingPolicySet, applyFinancingPolicyRevoke } from "../policies";
import { FINANCING_POLICY_SET_CODES, FINANCING_POLICY_REVOKE_CODES } from "../codes";
import { amountMinorSchema, orgIdSchema, policyIdSchema, MAX_POLICY_DEPTH, rateBpsSchema, sha256HexSchema } from "../fields";
import { CURRENCIES } from "../types";
import { HIDDEN_TERMS } from "../../terms-commitments";
import { defineKind, namesNothing, registeredSignerOnly, approvedSigner } from "./descriptor";

export const financingPolicySet = defineKind({
  type: "financingPolicy.set",
  // In the clear (with a terms salt, or without), or, in a provenance bundle only, with its terms
  // as their commitment (terms-commitments.ts): the replay stands in an unbounded ceiling and depth.
  body: z.union([
    z
      .object({
        coreEnterpriseOrgId: orgIdSchema,
        currency: z.enum(CURRENCIES),
        maxAmountMinor: amountMinorSchema,
        maxDepth: z.int().min(1).max(MAX_POLICY_DEPTH),
        rateBps: rateBpsSchema,
        feeMinor: amountMinorSchema,
        recourse: z.boolean(),
        termsSaltHex: sha256HexSchema.optional(),
      })
      .strict(),
    z
      .object({ coreEnterpriseOrgId: orgIdSchema, currency: z.enum(CURRENCIES), termsCommitmentHex: sha256HexSchema })
      .strict()
      .transform((body) => ({ ...body, ...HIDDEN_TERMS["financingPolicy.set"] })),
  ]),
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
