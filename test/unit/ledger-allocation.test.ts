/**
 * Pro-rata allocation by largest remainder: hand-worked cases and exactness properties.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { allocateProRata, type AllocationLeaf } from "@/contracts/ledger/allocation";

const leaf = (claimId: string, outstandingMinor: bigint): AllocationLeaf => ({ claimId, outstandingMinor });
const shares = (result: { claimId: string; amountMinor: bigint }[]) =>
  Object.fromEntries(result.map((share) => [share.claimId, share.amountMinor]));

describe("allocateProRata, by hand", () => {
  test.each([
    // 7 over 5/3/2: exact 3.5, 2.1, 1.4 -> floors 3, 2, 1; the leftover unit to the 0.5 remainder.
    ["largest remainder wins", 7n, [leaf("c_a", 5n), leaf("c_b", 3n), leaf("c_c", 2n)], { c_a: 4n, c_b: 2n, c_c: 1n }],
    // Equal remainders: ids ascending.
    ["ties go to the smaller id", 2n, [leaf("c_c", 1n), leaf("c_b", 1n), leaf("c_a", 1n)], { c_a: 1n, c_b: 1n, c_c: 0n }],
    ["one unit, two equal leaves", 1n, [leaf("c_z", 10n), leaf("c_y", 10n)], { c_y: 1n, c_z: 0n }],
    // 500 over 333/667: exact 166.5 and 333.5, equal remainders, so c_1 (smaller id) gets it.
    ["half and half", 500n, [leaf("c_2", 667n), leaf("c_1", 333n)], { c_1: 167n, c_2: 333n }],
    ["the full amount pays everything", 10n, [leaf("c_a", 3n), leaf("c_b", 7n)], { c_a: 3n, c_b: 7n }],
    ["nothing to allocate", 0n, [leaf("c_a", 3n), leaf("c_b", 7n)], { c_a: 0n, c_b: 0n }],
    ["a single leaf takes all", 4n, [leaf("c_a", 9n)], { c_a: 4n }],
  ] as const)("%s", (_name, amount, leaves, expected) => {
    expect(shares(allocateProRata(amount, leaves))).toEqual(expected);
  });

  test("returns shares in claim id order", () => {
    const result = allocateProRata(3n, [leaf("c_b", 1n), leaf("c_c", 1n), leaf("c_a", 1n)]);
    expect(result.map((share) => share.claimId)).toEqual(["c_a", "c_b", "c_c"]);
  });

  test.each([
    ["more than outstanding", 11n, [leaf("c_a", 10n)]],
    ["negative", -1n, [leaf("c_a", 10n)]],
    ["a leaf with nothing outstanding", 1n, [leaf("c_a", 10n), leaf("c_b", 0n)]],
    ["a leaf listed twice", 1n, [leaf("c_a", 10n), leaf("c_a", 5n)]],
  ] as const)("refuses (throws) %s", (_name, amount, leaves) => {
    expect(() => allocateProRata(amount, leaves)).toThrow(RangeError);
  });
});

const leavesArb = fc
  .uniqueArray(fc.record({ id: fc.stringMatching(/^c_[0-9a-f]{4}$/), outstanding: fc.bigInt({ min: 1n, max: 10n ** 15n }) }), {
    minLength: 1,
    maxLength: 30,
    selector: (entry) => entry.id,
  })
  .map((entries) => entries.map((entry) => leaf(entry.id, entry.outstanding)));

const caseArb = leavesArb.chain((leaves) => {
  const total = leaves.reduce((sum, item) => sum + item.outstandingMinor, 0n);
  return fc.record({ leaves: fc.constant(leaves), amount: fc.bigInt({ min: 0n, max: total }) });
});

describe("allocateProRata properties", () => {
  test("exact: shares sum to the amount, are never negative and never exceed outstanding", () => {
    fc.assert(
      fc.property(caseArb, ({ leaves, amount }) => {
        const result = allocateProRata(amount, leaves);
        expect(result.reduce((sum, share) => sum + share.amountMinor, 0n)).toBe(amount);
        const outstanding = new Map(leaves.map((item) => [item.claimId, item.outstandingMinor]));
        for (const share of result) {
          expect(share.amountMinor >= 0n).toBe(true);
          expect(share.amountMinor <= outstanding.get(share.claimId)!).toBe(true);
        }
        expect(result.length).toBe(leaves.length);
      }),
      { numRuns: 1_000 },
    );
  });

  test("each share is its exact pro-rata share rounded down or up, and only the largest remainders round up", () => {
    fc.assert(
      fc.property(caseArb, ({ leaves, amount }) => {
        const total = leaves.reduce((sum, item) => sum + item.outstandingMinor, 0n);
        const result = new Map(allocateProRata(amount, leaves).map((share) => [share.claimId, share.amountMinor]));
        const roundedUp: bigint[] = [];
        const roundedDown: bigint[] = [];
        for (const item of leaves) {
          const exact = amount * item.outstandingMinor; // share x total
          const floor = exact / total;
          const share = result.get(item.claimId)!;
          expect(share === floor || (share === floor + 1n && exact % total !== 0n)).toBe(true);
          (share === floor ? roundedDown : roundedUp).push(exact % total);
        }
        // Every leaf that got a unit had a remainder at least as large as any leaf that did not.
        if (roundedUp.length > 0 && roundedDown.length > 0) {
          const smallestUp = roundedUp.reduce((a, b) => (a < b ? a : b));
          const largestDown = roundedDown.reduce((a, b) => (a > b ? a : b));
          expect(smallestUp >= largestDown).toBe(true);
        }
      }),
      { numRuns: 1_000 },
    );
  });

  test("deterministic: the order of the leaves does not matter", () => {
    fc.assert(
      fc.property(
        caseArb.chain(({ leaves, amount }) =>
          fc.record({ leaves: fc.constant(leaves), amount: fc.constant(amount), shuffled: fc.shuffledSubarray(leaves, { minLength: leaves.length }) }),
        ),
        ({ leaves, amount, shuffled }) => {
          expect(allocateProRata(amount, shuffled)).toEqual(allocateProRata(amount, leaves));
        },
      ),
      { numRuns: 500 },
    );
  });

  test("paying everything pays every leaf in full", () => {
    fc.assert(
      fc.property(leavesArb, (leaves) => {
        const total = leaves.reduce((sum, item) => sum + item.outstandingMinor, 0n);
        const result = new Map(allocateProRata(total, leaves).map((share) => [share.claimId, share.amountMinor]));
        for (const item of leaves) expect(result.get(item.claimId)).toBe(item.outstandingMinor);
      }),
    );
  });
});
