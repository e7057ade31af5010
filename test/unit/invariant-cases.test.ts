/**
 * The shared invariant table (test/shared/invariant-cases.ts) against the contracts'
 * invariant checks; test/integration/invariant-cases.test.ts runs the same rows against the
 * database's constraints and triggers.
 */
import { describe, expect, test } from "vitest";
import { assertTransitionInvariants } from "@/contracts/ledger/invariants";
import { InvariantViolation } from "@/contracts/ledger/outcome";
import { MemoryState } from "@/contracts/ledger/state";
import { caseIds, INVARIANT_CASES, ORGANISATIONS } from "../shared/invariant-cases";

/** The contracts' answer to the row: "holds", or the message of the invariant it breaks. */
function contractVerdict(index: number): string {
  const row = INVARIANT_CASES[index]!;
  const ids = caseIds(`i${index}`);
  const state = new MemoryState({ orgs: ORGANISATIONS });
  const before = row.before(ids);
  state.applyChanges(before);
  // The state the row starts from must itself hold, or the row proves nothing: its rows,
  // written again over themselves, are checked before and after like any change.
  assertTransitionInvariants(state, before, "tx-before");
  try {
    assertTransitionInvariants(state, row.change(ids), "tx-change");
    return "holds";
  } catch (error) {
    if (error instanceof InvariantViolation) return error.message;
    throw error;
  }
}

describe("shared invariant cases, on the contracts", () => {
  test.each(INVARIANT_CASES.map((row, index) => [row.name, index] as const))("%s", (_name, index) => {
    const verdict = INVARIANT_CASES[index]!.verdict;
    const answer = contractVerdict(index);
    if (verdict === "holds") expect(answer).toBe("holds");
    else expect(answer).toMatch(verdict.contract);
  });
});
