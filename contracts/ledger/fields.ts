/**
 * The wire form's building blocks: the zod schemas of ids, amounts, dates and text that the
 * body schemas of the transaction kinds (kinds/) and the envelope (schema.ts) are made of.
 * The rule of schema.ts holds here: nothing is normalised, anything not already in its one
 * canonical spelling is refused.
 */
import { z } from "zod";
import { isValidDate } from "./maturity";

export const AMOUNT_PATTERN = /^(0|[1-9][0-9]{0,30})$/;
export const MAX_SPLIT_PARTS = 100;
export const MAX_COSIGNATURES = 8;
export const MAX_RATE_BPS = 100_000;

/**
 * The network (deployment) id every transaction names, so that a transaction signed for one
 * deployment is refused by every other: lowercase letters, digits, dots and dashes. The
 * demo's id is the default of the NETWORK_ID setting; a production deployment sets its own.
 */
export const NETWORK_ID_PATTERN = /^[a-z0-9][a-z0-9.-]{0,62}$/;
export const DEMO_NETWORK_ID = "double-chain-demo";
export const networkIdSchema = z.string().regex(NETWORK_ID_PATTERN, "expected a network id: lowercase letters, digits, dots and dashes, at most 63");

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
/** A person's id (the holder of a key): the same alphabet as organisation ids. */
export const userIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, "malformed user id");
export const publicKeyHexSchema = lowerHex(64);
/** A passkey's public key: compressed P-256 (contracts/webauthn.ts). */
export const p256PublicKeyHexSchema = lowerHex(66);

/**
 * A passkey's relying party id: a lowercase host name. Its origins are exact "https://host"
 * origins (an optional port) on that host or below it; "http://localhost" is allowed for
 * development, as browsers allow it.
 */
const RP_ID_PATTERN = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
const ORIGIN_PATTERN = /^(?:https:\/\/([a-z0-9.-]{1,253})|http:\/\/(localhost))(?::[1-9][0-9]{0,4})?$/;

function originHost(origin: string): string | null {
  const match = ORIGIN_PATTERN.exec(origin);
  return match === null ? null : (match[1] ?? match[2] ?? null);
}

export const webauthnKeyParametersSchema = z
  .object({
    algorithm: z.literal("ES256"),
    rpId: z.string().regex(RP_ID_PATTERN, "expected a lowercase host name"),
    origins: z.array(z.string().regex(ORIGIN_PATTERN, "expected an exact https origin")).min(1).max(8),
  })
  .strict()
  .refine((value) => new Set(value.origins).size === value.origins.length, "origins must not repeat")
  .refine(
    (value) => value.origins.every((origin) => { const host = originHost(origin); return host === value.rpId || (host?.endsWith(`.${value.rpId}`) ?? false); }),
    "every origin must be on the rpId's host or below it",
  );

/** What a passkey's signature carries besides r||s: authenticatorData and clientDataJSON, as hex. */
export const webauthnAssertionSchema = z
  .object({
    authenticatorDataHex: z.string().regex(/^(?:[0-9a-f]{2}){37,1024}$/, "expected 37 to 1024 bytes of lowercase hex"),
    clientDataJSONHex: z.string().regex(/^(?:[0-9a-f]{2}){1,2048}$/, "expected at most 2048 bytes of lowercase hex"),
  })
  .strict();
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

/**
 * The trade-document reference a core enterprise types at issuance (a purchase order or
 * invoice number such as "PO-2026-0412 / 发票 04400123"), kept in the signed body beside the
 * documents' hashes so that every page and voucher can name the paper it rests on. The wire
 * schema only bounds its size; the rule below is the contract's (claim.issue refuses anything
 * else with `trade_reference_malformed`): 1 to 80 characters of letters (any script), digits,
 * single spaces and the punctuation of document numbers, starting with a letter or digit and
 * ending with one (or a closing bracket), already in Unicode NFC.
 */
export const TRADE_REFERENCE_MAX_CHARACTERS = 80;
const TRADE_REFERENCE_PATTERN = /^[\p{L}\p{N}](?:[\p{L}\p{N} _\-/.#:,()（）·、]*[\p{L}\p{N})）])?$/u;
export const tradeReferenceWireSchema = z.string().max(4 * TRADE_REFERENCE_MAX_CHARACTERS);

export function isTradeReference(text: string): boolean {
  return [...text].length <= TRADE_REFERENCE_MAX_CHARACTERS && text === text.normalize("NFC") && !text.includes("  ") && TRADE_REFERENCE_PATTERN.test(text);
}
export const paymentReferenceSchema = text(140);
export const organisationNameSchema = text(200);
