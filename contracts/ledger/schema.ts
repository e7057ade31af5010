/**
 * Zod schemas of the wire form of ledger transactions, shared by the server's tRPC input,
 * the browser and the verifier.
 *
 * Decoding must never change what was signed: the transaction id is the hash of the
 * decoded envelope, so a schema that trimmed a string or normalised a number would make
 * the server hash different bytes than the client signed. The schemas therefore refuse
 * anything that is not already in its one canonical spelling (untrimmed text, "007",
 * uppercase hex) instead of fixing it, and the only transformation is amount strings to
 * bigint, which canonical encoding turns back into the same strings.
 */
import { z } from "zod";
import { seal } from "../canonical";
import type { SignedTransaction } from "../transaction";
import { isValidDate } from "./maturity";
import {
  CURRENCIES,
  ORGANISATION_ROLES,
  type SignedLedgerTransaction,
  type TransactionBodies,
  type TransactionType,
} from "./types";

export const AMOUNT_PATTERN = /^(0|[1-9][0-9]{0,30})$/;
export const MAX_SPLIT_PARTS = 100;
export const MAX_COSIGNATURES = 8;
export const MAX_RATE_BPS = 100_000;

function lowerHex(length: number) {
  return z.string().regex(new RegExp(`^[0-9a-f]{${length}}$`), `expected ${length} lowercase hex characters`);
}

/** A decimal string of minor units, decoded to bigint. */
export const amountMinorSchema = z
  .string()
  .regex(AMOUNT_PATTERN, "expected a decimal string of minor units without leading zeros")
  .transform((text) => BigInt(text));

/** A real calendar date written `YYYY-MM-DD`. */
export const dateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "expected YYYY-MM-DD")
  .refine(isValidDate, "not a real calendar date");

// Control characters and lone surrogates have no place in names, reasons or references,
// and a lone surrogate cannot even be canonicalised.
const FORBIDDEN_TEXT = /[\u0000-\u001f\u007f]|[\uD800-\uDFFF]/u;

/** Free text that is already trimmed (refused otherwise, never trimmed silently). */
function text(maxLength: number) {
  return z
    .string()
    .min(1)
    .max(maxLength)
    .refine((value) => value === value.trim(), "must not start or end with whitespace")
    .refine((value) => !FORBIDDEN_TEXT.test(value), "must not contain control characters");
}

/** Organisation ids are chosen at onboarding: 1-64 letters, digits, `_`, `.`, `:` or `-`. */
export const orgIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, "malformed organisation id");
export const keyIdSchema = lowerHex(32);
export const publicKeyHexSchema = lowerHex(64);
export const signatureHexSchema = lowerHex(128);
export const sha256HexSchema = lowerHex(64);
/** 16 random bytes chosen by the signer, in lowercase hex. */
export const nonceSchema = lowerHex(32);
export const creditLineIdSchema = z.string().regex(/^cl_[0-9a-f]{24}$/, "malformed credit line id");
export const claimIdSchema = z.string().regex(/^c_[0-9a-f]{24}$/, "malformed claim id");
export const policyIdSchema = z.string().regex(/^pol_[0-9a-f]{24}$/, "malformed financing policy id");
/** Hand-overs from the issuance a policy accepts: 1 is the tier-1 supplier. */
export const MAX_POLICY_DEPTH = 100;
export const financingIdSchema = z.string().regex(/^fin_[0-9a-f]{24}$/, "malformed financing id");
export const epochMsSchema = z.int().min(0);
export const rateBpsSchema = z.int().min(0).max(MAX_RATE_BPS);

export const reasonSchema = text(500);
export const paymentReferenceSchema = text(140);
export const organisationNameSchema = text(200);

export const bodySchemas = {
  "key.register": z
    .object({
      orgId: orgIdSchema,
      orgName: organisationNameSchema,
      role: z.enum(ORGANISATION_ROLES),
      publicKeyHex: publicKeyHexSchema,
      keyId: keyIdSchema,
    })
    .strict(),
  "key.rotate": z
    .object({ orgId: orgIdSchema, oldKeyId: keyIdSchema, newKeyId: keyIdSchema, newPublicKeyHex: publicKeyHexSchema })
    .strict(),
  "key.revoke": z.object({ orgId: orgIdSchema, keyId: keyIdSchema, reason: reasonSchema }).strict(),
  "creditLine.grant": z
    .object({
      coreEnterpriseOrgId: orgIdSchema,
      currency: z.enum(CURRENCIES),
      limitMinor: amountMinorSchema,
      expiresAtMs: epochMsSchema,
    })
    .strict(),
  "creditLine.adjust": z.object({ creditLineId: creditLineIdSchema, limitMinor: amountMinorSchema }).strict(),
  "creditLine.freeze": z.object({ creditLineId: creditLineIdSchema, frozen: z.boolean() }).strict(),
  "creditLine.expire": z.object({ creditLineId: creditLineIdSchema }).strict(),
  "claim.issue": z
    .object({
      creditLineId: creditLineIdSchema,
      toOrgId: orgIdSchema,
      amountMinor: amountMinorSchema,
      currency: z.enum(CURRENCIES),
      maturityDate: dateSchema,
      documents: z
        .object({ invoiceSha256: sha256HexSchema, contractSha256: sha256HexSchema, deliveryNoteSha256: sha256HexSchema })
        .strict(),
    })
    .strict(),
  "claim.accept": z.object({ claimId: claimIdSchema }).strict(),
  "claim.reject": z.object({ claimId: claimIdSchema, reason: reasonSchema }).strict(),
  "claim.withdraw": z.object({ claimId: claimIdSchema }).strict(),
  "claim.split": z
    .object({
      claimId: claimIdSchema,
      parts: z
        .array(z.object({ toOrgId: orgIdSchema, amountMinor: amountMinorSchema }).strict())
        .min(1)
        .max(MAX_SPLIT_PARTS),
    })
    .strict(),
  "claim.pledge": z.object({ claimId: claimIdSchema, lenderOrgId: orgIdSchema }).strict(),
  "claim.release": z.object({ claimId: claimIdSchema }).strict(),
  "claim.markOverdue": z.object({ rootClaimId: claimIdSchema }).strict(),
  "financingPolicy.set": z
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
  "financingPolicy.revoke": z.object({ policyId: policyIdSchema }).strict(),
  "financing.request": z.object({ claimId: claimIdSchema, lenderOrgId: orgIdSchema }).strict(),
  "financing.requestUnderPolicy": z
    .object({
      claimId: claimIdSchema,
      policyId: policyIdSchema,
      rateBps: rateBpsSchema,
      feeMinor: amountMinorSchema,
      recourse: z.boolean(),
      disbursementDate: dateSchema,
    })
    .strict(),
  "financing.offer": z
    .object({
      financingId: financingIdSchema,
      rateBps: rateBpsSchema,
      feeMinor: amountMinorSchema,
      disbursementDate: dateSchema,
      recourse: z.boolean(),
    })
    .strict(),
  "financing.accept": z.object({ financingId: financingIdSchema }).strict(),
  "financing.decline": z.object({ financingId: financingIdSchema, reason: reasonSchema }).strict(),
  "financing.disburse": z
    .object({ financingId: financingIdSchema, paymentReference: paymentReferenceSchema })
    .strict(),
  "repayment.record": z
    .object({ rootClaimId: claimIdSchema, amountMinor: amountMinorSchema, paymentReference: paymentReferenceSchema })
    .strict(),
} as const;

// Compile-time check that every schema decodes to exactly the body type in types.ts.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type BodySchemasMatchTypes = {
  [K in TransactionType]: Exact<z.output<(typeof bodySchemas)[K]>, TransactionBodies[K]>;
};
type AllBodySchemasMatch = BodySchemasMatchTypes extends Record<TransactionType, true> ? true : false;
const bodySchemasMatchTypes: AllBodySchemasMatch = true;
void bodySchemasMatchTypes;

export const signerSchema = z.object({ orgId: orgIdSchema, keyId: keyIdSchema }).strict();

export const cosignatureSchema = z
  .object({ orgId: orgIdSchema, keyId: keyIdSchema, signatureHex: signatureHexSchema })
  .strict();

function envelopeSchema<K extends TransactionType>(type: K) {
  return z
    .object({
      type: z.literal(type),
      body: bodySchemas[type] as (typeof bodySchemas)[K],
      signer: signerSchema,
      nonce: nonceSchema,
      createdAtMs: epochMsSchema,
    })
    .strict();
}

export const transactionSchema = z.discriminatedUnion("type", [
  envelopeSchema("key.register"),
  envelopeSchema("key.rotate"),
  envelopeSchema("key.revoke"),
  envelopeSchema("creditLine.grant"),
  envelopeSchema("creditLine.adjust"),
  envelopeSchema("creditLine.freeze"),
  envelopeSchema("creditLine.expire"),
  envelopeSchema("claim.issue"),
  envelopeSchema("claim.accept"),
  envelopeSchema("claim.reject"),
  envelopeSchema("claim.withdraw"),
  envelopeSchema("claim.split"),
  envelopeSchema("claim.pledge"),
  envelopeSchema("claim.release"),
  envelopeSchema("claim.markOverdue"),
  envelopeSchema("financingPolicy.set"),
  envelopeSchema("financingPolicy.revoke"),
  envelopeSchema("financing.request"),
  envelopeSchema("financing.requestUnderPolicy"),
  envelopeSchema("financing.offer"),
  envelopeSchema("financing.accept"),
  envelopeSchema("financing.decline"),
  envelopeSchema("financing.disburse"),
  envelopeSchema("repayment.record"),
]);

export const signedTransactionSchema = z
  .object({
    transaction: transactionSchema,
    signatureHex: signatureHexSchema,
    cosignatures: z.array(cosignatureSchema).max(MAX_COSIGNATURES),
  })
  .strict();

/** The wire (JSON) form of a signed transaction: amounts are decimal strings. */
export type WireSignedTransaction = z.input<typeof signedTransactionSchema>;

export interface DecodeIssue {
  path: string;
  message: string;
}

export type DecodeResult =
  | { ok: true; value: SignedLedgerTransaction }
  | { ok: false; code: "malformed_transaction"; issues: DecodeIssue[] };

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) => (typeof key === "number" ? `${text}[${key}]` : `${text}.${String(key)}`),
    "$",
  );
}

/**
 * Decodes wire JSON into a typed signed transaction, or lists every problem found. The value
 * is sealed (deep-frozen, see canonical.ts): it cannot change after it passed these checks,
 * so `isDecodedTransaction` can vouch for it and its canonical text is computed once.
 */
export function decodeSignedTransaction(json: unknown): DecodeResult {
  const parsed = signedTransactionSchema.safeParse(json);
  if (parsed.success) {
    const value = parsed.data as SignedLedgerTransaction;
    seal(value.transaction);
    seal(value);
    decodedTransactions.add(value);
    return { ok: true, value };
  }
  const issues = parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
  return { ok: false, code: "malformed_transaction", issues };
}

const decodedTransactions = new WeakSet<object>();

/** True for a value returned by decodeSignedTransaction: it passed the wire checks and is frozen since. */
export function isDecodedTransaction(value: unknown): value is SignedLedgerTransaction {
  return typeof value === "object" && value !== null && decodedTransactions.has(value);
}

function toWireValue(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString(10);
  if (Array.isArray(value)) return value.map(toWireValue);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, toWireValue(child)]));
  }
  return value;
}

/** The wire (JSON) form of a signed transaction: every bigint becomes its decimal string. */
export function encodeSignedTransaction(signed: SignedTransaction): WireSignedTransaction {
  return toWireValue(signed) as WireSignedTransaction;
}
