import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sha256 } from "@noble/hashes/sha2.js";
import { buildSigned, identityFor, toWire } from "@/contracts/client";
import { hexToBytes, utf8ToBytes } from "@/contracts/hex";
import { decodeSignedTransaction, encodeSignedTransaction } from "@/contracts/ledger/schema";
import type { TransactionBodies } from "@/contracts/ledger/types";
import { nobleVerifier } from "@/contracts/signing";
import { committedTransaction } from "@/contracts/split-commitments";
import { committedTermsBody, HIDDEN_TERMS, redactTerms, TERM_FIELDS, termsCommitmentHex, withTermsSalt, type TermsType } from "@/contracts/terms-commitments";
import { transactionId, verifyTransactionSignature } from "@/contracts/transaction";

/*
 * Golden vectors of the terms commitments (contracts/terms-commitments.ts), one per kind, and
 * deliberate corruptions of each. The two credit-line values were computed before the financing
 * kinds joined TERM_FIELDS and are pinned here: generalising the mechanism changed no grant's or
 * adjustment's commitment, so no transaction id already in a log. The financing values were
 * computed when the financing kinds joined; one of them is also derived below from its RFC 8785
 * text alone, so the vectors do not rest on canonicalBytes being right.
 */

type Vector = { type: TermsType; saltHex: string; terms: Record<string, unknown>; commitmentHex: string };
const VECTORS: Vector[] = [
  { type: "creditLine.grant", saltHex: "11".repeat(32), terms: { limitMinor: 5_000_000_000n, expiresAtMs: 1_800_000_000_000 }, commitmentHex: "7bca48818fd975ecb43d47f8858a98441076bdc947d2a9f931e8cdf7fe7fa9b8" },
  { type: "creditLine.adjust", saltHex: "22".repeat(32), terms: { limitMinor: 7_000_000_000n }, commitmentHex: "200aa08578a61950bc315f8efe0e2c0b47d1fef103be186adcac1d286cc93592" },
  {
    type: "financingPolicy.set",
    saltHex: "33".repeat(32),
    terms: { maxAmountMinor: 500_000n, maxDepth: 5, rateBps: 420, feeMinor: 0n, recourse: false },
    commitmentHex: "0abf12a8c293ae994b0cdc723c6e3252d29e335101b09f7704741a070b253378",
  },
  {
    type: "financing.requestUnderPolicy",
    saltHex: "44".repeat(32),
    terms: { rateBps: 420, feeMinor: 0n, recourse: false, disbursementDate: "2026-12-04" },
    commitmentHex: "c2a23638071aafd2398fc4c4802b1aa6d81390438b8289e266cf2c2cd5ac05e2",
  },
  {
    type: "financing.offer",
    saltHex: "55".repeat(32),
    terms: { rateBps: 450, feeMinor: 1_500n, disbursementDate: "2026-12-04", recourse: true },
    commitmentHex: "dab155efde57bb4c3bd6a2b7ae2bbb19d59b3fa14c5a889f3ce01ed0de2a759e",
  },
  { type: "financing.decline", saltHex: "66".repeat(32), terms: { reason: "The rate is above our budget" }, commitmentHex: "3166d963e4472d5cd621bfc3c387ee3c3ad4d9a73ac2221d56f5863594a512fb" },
  { type: "financing.disburse", saltHex: "77".repeat(32), terms: { paymentReference: "CMTB-DEMO-0001" }, commitmentHex: "f5380bc0253f0a528fa99304c85c231d43bd9484213420bee26164e8492a92e1" },
];

/** Another value of the same type for each committed field: what a corruption changes it to. */
function corrupted(value: unknown): unknown {
  if (typeof value === "bigint") return value + 1n;
  if (typeof value === "number") return value + 1;
  if (typeof value === "boolean") return !value;
  return `${String(value)}.`;
}

describe("terms commitments: golden vectors", () => {
  it("has one vector per kind with terms, covering exactly its TERM_FIELDS", () => {
    expect(VECTORS.map((vector) => vector.type).sort()).toEqual(Object.keys(TERM_FIELDS).sort());
    for (const vector of VECTORS) expect(Object.keys(vector.terms).sort(), vector.type).toEqual([...TERM_FIELDS[vector.type]].sort());
  });

  it.each(VECTORS)("commits $type to its pinned value", ({ type, saltHex, terms, commitmentHex }) => {
    expect(termsCommitmentHex(type, saltHex, terms)).toBe(commitmentHex);
  });

  it("derives the offer's vector from its RFC 8785 text: the financing domain, amounts as decimal strings, keys sorted", () => {
    const text =
      '{"domain":"double-chain/financing-terms/v1","saltHex":"' +
      "55".repeat(32) +
      '","terms":{"disbursementDate":"2026-12-04","feeMinor":"1500","rateBps":450,"recourse":true},"type":"financing.offer"}';
    expect(createHash("sha256").update(text).digest("hex")).toBe(VECTORS.find((vector) => vector.type === "financing.offer")!.commitmentHex);
  });

  it.each(VECTORS)("a corruption of any committed field, the salt or the kind of $type gives another commitment", ({ type, saltHex, terms, commitmentHex }) => {
    for (const field of TERM_FIELDS[type]) {
      expect(termsCommitmentHex(type, saltHex, { ...terms, [field]: corrupted(terms[field]) }), field).not.toBe(commitmentHex);
    }
    expect(termsCommitmentHex(type, `${saltHex.slice(0, 63)}0`, terms)).not.toBe(commitmentHex);
    // The same terms under another kind of the same fields (a grant's limit read as an adjustment's).
    const other = VECTORS.find((vector) => vector.type !== type && TERM_FIELDS[type].every((field) => (TERM_FIELDS[vector.type] as readonly string[]).includes(field)));
    if (other !== undefined) expect(termsCommitmentHex(other.type, saltHex, terms)).not.toBe(commitmentHex);
  });

  it("a grant's limit read as an adjustment's commits differently (the kind is hashed)", () => {
    expect(termsCommitmentHex("creditLine.adjust", "11".repeat(32), { limitMinor: 5_000_000_000n, expiresAtMs: 1_800_000_000_000 })).not.toBe(VECTORS[0]!.commitmentHex);
  });
});

describe("the committed form of a body", () => {
  const plain = { financingId: `fin_${"a".repeat(24)}`, checkpointHash: "c".repeat(64), ...VECTORS.find((vector) => vector.type === "financing.offer")!.terms };
  const offer = { ...plain, termsSaltHex: "55".repeat(32) };

  it("replaces the terms and the salt by the commitment and keeps every other field", () => {
    expect(committedTermsBody("financing.offer", offer)).toEqual({ financingId: offer.financingId, checkpointHash: offer.checkpointHash, termsCommitmentHex: "dab155efde57bb4c3bd6a2b7ae2bbb19d59b3fa14c5a889f3ce01ed0de2a759e" });
  });

  it("keeps an already committed body's commitment and drops a replay's stand-ins for the terms", () => {
    const committed = committedTermsBody("financing.offer", offer);
    expect(committedTermsBody("financing.offer", { ...committed, ...HIDDEN_TERMS["financing.offer"] })).toEqual(committed);
  });

  it("leaves a body without a salt, or with a malformed one, as it is (the form before commitments)", () => {
    expect(committedTermsBody("financing.offer", plain)).toBe(plain);
    const upper = { ...offer, termsSaltHex: "AB".repeat(32) };
    expect(committedTermsBody("financing.offer", upper)).toBe(upper);
  });

  it("has stand-ins for exactly the committed fields of every kind", () => {
    for (const type of Object.keys(TERM_FIELDS) as TermsType[]) expect(Object.keys(HIDDEN_TERMS[type]).sort(), type).toEqual([...TERM_FIELDS[type]].sort());
  });
});

describe("a signed transaction shown with its terms committed", () => {
  const lender = identityFor("org_lender", sha256(utf8ToBytes("terms commitments test lender")));
  const plain: TransactionBodies["financing.offer"] = {
    financingId: `fin_${"b".repeat(24)}`,
    rateBps: 450,
    feeMinor: 1_500n,
    disbursementDate: "2026-12-04",
    recourse: true,
    checkpointHash: "d".repeat(64),
  };
  const body = { ...plain, termsSaltHex: "55".repeat(32) };
  const signed = buildSigned(lender, "financing.offer", body, { nonce: "e".repeat(32), createdAtMs: 1_764_806_400_000 });
  const wire = toWire(signed);
  const redacted = { ...wire, transaction: redactTerms(wire.transaction) };

  it("keeps its transaction id and its signature, and decodes with the replay's stand-ins", () => {
    expect(redacted.transaction.body).toEqual({ financingId: body.financingId, checkpointHash: body.checkpointHash, termsCommitmentHex: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const decoded = decodeSignedTransaction(redacted);
    if (!decoded.ok) throw new Error(JSON.stringify(decoded.issues));
    expect(decoded.value.transaction.body).toMatchObject(HIDDEN_TERMS["financing.offer"]);
    expect(transactionId(decoded.value.transaction)).toBe(transactionId(signed.transaction));
    expect(verifyTransactionSignature(decoded.value, hexToBytes(lender.publicKeyHex), nobleVerifier)).toBe(true);
  });

  it("encodes the decoded committed form back to the committed form, so a second decoding (the server's edge) gives the same transaction", () => {
    const decoded = decodeSignedTransaction(redacted);
    if (!decoded.ok) throw new Error(JSON.stringify(decoded.issues));
    expect(encodeSignedTransaction(decoded.value)).toEqual(redacted);
  });

  it("a committed form whose commitment was changed is another transaction: the signature no longer verifies", () => {
    const forged = { ...redacted, transaction: { ...redacted.transaction, body: { ...redacted.transaction.body, termsCommitmentHex: termsCommitmentHex("financing.offer", "0".repeat(64), { rateBps: 1, feeMinor: 0n, disbursementDate: "2026-12-04", recourse: false }) } } };
    const decoded = decodeSignedTransaction(forged);
    if (!decoded.ok) throw new Error(JSON.stringify(decoded.issues));
    expect(transactionId(decoded.value.transaction)).not.toBe(transactionId(signed.transaction));
    expect(verifyTransactionSignature(decoded.value, hexToBytes(lender.publicKeyHex), nobleVerifier)).toBe(false);
  });

  it("an offer signed without a salt is hashed and shown as it is", () => {
    const unsalted = toWire(buildSigned(lender, "financing.offer", plain, { nonce: "e".repeat(32), createdAtMs: 1_764_806_400_000 }));
    expect(redactTerms(unsalted.transaction)).toBe(unsalted.transaction);
    expect(committedTransaction(unsalted.transaction)).toBe(unsalted.transaction);
  });
});

describe("withTermsSalt, which the browser's signing path applies", () => {
  const random = (length: number) => new Uint8Array(length).fill(9);

  it("gives every kind with terms a fresh 32-byte salt, keeps a salt already given, and leaves other kinds alone", () => {
    expect(withTermsSalt("financing.disburse", { financingId: "f", paymentReference: "P", checkpointHash: "c" }, random)).toEqual({ financingId: "f", paymentReference: "P", checkpointHash: "c", termsSaltHex: "09".repeat(32) });
    expect(withTermsSalt("financing.decline", { financingId: "f", reason: "r", termsSaltHex: "ab".repeat(32) }, random)).toEqual({ financingId: "f", reason: "r", termsSaltHex: "ab".repeat(32) });
    const accept = { financingId: "f" };
    expect(withTermsSalt("financing.accept", accept, random)).toBe(accept);
    for (const type of Object.keys(TERM_FIELDS)) expect(withTermsSalt(type, {}, random), type).toHaveProperty("termsSaltHex");
  });
});
