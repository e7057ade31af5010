/** Claims: issuance against a credit line, the offer and its answer, splits, pledges, overdue marks. */
import { z } from "zod";
import { deriveId } from "../../canonical";
import { applyClaimIssue, applyClaimAccept, applyClaimReject, applyClaimWithdraw, applyClaimSplit, applyClaimPledge, applyClaimRelease, applyClaimMarkOverdue } from "../claims";
import { CLAIM_ISSUE_CODES, CLAIM_ACCEPT_CODES, CLAIM_REJECT_CODES, CLAIM_WITHDRAW_CODES, CLAIM_SPLIT_CODES, CLAIM_PLEDGE_CODES, CLAIM_RELEASE_CODES, CLAIM_MARK_OVERDUE_CODES } from "../codes";
import { amountMinorSchema, dateSchema, orgIdSchema, sha256HexSchema, creditLineIdSchema, claimIdSchema, reasonSchema, tradeReferenceWireSchema, MAX_SPLIT_PARTS } from "../fields";
import { CURRENCIES, type SplitPart } from "../types";
import { defineKind, namesNothing, registeredSignerOnly, approvedSigner } from "./descriptor";

export const claimIssue = defineKind({
  type: "claim.issue",
  body: z
    .object({
      creditLineId: creditLineIdSchema,
      toOrgId: orgIdSchema,
      amountMinor: amountMinorSchema,
      currency: z.enum(CURRENCIES),
      maturityDate: dateSchema,
      documents: z
        // `reference` was added later and is optional, so entries signed before it encode as they did.
        .object({ invoiceSha256: sha256HexSchema, contractSha256: sha256HexSchema, deliveryNoteSha256: sha256HexSchema, reference: tradeReferenceWireSchema.optional() })
        .strict(),
    })
    .strict(),
  codes: CLAIM_ISSUE_CODES,
  transition: applyClaimIssue,
  prefetch: (transaction) => ({
    creditLineIds: [transaction.body.creditLineId],
    orgIds: [transaction.body.toOrgId],
    invoices: [transaction.body.documents.invoiceSha256],
  }),
  names: {
    claims: (_transaction, txId) => [deriveId("c", txId, 0)],
    orgs: (body) => [body.toOrgId],
    creditLines: (body) => [body.creditLineId],
  },
  lineage: "claims",
  signing: approvedSigner,
});

export const claimAccept = defineKind({
  type: "claim.accept",
  body: z.object({ claimId: claimIdSchema }).strict(),
  codes: CLAIM_ACCEPT_CODES,
  transition: applyClaimAccept,
  prefetch: (transaction) => ({ claimIds: [transaction.body.claimId] }),
  names: { ...namesNothing, claims: (transaction) => [transaction.body.claimId] },
  lineage: "claims",
  signing: registeredSignerOnly,
});

export const claimReject = defineKind({
  type: "claim.reject",
  body: z.object({ claimId: claimIdSchema, reason: reasonSchema }).strict(),
  codes: CLAIM_REJECT_CODES,
  transition: applyClaimReject,
  prefetch: (transaction) => ({ claimIds: [transaction.body.claimId] }),
  names: { ...namesNothing, claims: (transaction) => [transaction.body.claimId] },
  lineage: "claims",
  signing: registeredSignerOnly,
});

export const claimWithdraw = defineKind({
  type: "claim.withdraw",
  body: z.object({ claimId: claimIdSchema }).strict(),
  codes: CLAIM_WITHDRAW_CODES,
  transition: applyClaimWithdraw,
  prefetch: (transaction) => ({ claimIds: [transaction.body.claimId] }),
  names: { ...namesNothing, claims: (transaction) => [transaction.body.claimId] },
  lineage: "claims",
  signing: registeredSignerOnly,
});

export const claimSplit = defineKind({
  type: "claim.split",
  body: z
    .object({
      claimId: claimIdSchema,
      // Plain parts, parts with the openings of their commitments, or (in a bundle) commitments
      // alone; contracts/split-commitments.ts. The contract refuses a mix, and commitments alone
      // outside a provenance replay.
      parts: z
        .array(
          z.union([
            z.object({ toOrgId: orgIdSchema, amountMinor: amountMinorSchema }).strict(),
            z.object({ toOrgId: orgIdSchema, amountMinor: amountMinorSchema, saltHex: sha256HexSchema, blindingHex: sha256HexSchema }).strict(),
            z.object({ holderCommitmentHex: sha256HexSchema, amountCommitmentHex: sha256HexSchema }).strict(),
          ]),
        )
        .min(1)
        .max(MAX_SPLIT_PARTS),
    })
    .strict(),
  codes: CLAIM_SPLIT_CODES,
  transition: applyClaimSplit,
  prefetch: (transaction) => ({ claimIds: [transaction.body.claimId], orgIds: receiversOf(transaction.body.parts) }),
  names: {
    ...namesNothing,
    claims: (transaction, txId) => [transaction.body.claimId, ...transaction.body.parts.map((_, part) => deriveId("c", txId, part))],
    orgs: (body) => receiversOf(body.parts),
  },
  lineage: "claims",
  signing: registeredSignerOnly,
});

/** The receivers a split shows: a part hidden behind its commitments names nobody. */
function receiversOf(parts: readonly SplitPart[]): string[] {
  return parts.flatMap((part) => ("toOrgId" in part ? [part.toOrgId] : []));
}

export const claimPledge = defineKind({
  type: "claim.pledge",
  body: z.object({ claimId: claimIdSchema, lenderOrgId: orgIdSchema }).strict(),
  codes: CLAIM_PLEDGE_CODES,
  transition: applyClaimPledge,
  prefetch: (transaction) => ({ claimIds: [transaction.body.claimId], orgIds: [transaction.body.lenderOrgId] }),
  names: { ...namesNothing, claims: (transaction) => [transaction.body.claimId], orgs: (body) => [body.lenderOrgId] },
  lineage: "claims",
  signing: registeredSignerOnly,
});

export const claimRelease = defineKind({
  type: "claim.release",
  body: z.object({ claimId: claimIdSchema }).strict(),
  codes: CLAIM_RELEASE_CODES,
  transition: applyClaimRelease,
  prefetch: (transaction) => ({ claimIds: [transaction.body.claimId] }),
  names: { ...namesNothing, claims: (transaction) => [transaction.body.claimId] },
  lineage: "claims",
  signing: registeredSignerOnly,
});

export const claimMarkOverdue = defineKind({
  type: "claim.markOverdue",
  body: z.object({ rootClaimId: claimIdSchema }).strict(),
  codes: CLAIM_MARK_OVERDUE_CODES,
  transition: applyClaimMarkOverdue,
  // The operator's key set: whether the signer holds the overdue role (roles.ts operatorKeysFor).
  prefetch: (transaction) => ({ claimIds: [transaction.body.rootClaimId], keySets: [transaction.signer.orgId] }),
  names: { ...namesNothing, claims: (transaction) => [transaction.body.rootClaimId] },
  lineage: "whole-tree",
  signing: registeredSignerOnly,
});
