import { describe, expect, it } from "vitest";
import { RESULT_CODES } from "@/contracts/ledger/kinds";
import { REFUSAL_TEXTS, refusal, refusalText } from "@/contracts/ledger/refusals";

/*
 * The text table is typed as a Record over the code union, so the compiler already refuses
 * a missing key. These checks are about what the type cannot see: the codes the contracts
 * return at run time (RESULT_CODES, collected from CHECK_ORDER) against the table's keys,
 * and texts that tell a person something rather than repeat the code.
 */
const SERVICE_CODES = ["transaction_id_conflict"];

describe("refusal texts", () => {
  it("has a text for every code the contracts can return, and no text for a code nobody returns", () => {
    const codes = [...RESULT_CODES, ...SERVICE_CODES].sort();
    expect(Object.keys(REFUSAL_TEXTS).sort()).toEqual(codes);
  });

  it("writes each text as a sentence, never the raw code, and no two codes share one", () => {
    const texts = Object.entries(REFUSAL_TEXTS);
    for (const [code, text] of texts) {
      expect(text, code).toMatch(/^[A-Z].*\.$/);
      expect(text, code).not.toContain(code);
    }
    expect(new Set(texts.map(([, text]) => text)).size).toBe(texts.length);
  });

  it("a refusal carries its code, the code's text and the detail only when there is one", () => {
    expect(refusal("tx1", "claim_is_pledged")).toEqual({ status: "refused", txId: "tx1", code: "claim_is_pledged", text: refusalText("claim_is_pledged") });
    expect(refusal(null, "malformed_transaction", "body.amountMinor: required")).toEqual({
      status: "refused",
      txId: null,
      code: "malformed_transaction",
      text: REFUSAL_TEXTS.malformed_transaction,
      detail: "body.amountMinor: required",
    });
  });
});
