/**
 * The wire schemas: every accepted transaction decodes to exactly what was signed (same
 * transaction id after a JSON round trip), and everything not already in its one
 * canonical spelling is refused rather than repaired.
 */
import { describe, expect, test } from "vitest";
import { transactionId, type SignedTransaction } from "@/contracts/transaction";
import { decodeSignedTransaction, encodeSignedTransaction } from "@/contracts/ledger/schema";
import { ACTORS, DECIDED_ON, DOCUMENTS, LedgerDriver, MATURITY_DATE } from "./ledger-fixtures";

const driver = new LedgerDriver();
const claimId = `c_${"1".repeat(24)}`;
const issue = driver.sign(ACTORS.core, "claim.issue", {
  creditLineId: `cl_${"2".repeat(24)}`,
  toOrgId: ACTORS.s1.orgId,
  amountMinor: 123_456_789_012_345_678_901_234_567_890n,
  currency: "CNY",
  maturityDate: MATURITY_DATE,
  documents: DOCUMENTS,
});
const split = driver.sign(ACTORS.s1, "claim.split", {
  claimId,
  parts: [
    { toOrgId: ACTORS.s1.orgId, amountMinor: 1n },
    { toOrgId: ACTORS.s2.orgId, amountMinor: 2n },
  ],
});
const offer = driver.sign(ACTORS.bank, "financing.offer", {
  financingId: `fin_${"3".repeat(24)}`,
  rateBps: 450,
  feeMinor: 0n,
  disbursementDate: "2024-02-29",
  recourse: true,
  checkpointHash: DECIDED_ON,
});

function wire(signed: SignedTransaction): Record<string, unknown> {
  return JSON.parse(JSON.stringify(encodeSignedTransaction(signed))) as Record<string, unknown>;
}

/** The wire form of `signed` with one field of the transaction (by path) replaced. */
function withField(signed: SignedTransaction, path: string[], value: unknown): unknown {
  const json = wire(signed);
  let target = json.transaction as Record<string, unknown>;
  for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
  target[path.at(-1)!] = value;
  return json;
}

describe("decodeSignedTransaction", () => {
  test.each([issue, split, offer])("round-trips through JSON with the same transaction id (%#)", (signed) => {
    const decoded = decodeSignedTransaction(wire(signed));
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.value).toEqual(signed);
    expect(transactionId(decoded.value.transaction)).toBe(transactionId(signed.transaction));
  });

  test("amounts decode to bigint", () => {
    const decoded = decodeSignedTransaction(wire(issue));
    expect(decoded.ok && decoded.value.transaction.type === "claim.issue" && decoded.value.transaction.body.amountMinor).toBe(
      123_456_789_012_345_678_901_234_567_890n,
    );
  });

  test.each([
    ["leading zero amount", issue, ["body", "amountMinor"], "0100"],
    ["negative amount", issue, ["body", "amountMinor"], "-1"],
    ["amount as a number", issue, ["body", "amountMinor"], 100],
    ["32-digit amount", issue, ["body", "amountMinor"], "1".repeat(32)],
    ["decimal amount", issue, ["body", "amountMinor"], "1.0"],
    ["29 Feb of a common year", issue, ["body", "maturityDate"], "2025-02-29"],
    ["unpadded date", issue, ["body", "maturityDate"], "2025-9-1"],
    ["date with time", issue, ["body", "maturityDate"], "2025-09-01T00:00:00Z"],
    ["uppercase hex", issue, ["body", "documents", "invoiceSha256"], "A".repeat(64)],
    ["short hash", issue, ["body", "documents", "invoiceSha256"], "a".repeat(63)],
    ["unknown field in body", issue, ["body", "memo"], "hello"],
    ["unknown field in documents", issue, ["body", "documents", "extra"], "a".repeat(64)],
    ["unknown field in envelope", issue, ["extra"], 1],
    ["unknown currency", issue, ["body", "currency"], "USD"],
    ["malformed claim id", split, ["body", "claimId"], "c_XYZ"],
    ["no parts", split, ["body", "parts"], []],
    ["101 parts", split, ["body", "parts"], Array.from({ length: 101 }, () => ({ toOrgId: "org-s1", amountMinor: "1" }))],
    ["rate above 1000%", offer, ["body", "rateBps"], 100_001],
    ["fractional rate", offer, ["body", "rateBps"], 1.5],
    ["negative createdAtMs", offer, ["createdAtMs"], -1],
    ["fractional createdAtMs", offer, ["createdAtMs"], 1.5],
    ["short nonce", offer, ["nonce"], "abc"],
    ["unknown type", offer, ["type"], "financing.steal"],
    ["organisation id with a space", split, ["signer", "orgId"], "org s1"],
  ] as const)("refuses %s", (_name, signed, path, value) => {
    const decoded = decodeSignedTransaction(withField(signed, [...path], value));
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) {
      expect(decoded.code).toBe("malformed_transaction");
      expect(decoded.issues.length).toBeGreaterThan(0);
    }
  });

  test.each([
    ["leading space", " too expensive"],
    ["trailing newline", "too expensive\n"],
    ["empty", ""],
    ["control character", "too\u0007expensive"],
    ["lone surrogate", "too \ud800 expensive"],
    ["over 500 characters", "x".repeat(501)],
  ])("refuses free text that is not already clean: %s", (_name, reason) => {
    const decline = driver.sign(ACTORS.s1, "financing.decline", { financingId: `fin_${"3".repeat(24)}`, reason: "ok" });
    expect(decodeSignedTransaction(withField(decline, ["body", "reason"], reason)).ok).toBe(false);
  });

  test("refuses unknown top-level fields, too many cosignatures and a bad signature format", () => {
    expect(decodeSignedTransaction({ ...wire(offer), extra: true }).ok).toBe(false);
    const cosignature = { orgId: "org-operator", keyId: "a".repeat(32), signatureHex: "b".repeat(128) };
    expect(decodeSignedTransaction({ ...wire(offer), cosignatures: Array(9).fill(cosignature) }).ok).toBe(false);
    expect(decodeSignedTransaction({ ...wire(offer), signatureHex: "b".repeat(127) }).ok).toBe(false);
    expect(decodeSignedTransaction(null).ok).toBe(false);
  });

  test("issues name the path of the problem", () => {
    const decoded = decodeSignedTransaction(withField(issue, ["body", "amountMinor"], "01"));
    expect(decoded.ok ? [] : decoded.issues.map((issue) => issue.path)).toContain("$.transaction.body.amountMinor");
  });
});
