import { describe, expect, it } from "vitest";
import { InvariantViolation } from "@/contracts/ledger/apply";
import { assertRootInvariants } from "@/contracts/ledger/invariants";
import { MemoryState } from "@/contracts/ledger/state";
import type { Claim } from "@/contracts/ledger/types";
import { ACTORS, standardWorld } from "./ledger-fixtures";

function worldWithSplit() {
  const { driver, lineId } = standardWorld();
  const rootId = driver.issueHeld(ACTORS.core, lineId, ACTORS.s1, 1000n);
  const [kept, passed] = driver.split(ACTORS.s1, rootId, [[ACTORS.s1, 400n], [ACTORS.s2, 600n]]);
  return { driver, rootId, kept: kept!, passed: passed! };
}

describe("issuances the invariant checks vouched for", () => {
  it("are checked after a transition applied to the state it was checked on", () => {
    const { driver, rootId } = worldWithSplit();
    expect(driver.state.hasCheckedRoot(rootId)).toBe(true);
  });

  it("are unchecked by any change the checks did not see", () => {
    const { driver, rootId, kept } = worldWithSplit();
    const claim = driver.state.getClaim(kept) as Claim;
    driver.state.applyChanges([{ kind: "claim", value: { ...claim, amountMinor: 401n } }]);
    expect(driver.state.hasCheckedRoot(rootId)).toBe(false);
    // ... so the next transition checks the stored tree first and names the corruption.
    expect(() => driver.split(ACTORS.s1, kept, [[ACTORS.s1, 1n], [ACTORS.s2, 400n]])).toThrow(InvariantViolation);
  });

  it("are not checked in another state that applies the same changes, nor after the state moved on", () => {
    const { driver, lineId } = standardWorld();
    const rootId = driver.issueHeld(ACTORS.core, lineId, ACTORS.s1, 1000n);
    const signed = driver.sign(ACTORS.s1, "claim.split", { claimId: rootId, parts: [{ toOrgId: ACTORS.s1.orgId, amountMinor: 1n }, { toOrgId: ACTORS.s2.orgId, amountMinor: 999n }] });
    const outcome = driver.attempt(signed);
    if (!outcome.ok) throw new Error(outcome.code);
    expect(Object.isFrozen(outcome.changes)).toBe(true);
    const elsewhere = new MemoryState();
    elsewhere.applyChanges([...driver.state.getClaimsByRoot(rootId).map((value) => ({ kind: "claim", value }) as const)]);
    elsewhere.applyChanges(outcome.changes);
    expect(elsewhere.hasCheckedRoot(rootId)).toBe(false);
    driver.issueHeld(ACTORS.core, lineId, ACTORS.s2, 500n); // the state moves on (another issuance)
    expect(driver.state.hasCheckedRoot(rootId)).toBe(true);
    driver.state.applyChanges(outcome.changes);
    expect(driver.state.hasCheckedRoot(rootId)).toBe(false);
  });

  it("are unchecked when a claim moves to another issuance", () => {
    const a = worldWithSplit();
    const other = a.driver.issueHeld(ACTORS.core, (a.driver.state.getClaim(a.rootId) as Claim).creditLineId, ACTORS.s1, 500n);
    expect(a.driver.state.hasCheckedRoot(a.rootId)).toBe(true);
    const moved = a.driver.state.getClaim(a.kept) as Claim;
    a.driver.state.applyChanges([{ kind: "claim", value: { ...moved, rootId: other } }]);
    expect(a.driver.state.hasCheckedRoot(a.rootId)).toBe(false);
    expect(a.driver.state.hasCheckedRoot(other)).toBe(false);
  });
});

describe("the violation reported", () => {
  it("is the first in id order, whatever order the view holds the claims in", () => {
    const { driver, rootId, kept, passed } = worldWithSplit();
    const broken = [kept, passed].sort().map((id) => driver.state.getClaim(id) as Claim);
    const messages = new Set<string>();
    for (const order of [broken, [...broken].reverse()]) {
      const state = new MemoryState();
      const root = driver.state.getClaim(rootId) as Claim;
      state.applyChanges([root, ...order].map((value) => ({ kind: "claim", value: value.id === root.id ? value : { ...value, amountMinor: 0n } }) as const));
      try {
        assertRootInvariants(state, rootId);
      } catch (error) {
        messages.add((error as Error).message);
      }
    }
    expect([...messages]).toEqual([expect.stringContaining(`claim ${[kept, passed].sort()[0]}: amount must be positive`)]);
  });
});
