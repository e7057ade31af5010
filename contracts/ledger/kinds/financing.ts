/** Financing of a claim: application (negotiated or under a policy), offer, answer, disbursement. */
import { z } from "zod";
import { applyFinancingRequest, applyFinancingRequestUnderPolicy, applyFinancingOffer, applyFinancingAccept, applyFinancingDecline, applyFinancingDisburse } from "../financing";
import { FINANCING_REQUEST_CODES, FINANCING_REQUEST_UNDER_POLICY_CODES, FINANCING_OFFER_CODES, FINANCING_ACCEPT_CODES, FINANCING_DECLINE_CODES, FINANCING_DISBURSE_CODES } from "../codes";
import { amountMinorSchema, dateSchema, orgIdSchema, claimIdSchema, policyIdSchema, financingIdSchema, rateBpsSchema, reasonSchema, paymentReferenceSchema, sha256HexSchema } from "../fields";
import { HIDDEN_TERMS } from "../../terms-commitments";
import { defineKind, namesNothing, registeredSignerOnly, approvedSigner } from "./descriptor";

/*
 * The kinds with terms (terms-commitments.ts TERM_FIELDS) take their body in the clear (with a
 * terms salt, or without: the form before commitments) or, in a provenance bundle only, with the
 * terms as their commitment: the replay then stands in HIDDEN_TERMS, and the contract refuses
 * that form everywhere else (financing_terms_hidden).
 */

/** A financing entry is about the claim of its financing (undefined while the log has not shown the application). */
function financingClaim(financingId: string, claimOfFinancing: (financingId: string) => string | undefined): string[] {
  const claimId = claimOfFinancing(financingId);
  return claimId === undefined ? [] : [claimId];
}

export const financingRequest = defineKind({
  type: "financing.request",
  body: z.object({ claimId: claimIdSchema, lenderOrgId: orgIdSchema }).strict(),
  codes: FINANCING_REQUEST_CODES,
  transition: applyFinancingRequest,
  prefetch: (transaction) => ({ claimIds: [transaction.body.claimId], orgIds: [transaction.body.lenderOrgId] }),
  names: { ...namesNothing, claims: (transaction) => [transaction.body.claimId], orgs: (body) => [body.lenderOrgId] },
  lineage: "claims",
  signing: registeredSignerOnly,
});

export const financingRequestUnderPolicy = defineKind({
  type: "financing.requestUnderPolicy",
  body: z.union([
    z
      .object({
        claimId: claimIdSchema,
        policyId: policyIdSchema,
        rateBps: rateBpsSchema,
        feeMinor: amountMinorSchema,
        recourse: z.boolean(),
        disbursementDate: dateSchema,
        termsSaltHex: sha256HexSchema.optional(),
      })
      .strict(),
    z
      .object({ claimId: claimIdSchema, policyId: policyIdSchema, termsCommitmentHex: sha256HexSchema })
      .strict()
      .transform((body) => ({ ...body, ...HIDDEN_TERMS["financing.requestUnderPolicy"] })),
  ]),
  codes: FINANCING_REQUEST_UNDER_POLICY_CODES,
  transition: applyFinancingRequestUnderPolicy,
  prefetch: (transaction) => ({ claimIds: [transaction.body.claimId], policyIds: [transaction.body.policyId] }),
  names: { ...namesNothing, claims: (transaction) => [transaction.body.claimId] },
  lineage: "claims",
  signing: registeredSignerOnly,
});

export const financingOffer = defineKind({
  type: "financing.offer",
  body: z.union([
    z
      .object({
        financingId: financingIdSchema,
        rateBps: rateBpsSchema,
        feeMinor: amountMinorSchema,
        disbursementDate: dateSchema,
        recourse: z.boolean(),
        checkpointHash: sha256HexSchema,
        termsSaltHex: sha256HexSchema.optional(),
      })
      .strict(),
    z
      .object({ financingId: financingIdSchema, checkpointHash: sha256HexSchema, termsCommitmentHex: sha256HexSchema })
      .strict()
      .transform((body) => ({ ...body, ...HIDDEN_TERMS["financing.offer"] })),
  ]),
  codes: FINANCING_OFFER_CODES,
  transition: applyFinancingOffer,
  prefetch: (transaction) => ({ financingIds: [transaction.body.financingId], checkpointHashes: [transaction.body.checkpointHash] }),
  names: { ...namesNothing, claims: (transaction, _txId, claimOfFinancing) => financingClaim(transaction.body.financingId, claimOfFinancing) },
  lineage: "claims",
  signing: approvedSigner,
});

export const financingAccept = defineKind({
  type: "financing.accept",
  body: z.object({ financingId: financingIdSchema }).strict(),
  codes: FINANCING_ACCEPT_CODES,
  transition: applyFinancingAccept,
  prefetch: (transaction) => ({ financingIds: [transaction.body.financingId] }),
  names: { ...namesNothing, claims: (transaction, _txId, claimOfFinancing) => financingClaim(transaction.body.financingId, claimOfFinancing) },
  lineage: "claims",
  signing: registeredSignerOnly,
});

export const financingDecline = defineKind({
  type: "financing.decline",
  body: z.union([
    z.object({ financingId: financingIdSchema, reason: reasonSchema, termsSaltHex: sha256HexSchema.optional() }).strict(),
    z
      .object({ financingId: financingIdSchema, termsCommitmentHex: sha256HexSchema })
      .strict()
      .transform((body) => ({ ...body, ...HIDDEN_TERMS["financing.decline"] })),
  ]),
  codes: FINANCING_DECLINE_CODES,
  transition: applyFinancingDecline,
  prefetch: (transaction) => ({ financingIds: [transaction.body.financingId] }),
  names: { ...namesNothing, claims: (transaction, _txId, claimOfFinancing) => financingClaim(transaction.body.financingId, claimOfFinancing) },
  lineage: "claims",
  signing: registeredSignerOnly,
});

export const financingDisburse = defineKind({
  type: "financing.disburse",
  body: z.union([
    z
      .object({ financingId: financingIdSchema, paymentReference: paymentReferenceSchema, checkpointHash: sha256HexSchema, termsSaltHex: sha256HexSchema.optional() })
      .strict(),
    z
      .object({ financingId: financingIdSchema, checkpointHash: sha256HexSchema, termsCommitmentHex: sha256HexSchema })
      .strict()
      .transform((body) => ({ ...body, ...HIDDEN_TERMS["financing.disburse"] })),
  ]),
  codes: FINANCING_DISBURSE_CODES,
  transition: applyFinancingDisburse,
  prefetch: (transaction) => ({ financingIds: [transaction.body.financingId], checkpointHashes: [transaction.body.checkpointHash] }),
  names: { ...namesNothing, claims: (transaction, _txId, claimOfFinancing) => financingClaim(transaction.body.financingId, claimOfFinancing) },
  lineage: "claims",
  signing: registeredSignerOnly,
});
