import { z } from "zod";

/*
 * The shapes of /api/v1's answers, as zod schemas: the OpenAPI document is generated from them
 * (openapi.ts) and the suite checks every answer against that document. Amounts are decimal
 * strings of minor units (fen), named …Minor as everywhere else: JSON numbers lose precision
 * above 2^53 and a float is never money. Objects are open (more fields may appear in later
 * versions of v1); the listed fields are promised.
 */

export const minorAmount = z.string().regex(/^-?[0-9]+$/).describe("An amount in minor units (fen), as a decimal string.");
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).describe("A calendar date in China Standard Time (YYYY-MM-DD).");
const ms = z.number().int().describe("Milliseconds since the Unix epoch (UTC).");

export const problemSchema = z
  .looseObject({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().describe("A stable machine code: the ledger contract's result code for a refused transaction."),
    txId: z.string().nullable().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .describe("RFC 9457 problem details.");

export const claimSchema = z.looseObject({
  id: z.string(),
  rootId: z.string(),
  parentId: z.string().nullable(),
  issuerOrgId: z.string(),
  creditLineId: z.string(),
  holderOrgId: z.string(),
  offeredToOrgId: z.string().nullable(),
  amountMinor: minorAmount,
  settledMinor: minorAmount,
  currency: z.string(),
  maturityDate: date,
  depth: z.number().int(),
  state: z.string(),
  createdTxId: z.string(),
  financedOnce: z.boolean(),
  activeFinancingId: z.string().nullable(),
});

export const claimPageSchema = z.object({
  items: z.array(claimSchema),
  nextCursor: z.string().nullable().describe("Pass as `cursor` for the next page; null on the last page."),
});

export const provenanceSchema = z.looseObject({
  claim: claimSchema,
  bundle: z.looseObject({
    claimId: z.string(),
    entries: z.array(z.looseObject({ leafIndex: z.number().int() })),
    inclusionProofs: z.array(z.unknown()),
    checkpoint: z.looseObject({}),
  }),
  organisationNames: z.record(z.string(), z.string()),
});

export const acceptedSchema = z.looseObject({
  status: z.literal("accepted"),
  txId: z.string(),
  leafIndex: z.number().int(),
  acceptedAtMs: ms,
  duplicate: z.boolean().describe("True when this transaction was already on the ledger: the original answer."),
  events: z.array(z.looseObject({})),
});

export const financingSchema = z.looseObject({
  id: z.string(),
  status: z.string(),
  claimId: z.string(),
  holderOrgId: z.string(),
  holderName: z.string(),
  lenderOrgId: z.string(),
  lenderName: z.string(),
  issuerName: z.string(),
  claimAmountMinor: minorAmount,
  faceMinor: minorAmount.nullable(),
  outstandingMinor: minorAmount,
  maturityDate: date,
  depth: z.number().int(),
  rateBps: z.number().int().nullable(),
  feeMinor: minorAmount.nullable(),
  interestMinor: minorAmount.nullable(),
  netMinor: minorAmount.nullable(),
  disbursementDate: date.nullable(),
  recourse: z.boolean().nullable(),
  paymentReference: z.string().nullable(),
  createdTxId: z.string(),
});

export const quoteSchema = z.object({
  financingId: z.string(),
  faceMinor: minorAmount,
  rateBps: z.number().int(),
  disbursementDate: date,
  maturityDate: date,
  days: z.number().int(),
  interestMinor: minorAmount,
  feesMinor: minorAmount,
  netMinor: minorAmount,
});

export const creditLineSchema = z.looseObject({
  id: z.string(),
  lenderOrgId: z.string(),
  coreEnterpriseOrgId: z.string(),
  limitMinor: minorAmount,
  usedMinor: minorAmount,
  availableMinor: minorAmount,
  expiresAtMs: ms,
  status: z.enum(["active", "frozen", "expired"]),
});

export const maturitySchema = z.looseObject({
  rootId: z.string(),
  faceMinor: minorAmount,
  repaidMinor: minorAmount,
  outstandingMinor: minorAmount,
  overdueMinor: minorAmount,
  maturityDate: date,
  daysToMaturity: z.number().int(),
  holders: z.number().int(),
});

export const checkpointSchema = z.object({
  size: z.number().int(),
  rootHash: z.string(),
  timestampMs: ms,
  checkpointHash: z.string(),
  keyId: z.string(),
  operatorPublicKeyHex: z.string(),
});

export const organisationKeysSchema = z.object({
  items: z.array(
    z.object({
      orgId: z.string(),
      orgName: z.string(),
      role: z.string(),
      keys: z.array(z.object({ keyId: z.string(), publicKeyHex: z.string(), status: z.enum(["active", "revoked"]), registeredAtMs: ms, revokedAtMs: ms.nullable() })),
    }),
  ),
});

export const listOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });
