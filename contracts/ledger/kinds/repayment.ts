/** Repayment of an issuance by its core enterprise, allocated over its live pieces. */
import { z } from "zod";
import { applyRepaymentRecord } from "../repayment";
import { REPAYMENT_RECORD_CODES } from "../codes";
import { amountMinorSchema, claimIdSchema, paymentReferenceSchema } from "../fields";
import { defineKind, namesNothing, registeredSignerOnly } from "./descriptor";

export const repaymentRecord = defineKind({
  type: "repayment.record",
  body: z
    .object({ rootClaimId: claimIdSchema, amountMinor: amountMinorSchema, paymentReference: paymentReferenceSchema })
    .strict(),
  codes: REPAYMENT_RECORD_CODES,
  transition: applyRepaymentRecord,
  prefetch: (transaction) => ({ claimIds: [transaction.body.rootClaimId] }),
  names: { ...namesNothing, claims: (transaction) => [transaction.body.rootClaimId] },
  lineage: "whole-tree",
  signing: registeredSignerOnly,
});
