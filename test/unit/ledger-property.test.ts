/**
 * Property test of the claim lifecycle on the contracts alone: random sequences of operations
 * against applyTransaction + MemoryState and a naive reference model (test/shared/ledger-model.ts).
 * test/integration/ledger-property.test.ts runs the first of the same sequences through the
 * ledger service on a database as well.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { CODES, commandArb, commandWithRepaymentsArb, OUTCOMES, run, SEED } from "../shared/ledger-model";

/** The runs are counted, not timed: a loaded machine makes them slower, never wrong. */
const PROPERTY_TIMEOUT_MS = 600_000;

describe("claim lifecycle against a reference model", () => {
  test("random operation sequences agree with the model and keep every invariant", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(commandArb, { minLength: 20, maxLength: 60 }), (commands) => run(commands)),
      { numRuns: 100, seed: SEED },
    );
  }, PROPERTY_TIMEOUT_MS);

  test("random sequences with partial repayments followed by splits agree with the model too", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(commandWithRepaymentsArb, { minLength: 20, maxLength: 60 }), (commands) => run(commands)),
      { numRuns: 25, seed: SEED },
    );
    expect(OUTCOMES.get("claim.split of a partly paid piece ok") ?? 0).toBeGreaterThanOrEqual(5);
  }, PROPERTY_TIMEOUT_MS);

  test("the random sequences accepted and refused every kind of step", () => {
    const types = [
      "claim.issue", "claim.accept", "claim.reject", "claim.withdraw", "claim.split", "claim.pledge", "claim.release",
      "claim.markOverdue", "financing.request", "financing.offer", "financing.accept", "financing.decline",
      "financing.disburse", "repayment.record", "financingPolicy.set", "financingPolicy.revoke",
      "financing.requestUnderPolicy",
    ];
    const rare = types.flatMap((type) => [`${type} ok`, `${type} refused`]).filter((key) => (OUTCOMES.get(key) ?? 0) < 3);
    expect(rare, JSON.stringify([...CODES.entries()].sort())).toEqual([]);
  });

  test("the random sequences issued on invoices that already backed a live issuance, and the model agreed", () => {
    expect(CODES.get("claim.issue invoice_backs_live_issuance") ?? 0).toBeGreaterThanOrEqual(3);
  });

  test("the random sequences financed claims under policies, and the operator's disbursements were refused", () => {
    const counts = Object.fromEntries(
      [...OUTCOMES.entries(), ...CODES.entries()].filter(([key]) => /Policy|operator/.test(key)).sort(),
    );
    console.info("auto-financing steps", counts);
    expect(OUTCOMES.get("financing.requestUnderPolicy ok") ?? 0, JSON.stringify(counts)).toBeGreaterThanOrEqual(15);
    expect(OUTCOMES.get("financing.disburse by operator refused") ?? 0, JSON.stringify(counts)).toBeGreaterThanOrEqual(5);
    expect(OUTCOMES.get("financing.disburse by operator ok") ?? 0, JSON.stringify(counts)).toBe(0);
    // Every refusal the rules name for an application under a policy was reached.
    const codes = [
      "claim_not_found", "policy_not_found", "claim_not_held_by_signer", "claim_already_financed", "claim_in_financing",
      "claim_pledged_to_other_lender", "claim_not_held", "claim_matured", "policy_not_active", "policy_not_for_claim",
      "policy_amount_exceeded", "policy_depth_exceeded", "policy_terms_changed", "disbursement_date_not_today",
      "net_proceeds_not_positive",
    ];
    const missing = codes.filter((code) => (CODES.get(`financing.requestUnderPolicy ${code}`) ?? 0) === 0);
    expect(missing, JSON.stringify([...CODES.entries()].filter(([key]) => key.includes("Policy")))).toEqual([]);
  });
});
