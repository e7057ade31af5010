/** Credit lines a lender grants a core enterprise, and the lender's changes to them. */
import { z } from "zod";
import { deriveId } from "../../canonical";
import { applyCreditLineGrant, applyCreditLineAdjust, applyCreditLineFreeze, applyCreditLineExpire } from "../credit-lines";
import { CREDIT_LINE_GRANT_CODES, CREDIT_LINE_ADJUST_CODES, CREDIT_LINE_FREEZE_CODES, CREDIT_LINE_EXPIRE_CODES } from "../codes";
import { amountMinorSchema, orgIdSchema, creditLineIdSchema, epochMsSchema } from "../fields";
import { CURRENCIES } from "../types";
import { HIDDEN_TERMS } from "../../terms-commitments";
import { defineKind, namesNothing, registeredSignerOnly, approvedSigner } from "./descriptor";

/** 32 bytes of lowercase hex: a terms salt or commitment (terms-commitments.ts). */
const hex32 = z.string().regex(/^[0-9a-f]{64}$/, "32 bytes of lowercase hex");

export const creditLineGrant = defineKind({
  type: "creditLine.grant",
  // In the clear (with a terms salt, or without: the form before commitments), or, in a
  // provenance bundle only, with its terms as their commitment: the replay then stands in an
  // unbounded limit and no expiry (the contract refuses that form everywhere else).
  body: z.union([
    z
      .object({
        coreEnterpriseOrgId: orgIdSchema,
        currency: z.enum(CURRENCIES),
        limitMinor: amountMinorSchema,
        expiresAtMs: epochMsSchema,
        termsSaltHex: hex32.optional(),
      })
      .strict(),
    z
      .object({ coreEnterpriseOrgId: orgIdSchema, currency: z.enum(CURRENCIES), termsCommitmentHex: hex32 })
      .strict()
      .transform((body) => ({ ...body, ...HIDDEN_TERMS["creditLine.grant"] })),
  ]),
  codes: CREDIT_LINE_GRANT_CODES,
  transition: applyCreditLineGrant,
  prefetch: (transaction) => ({ orgIds: [transaction.body.coreEnterpriseOrgId] }),
  names: { ...namesNothing, orgs: (body) => [body.coreEnterpriseOrgId], creditLines: (_body, txId) => [deriveId("cl", txId, 0)] },
  lineage: "credit-line",
  signing: approvedSigner,
});

export const creditLineAdjust = defineKind({
  type: "creditLine.adjust",
  body: z.union([
    z.object({ creditLineId: creditLineIdSchema, limitMinor: amountMinorSchema, termsSaltHex: hex32.optional() }).strict(),
    z
      .object({ creditLineId: creditLineIdSchema, termsCommitmentHex: hex32 })
      .strict()
      .transform((body) => ({ ...body, ...HIDDEN_TERMS["creditLine.adjust"] })),
  ]),
  codes: CREDIT_LINE_ADJUST_CODES,
  transition: applyCreditLineAdjust,
  prefetch: (transaction) => ({ creditLineIds: [transaction.body.creditLineId] }),
  names: { ...namesNothing, creditLines: (body) => [body.creditLineId] },
  lineage: "credit-line",
  signing: approvedSigner,
});

export const creditLineFreeze = defineKind({
  type: "creditLine.freeze",
  body: z.object({ creditLineId: creditLineIdSchema, frozen: z.boolean() }).strict(),
  codes: CREDIT_LINE_FREEZE_CODES,
  transition: applyCreditLineFreeze,
  prefetch: (transaction) => ({ creditLineIds: [transaction.body.creditLineId] }),
  names: { ...namesNothing, creditLines: (body) => [body.creditLineId] },
  lineage: "credit-line",
  signing: registeredSignerOnly,
});

export const creditLineExpire = defineKind({
  type: "creditLine.expire",
  body: z.object({ creditLineId: creditLineIdSchema }).strict(),
  codes: CREDIT_LINE_EXPIRE_CODES,
  transition: applyCreditLineExpire,
  prefetch: (transaction) => ({ creditLineIds: [transaction.body.creditLineId] }),
  names: { ...namesNothing, creditLines: (body) => [body.creditLineId] },
  lineage: "credit-line",
  signing: registeredSignerOnly,
});
