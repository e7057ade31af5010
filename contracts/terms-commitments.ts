/**
 * Commitments to a credit line's or a financing's terms (issue 13, privacy in bundles).
 *
 * Every provenance bundle carries the credit-line entries of its root's line (provenance.ts):
 * they decide whether the issuance was allowed. The line is one lender's business with one core
 * enterprise; another lender verifying a piece of the chain must not read its limit or expiry.
 * The same holds for the financing entries on the claim and its ancestors: a lender's policy
 * (its standing rate, fee, recourse, ceiling and depth), an application under it, an offer (rate,
 * fee, disbursement date, recourse), a decline's reason and a disbursement's payment reference are
 * the business of that lender and the holder it financed, not of the next lender the piece goes to.
 * So these kinds (TERM_FIELDS) may be signed with their terms committed, like split parts
 * (split-commitments.ts): beside the terms the body carries a random `termsSaltHex`, and what is
 * hashed, signed and logged is not the terms but
 *
 *   termsCommitmentHex = SHA-256(RFC 8785 of {domain, type, saltHex, terms})
 *
 * with `terms` the committed fields of the kind and `domain` its family's (a credit line's or a
 * financing's). A bundle for anyone but the parties (a line's or a policy's lender; a financing's
 * lender and applicant) shows the body in that committed form (`redactTerms`): same transaction
 * id, signature and leaf hash, and 32 random bytes of salt keep anyone from testing guesses of the
 * terms. A policy's ceiling and depth are its lender's alone, so its applicants see it committed too.
 *
 * What a bundle verifier checks about hidden terms (docs/ledger.md "Privacy in bundles"): the
 * entry is in the log, signed by the key of the organisation the contract wants (the line's or
 * the financing's lender, the applicant), for the claim, financing or policy it names, in an order
 * the contracts accept; the claim's verified state (held, pledged, financed once) does not depend
 * on the terms. What it cannot check: whatever needs the values (the issuance under the limit, the
 * price, the disbursement date). A provenance replay stands in values that pass those checks
 * (HIDDEN_*), and the witnesses, which replay the full log with the terms in the clear, vouch for
 * the rest through the cosigned state root. The service and the witnesses never accept a body in
 * the committed form (credit_line_terms_hidden, financing_terms_hidden).
 *
 * Pure: the salt comes from the signer's client (`termsSalt` takes the random bytes).
 */
import { canonicalBytes, sha256Bytes } from "./canonical";
import { bytesToHex, isLowerHex } from "./hex";

/**
 * The domain of each family of kinds. A credit line's is the one its commitments were first made
 * under (changing it would change the id of every grant already logged).
 */
const DOMAINS = { creditLine: "double-chain/credit-line-terms/v1", financing: "double-chain/financing-terms/v1" } as const;

/** The fields each kind commits to when its body carries a salt. */
export const TERM_FIELDS = {
  "creditLine.grant": ["limitMinor", "expiresAtMs"],
  "creditLine.adjust": ["limitMinor"],
  "financingPolicy.set": ["maxAmountMinor", "maxDepth", "rateBps", "feeMinor", "recourse"],
  "financing.requestUnderPolicy": ["rateBps", "feeMinor", "recourse", "disbursementDate"],
  "financing.offer": ["rateBps", "feeMinor", "disbursementDate", "recourse"],
  "financing.decline": ["reason"],
  "financing.disburse": ["paymentReference"],
} as const;

export type TermsType = keyof typeof TERM_FIELDS;

function domainOf(type: TermsType): string {
  return type.startsWith("creditLine.") ? DOMAINS.creditLine : DOMAINS.financing;
}

/**
 * What a provenance replay puts in place of hidden terms: checks against them always pass (an
 * unbounded limit and depth, no expiry, a disbursement date after every maturity, so no offer
 * expires), and the contracts skip what needs the real values (pricing, the day of disbursement).
 */
export const HIDDEN_LIMIT_MINOR = 10n ** 30n;
export const HIDDEN_EXPIRES_AT_MS = 8_640_000_000_000_000;
export const HIDDEN_MAX_DEPTH = Number.MAX_SAFE_INTEGER;
export const HIDDEN_DISBURSEMENT_DATE = "9999-12-31";

/** The stand-ins of every kind's hidden terms, exactly its TERM_FIELDS (so the committed form drops them again). */
export const HIDDEN_TERMS = {
  "creditLine.grant": { limitMinor: HIDDEN_LIMIT_MINOR, expiresAtMs: HIDDEN_EXPIRES_AT_MS },
  "creditLine.adjust": { limitMinor: HIDDEN_LIMIT_MINOR },
  "financingPolicy.set": { maxAmountMinor: HIDDEN_LIMIT_MINOR, maxDepth: HIDDEN_MAX_DEPTH, rateBps: 0, feeMinor: 0n, recourse: false },
  "financing.requestUnderPolicy": { rateBps: 0, feeMinor: 0n, recourse: false, disbursementDate: HIDDEN_DISBURSEMENT_DATE },
  "financing.offer": { rateBps: 0, feeMinor: 0n, disbursementDate: HIDDEN_DISBURSEMENT_DATE, recourse: false },
  "financing.decline": { reason: "" },
  "financing.disburse": { paymentReference: "" },
} as const satisfies { [T in TermsType]: Record<(typeof TERM_FIELDS)[T][number], unknown> };

export function isTermsType(type: string): type is TermsType {
  return Object.hasOwn(TERM_FIELDS, type);
}

/** A fresh salt for a body about to be signed; `randomBytes(n)` must be a CSPRNG. */
export function termsSalt(randomBytes: (length: number) => Uint8Array): string {
  return bytesToHex(randomBytes(32));
}

export function termsCommitmentHex(type: TermsType, saltHex: string, body: Record<string, unknown>): string {
  const terms = Object.fromEntries(TERM_FIELDS[type].map((field) => [field, body[field]]));
  return bytesToHex(sha256Bytes(canonicalBytes({ domain: domainOf(type), type, saltHex, terms })));
}

/** True for a body shown in the committed form (a bundle's hidden line or financing). */
export function hasHiddenTerms(body: unknown): boolean {
  return typeof body === "object" && body !== null && "termsCommitmentHex" in body;
}

/**
 * The committed form of a body: with a well-formed salt, the terms and the salt replaced by their
 * commitment; already committed (a bundle's), the commitment kept and the replay's stand-ins for
 * the terms dropped; otherwise (the form before salts) as it is.
 */
export function committedTermsBody(type: TermsType, body: Record<string, unknown>): Record<string, unknown> {
  const salt = body.termsSaltHex;
  const hidden = typeof body.termsCommitmentHex === "string";
  if (!hidden && !(typeof salt === "string" && isLowerHex(salt, 32))) return body;
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === "termsSaltHex" || key === "termsCommitmentHex" || (TERM_FIELDS[type] as readonly string[]).includes(key)) continue;
    rest[key] = value;
  }
  rest.termsCommitmentHex = hidden ? body.termsCommitmentHex : termsCommitmentHex(type, salt as string, body);
  return rest;
}

/** A wire-form transaction with its terms replaced by their commitment (a salted body), or as it is. */
export function redactTerms<T extends { type: string; body: unknown }>(transaction: T): T {
  if (!isTermsType(transaction.type)) return transaction;
  const body = transaction.body as Record<string, unknown>;
  if (typeof body.termsSaltHex !== "string") return transaction;
  return { ...transaction, body: committedTermsBody(transaction.type, body) };
}

/**
 * The body a client signs: a kind with committable terms gets a fresh salt unless it has one;
 * every other body is returned as it is. `randomBytes(n)` must be a CSPRNG.
 */
export function withTermsSalt<B>(type: string, body: B, randomBytes: (length: number) => Uint8Array): B {
  if (!isTermsType(type) || typeof body !== "object" || body === null || "termsSaltHex" in body) return body;
  return { ...body, termsSaltHex: termsSalt(randomBytes) };
}
