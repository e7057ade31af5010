/**
 * Pro-rata allocation of a repayment over the live pieces (leaves) of one issuance.
 *
 * The rule, written down so that anyone can recompute it by hand:
 *  1. Let T be the sum of the leaves' outstanding amounts and A the amount to allocate,
 *     with 0 <= A <= T.
 *  2. Each leaf i with outstanding o_i first gets floor(A x o_i / T) and remembers the
 *     remainder r_i = (A x o_i) mod T.
 *  3. The minor units still unallocated (A minus the sum of the floors; always fewer than
 *     the number of leaves with r_i > 0) are handed out one each to the leaves with the
 *     largest r_i, ties broken by claim id ascending (plain string order, UTF-16 code
 *     units, which for our ASCII ids is byte order).
 * This is the largest-remainder (Hamilton) method. It is exact to the minor unit, gives
 * no leaf more than its outstanding (a leaf only gets a unit when its exact share is not
 * whole, and its outstanding is a whole number at least that share), and depends only on
 * the set of leaves, not on the order they are passed in.
 */

export interface AllocationLeaf {
  claimId: string;
  outstandingMinor: bigint;
}

export interface AllocationShare {
  claimId: string;
  amountMinor: bigint;
}

function compareIds(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

function validate(amountMinor: bigint, leaves: readonly AllocationLeaf[]): bigint {
  const seen = new Set<string>();
  let totalMinor = 0n;
  for (const leaf of leaves) {
    if (leaf.outstandingMinor <= 0n) throw new RangeError(`leaf ${leaf.claimId} has nothing outstanding`);
    if (seen.has(leaf.claimId)) throw new RangeError(`leaf ${leaf.claimId} listed twice`);
    seen.add(leaf.claimId);
    totalMinor += leaf.outstandingMinor;
  }
  if (amountMinor < 0n) throw new RangeError("cannot allocate a negative amount");
  if (amountMinor > totalMinor) throw new RangeError("amount exceeds the total outstanding");
  return totalMinor;
}

/**
 * Splits `amountMinor` over `leaves` by the rule above. Returns one share per leaf, in
 * claim id order, including zero shares. Throws (a caller bug) when the amount is negative
 * or above the total outstanding, or a leaf has nothing outstanding or appears twice.
 */
export function allocateProRata(amountMinor: bigint, leaves: readonly AllocationLeaf[]): AllocationShare[] {
  const totalMinor = validate(amountMinor, leaves);
  const sorted = [...leaves].sort((left, right) => compareIds(left.claimId, right.claimId));
  if (totalMinor === 0n) return sorted.map((leaf) => ({ claimId: leaf.claimId, amountMinor: 0n }));
  const shares = sorted.map((leaf) => {
    const product = amountMinor * leaf.outstandingMinor;
    return { claimId: leaf.claimId, amountMinor: product / totalMinor, remainder: product % totalMinor };
  });
  let leftoverMinor = amountMinor - shares.reduce((sum, share) => sum + share.amountMinor, 0n);
  // Stable order: largest remainder first, then claim id ascending (shares are id-sorted).
  const byRemainder = [...shares].sort((left, right) =>
    left.remainder === right.remainder
      ? compareIds(left.claimId, right.claimId)
      : left.remainder > right.remainder ? -1 : 1,
  );
  for (const share of byRemainder) {
    if (leftoverMinor === 0n) break;
    share.amountMinor += 1n;
    leftoverMinor -= 1n;
  }
  return shares.map((share) => ({ claimId: share.claimId, amountMinor: share.amountMinor }));
}
