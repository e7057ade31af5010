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
import { committedTermsBody, hasHiddenTerms, isTermsType } from "../terms-commitments";
import type { SignedTransaction } from "../transaction";
import { epochMsSchema, keyIdSchema, MAX_COSIGNATURES, networkIdSchema, nonceSchema, orgIdSchema, signatureHexSchema, webauthnAssertionSchema } from "./fields";
import { bodySchemas, KIND_LIST } from "./kinds";
import type { SignedLedgerTransaction, TransactionType } from "./types";

export {
  AMOUNT_PATTERN,
  MAX_SPLIT_PARTS,
  MAX_COSIGNATURES,
  MAX_RATE_BPS,
  amountMinorSchema,
  dateSchema,
  orgIdSchema,
  keyIdSchema,
  publicKeyHexSchema,
  p256PublicKeyHexSchema,
  webauthnKeyParametersSchema,
  webauthnAssertionSchema,
  signatureHexSchema,
  sha256HexSchema,
  nonceSchema,
  creditLineIdSchema,
  claimIdSchema,
  policyIdSchema,
  MAX_POLICY_DEPTH,
  financingIdSchema,
  epochMsSchema,
  rateBpsSchema,
  reasonSchema,
  paymentReferenceSchema,
  organisationNameSchema,
  networkIdSchema,
  DEMO_NETWORK_ID,
} from "./fields";

export { bodySchemas } from "./kinds";

export const signerSchema = z.object({ orgId: orgIdSchema, keyId: keyIdSchema }).strict();

export const cosignatureSchema = z
  .object({ orgId: orgIdSchema, keyId: keyIdSchema, signatureHex: signatureHexSchema, assertion: webauthnAssertionSchema.optional() })
  .strict();

function envelopeSchema<K extends TransactionType>(type: K) {
  return z
    .object({
      type: z.literal(type),
      networkId: networkIdSchema,
      body: bodySchemas[type] as (typeof bodySchemas)[K],
      signer: signerSchema,
      nonce: nonceSchema,
      createdAtMs: epochMsSchema,
    })
    .strict();
}

type EnvelopeSchema<K extends TransactionType> = ReturnType<typeof envelopeSchema<K>>;

/** One envelope schema per kind of the registry, so a new kind decodes without another list to update. */
const envelopeSchemas = KIND_LIST.map((kind) => envelopeSchema(kind.type)) as unknown as [
  EnvelopeSchema<TransactionType>,
  ...{ [K in TransactionType]: EnvelopeSchema<K> }[TransactionType][],
];

export const transactionSchema = z.discriminatedUnion("type", envelopeSchemas);

export const signedTransactionSchema = z
  .object({
    transaction: transactionSchema,
    signatureHex: signatureHexSchema,
    // A passkey signer's WebAuthn assertion (contracts/webauthn.ts); absent for Ed25519 keys.
    assertion: webauthnAssertionSchema.optional(),
    cosignatures: z.array(cosignatureSchema).max(MAX_COSIGNATURES),
  })
  .strict();

/** The wire (JSON) form of a signed transaction: amounts are decimal strings. */
export type WireSignedTransaction = z.input<typeof signedTransactionSchema>;

export interface DecodeIssue {
  path: string;
  message: string;
}

declare const SEALED: unique symbol;

/**
 * A signed transaction that decodeSignedTransaction returned: it passed the wire checks and is
 * deep-frozen since, so its id, its signature digest and its log leaf share one
 * canonicalisation. The ledger engine takes only these; decoding happens at the edge.
 */
export type SealedTransaction = SignedLedgerTransaction & { readonly [SEALED]: true };

export type DecodeResult =
  | { ok: true; value: SealedTransaction }
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
    const value = parsed.data as SealedTransaction;
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
export function isDecodedTransaction(value: unknown): value is SealedTransaction {
  return typeof value === "object" && value !== null && decodedTransactions.has(value);
}

/**
 * Seals a transaction built in this process (the platform's signer, the seed, tests): the same
 * checks as a client's wire form. A malformed one is a bug in the code that built it, so it
 * throws instead of returning a refusal.
 */
export function sealTransaction(signed: SignedTransaction): SealedTransaction {
  if (isDecodedTransaction(signed)) return signed;
  const decoded = decodeSignedTransaction(encodeSignedTransaction(signed));
  if (!decoded.ok) throw new Error(`malformed transaction built in process: ${decoded.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`);
  return decoded.value;
}

function toWireValue(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString(10);
  if (Array.isArray(value)) return value.map(toWireValue);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, toWireValue(child)]));
  }
  return value;
}

/**
 * The wire (JSON) form of a signed transaction: every bigint becomes its decimal string. A body
 * decoded from the committed form of its terms carries a replay's stand-ins for them
 * (terms-commitments.ts); its wire form is the committed form again, so that decoding it once
 * more (the server's edge re-encodes what tRPC decoded) gives the same transaction, which the
 * contract then refuses by its code.
 */
export function encodeSignedTransaction(signed: SignedTransaction): WireSignedTransaction {
  const { type, body } = signed.transaction;
  if (!isTermsType(type) || !hasHiddenTerms(body)) return toWireValue(signed) as WireSignedTransaction;
  const committed = { ...signed, transaction: { ...signed.transaction, body: committedTermsBody(type, body as Record<string, unknown>) } };
  return toWireValue(committed) as WireSignedTransaction;
}
