/**
 * Commitments to a credit line's terms (issue 13, privacy in bundles).
 *
 * Every provenance bundle carries the credit-line entries of its root's line (provenance.ts):
 * they decide whether the issuance was allowed. The line is one lender's business with one core
 * enterprise; another lender verifying a piece of the chain must not read its limit or expiry.
 * So a grant or an adjustment may be signed with its terms committed, like split parts
 * (split-commitments.ts): beside the terms the body carries a random `termsSaltHex`, and what is
 * hashed, signed and logged is not the terms but
 *
 *   termsCommitmentHex = SHA-256(RFC 8785 of {domain, type, saltHex, terms})
 *
 * with `terms` the committed fields (TERM_FIELDS). A bundle for anyone but the line's lender
 * shows the body in that committed form (`redactTerms`): same transaction id, signature and
 * leaf hash, and 32 random bytes of salt keep anyone from testing guesses of the limit.
 *
 * What a bundle verifier checks about a hidden line (docs/ledger.md "Privacy in bundles"): the
 * grant is in the log before the issuance, signed by a registered lender's key, for the issuing
 * core enterprise and the claim's currency, and its id is the one the issuance names; no later
 * freeze or expiry before the issuance. What it cannot check: that the issuance fitted under
 * the limit and before the expiry. A provenance replay gives a hidden line an unbounded limit
 * and no expiry (HIDDEN_*), and the witnesses, which replay the full log with the terms in the
 * clear, vouch for the rest through the cosigned state root. The service and the witnesses
 * never accept a body in the committed form (credit_line_terms_hidden).
 *
 * Pure: the salt comes from the signer's client (`termsSalt` takes the random bytes).
 */
import { canonicalBytes, sha256Bytes } from "./canonical";
import { bytesToHex, isLowerHex } from "./hex";

const DOMAIN = "double-chain/credit-line-terms/v1";

/** The fields each kind commits to when its body carries a salt. */
export const TERM_FIELDS = {
  "creditLine.grant": ["limitMinor", "expiresAtMs"],
  "creditLine.adjust": ["limitMinor"],
} as const;

export type TermsType = keyof typeof TERM_FIELDS;

/** What a provenance replay puts in place of hidden terms: checks against them always pass. */
export const HIDDEN_LIMIT_MINOR = 10n ** 30n;
export const HIDDEN_EXPIRES_AT_MS = 8_640_000_000_000_000;

export function isTermsType(type: string): type is TermsType {
  return Object.hasOwn(TERM_FIELDS, type);
}

/** A fresh salt for a body about to be signed; `randomBytes(n)` must be a CSPRNG. */
export function termsSalt(randomBytes: (length: number) => Uint8Array): string {
  return bytesToHex(randomBytes(32));
}

export function termsCommitmentHex(type: TermsType, saltHex: string, body: Record<string, unknown>): string {
  const terms = Object.fromEntries(TERM_FIELDS[type].map((field) => [field, body[field]]));
  return bytesToHex(sha256Bytes(canonicalBytes({ domain: DOMAIN, type, saltHex, terms })));
}

/** True for a body shown in the committed form (a bundle's hidden line). */
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
