/** An organisation's maker-checker rules (contracts/ledger/approvals.ts). */
import { z } from "zod";
import { applyApprovalPolicySet } from "../approvals";
import { APPROVAL_POLICY_SET_CODES } from "../codes";
import { amountMinorSchema } from "../fields";
import { approvedSigner, defineKind, namesNothing } from "./descriptor";

export const approvalPolicySet = defineKind({
  type: "approvalPolicy.set",
  body: z
    .object({
      approvalAboveMinor: amountMinorSchema.nullable(),
      keyChangeAdmins: z.union([z.literal(1), z.literal(2)]),
    })
    .strict(),
  codes: APPROVAL_POLICY_SET_CODES,
  transition: applyApprovalPolicySet,
  prefetch: () => ({}),
  names: namesNothing,
  lineage: "none",
  signing: approvedSigner,
});
