import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sha256Bytes } from "@/contracts/canonical";
import { bytesToHex, EMPTY_SHA256_HEX, utf8ToBytes } from "@/contracts/hex";
import {
  consistencyPathRanges,
  consistencyProof,
  emptyTreeRoot,
  hashesFromHex,
  hashesToHex,
  inclusionPathRanges,
  inclusionProof,
  leafHash,
  MerkleFrontier,
  nodeHash,
  rootFromLeafHashes,
  subtreeRoot,
  SubtreeHashes,
  verifyConsistency,
  verifyInclusion,
  type LeafRange,
  type MerkleCheck,
} from "@/contracts/merkle";

const MAX_SIZE = 200;
const LEAVES = Array.from({ length: MAX_SIZE }, (_, i) => leafHash(utf8ToBytes(`leaf ${i}`)));

function flipped(hash: Uint8Array, byteIndex: number, mask = 0x01): Uint8Array {
  const copy = Uint8Array.from(hash);
  copy[byteIndex % copy.length] = (copy[byteIndex % copy.length] as number) ^ mask;
  return copy;
}

function codeOf(result: MerkleCheck): string {
  return result.ok ? "ok" : result.code;
}

describe("hashing", () => {
  it("uses the RFC 9162 domain prefixes", () => {
    const leaf = utf8ToBytes("x");
    expect(leafHash(leaf)).toEqual(sha256Bytes(Uint8Array.of(0x00, ...leaf)));
    const [left, right] = [LEAVES[0] as Uint8Array, LEAVES[1] as Uint8Array];
    expect(nodeHash(left, right)).toEqual(sha256Bytes(Uint8Array.of(0x01, ...left, ...right)));
    expect(nodeHash(left, right)).not.toEqual(nodeHash(right, left));
    // Second-preimage resistance: a node never hashes like a leaf holding its children.
    expect(nodeHash(left, right)).not.toEqual(leafHash(Uint8Array.of(...left, ...right)));
  });

  it("gives the empty tree the SHA-256 of the empty string", () => {
    expect(bytesToHex(rootFromLeafHashes([]))).toBe(EMPTY_SHA256_HEX);
    expect(bytesToHex(emptyTreeRoot())).toBe(EMPTY_SHA256_HEX);
    expect(bytesToHex(new MerkleFrontier().root())).toBe(EMPTY_SHA256_HEX);
  });

  it("rejects leaf hashes of the wrong length and ranges outside the tree", () => {
    expect(() => rootFromLeafHashes([new Uint8Array(31)])).toThrow(/32-byte/);
    expect(() => subtreeRoot(LEAVES.slice(0, 3), 2, 4)).toThrow(/outside/);
    expect(() => new MerkleFrontier().append(new Uint8Array(33))).toThrow(/32-byte/);
  });

  it("converts proofs to and from hex strictly", () => {
    const proof = inclusionProof(LEAVES.slice(0, 5), 2);
    expect(hashesFromHex(hashesToHex(proof))).toEqual(proof);
    expect(() => hashesFromHex(["ab"])).toThrow();
  });
});

describe("proof ranges", () => {
  it("inclusion ranges and the leaf partition the tree (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.nat(), (treeSize, seed) => {
        const index = seed % treeSize;
        const ranges = [{ start: index, end: index + 1 }, ...inclusionPathRanges(treeSize, index)];
        expect(coverage(ranges)).toEqual({ start: 0, end: treeSize, disjoint: true });
      }),
    );
  });

  it("consistency ranges reach the new size and never straddle the old tree edge (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.nat(), (newSize, seed) => {
        const oldSize = 1 + (seed % newSize);
        const ranges = consistencyPathRanges(oldSize, newSize);
        if (oldSize === newSize) {
          expect(ranges).toEqual([]);
          return;
        }
        const maxEnd = Math.max(...ranges.map((range) => range.end));
        expect(maxEnd).toBe(newSize);
        for (const range of ranges) expect(range.end <= oldSize || range.start >= oldSize).toBe(true);
      }),
    );
  });

  it("throws for paths that do not exist", () => {
    expect(() => inclusionPathRanges(3, 3)).toThrow();
    expect(() => consistencyPathRanges(4, 3)).toThrow();
  });
});

function coverage(ranges: LeafRange[]): { start: number; end: number; disjoint: boolean } {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const disjoint = sorted.every((range, i) => i === 0 || range.start === (sorted[i - 1] as LeafRange).end);
  return { start: sorted[0]?.start ?? 0, end: sorted.at(-1)?.end ?? 0, disjoint };
}

describe("inclusion proofs (property)", () => {
  const sizeAndIndex = fc.integer({ min: 1, max: MAX_SIZE }).chain((treeSize) => fc.tuple(fc.constant(treeSize), fc.nat(treeSize - 1)));

  it("verify for every generated proof", () => {
    fc.assert(
      fc.property(sizeAndIndex, ([treeSize, index]) => {
        const tree = LEAVES.slice(0, treeSize);
        const result = verifyInclusion(tree[index] as Uint8Array, index, treeSize, inclusionProof(tree, index), rootFromLeafHashes(tree));
        expect(result).toEqual({ ok: true });
      }),
    );
  });

  it("fail with root_mismatch when any single byte of proof, root or leaf is flipped", () => {
    fc.assert(
      fc.property(sizeAndIndex, fc.nat(), fc.nat(31), fc.integer({ min: 1, max: 255 }), ([treeSize, index], target, byteIndex, mask) => {
        const tree = LEAVES.slice(0, treeSize);
        const proof = inclusionProof(tree, index);
        const root = rootFromLeafHashes(tree);
        const leaf = tree[index] as Uint8Array;
        const choice = target % (proof.length + 2);
        const result =
          choice === proof.length
            ? verifyInclusion(leaf, index, treeSize, proof, flipped(root, byteIndex, mask))
            : choice === proof.length + 1
              ? verifyInclusion(flipped(leaf, byteIndex, mask), index, treeSize, proof, root)
              : verifyInclusion(leaf, index, treeSize, proof.map((h, i) => (i === choice ? flipped(h, byteIndex, mask) : h)), root);
        expect(codeOf(result)).toBe("root_mismatch");
      }),
    );
  });

  it("fail when the leaf is claimed at another index", () => {
    fc.assert(
      fc.property(sizeAndIndex, fc.nat(), ([treeSize, index], seed) => {
        fc.pre(treeSize > 1);
        const other = (index + 1 + (seed % (treeSize - 1))) % treeSize;
        const tree = LEAVES.slice(0, treeSize);
        const result = verifyInclusion(tree[index] as Uint8Array, other, treeSize, inclusionProof(tree, index), rootFromLeafHashes(tree));
        expect(result.ok).toBe(false);
      }),
    );
  });
});

describe("consistency proofs (property)", () => {
  const sizes = fc.integer({ min: 1, max: MAX_SIZE }).chain((newSize) => fc.tuple(fc.nat(newSize), fc.constant(newSize)));

  it("verify for every generated proof, including from the empty tree", () => {
    fc.assert(
      fc.property(sizes, ([oldSize, newSize]) => {
        const tree = LEAVES.slice(0, newSize);
        const oldRoot = rootFromLeafHashes(tree.slice(0, oldSize));
        const result = verifyConsistency(oldSize, newSize, oldRoot, rootFromLeafHashes(tree), consistencyProof(tree, oldSize));
        expect(result).toEqual({ ok: true });
      }),
    );
  });

  it("fail when any single byte of proof, old root or new root is flipped", () => {
    fc.assert(
      fc.property(sizes, fc.nat(), fc.nat(31), fc.integer({ min: 1, max: 255 }), ([oldSize, newSize], target, byteIndex, mask) => {
        fc.pre(oldSize > 0);
        const tree = LEAVES.slice(0, newSize);
        const proof = consistencyProof(tree, oldSize);
        const oldRoot = rootFromLeafHashes(tree.slice(0, oldSize));
        const newRoot = rootFromLeafHashes(tree);
        const choice = target % (proof.length + 2);
        const result =
          choice === proof.length
            ? verifyConsistency(oldSize, newSize, flipped(oldRoot, byteIndex, mask), newRoot, proof)
            : choice === proof.length + 1
              ? verifyConsistency(oldSize, newSize, oldRoot, flipped(newRoot, byteIndex, mask), proof)
              : verifyConsistency(oldSize, newSize, oldRoot, newRoot, proof.map((h, i) => (i === choice ? flipped(h, byteIndex, mask) : h)));
        expect(["old_root_mismatch", "new_root_mismatch"]).toContain(codeOf(result));
      }),
    );
  });

  it("fail for a tree that rewrote history", () => {
    fc.assert(
      fc.property(sizes, fc.nat(), ([oldSize, newSize], seed) => {
        fc.pre(oldSize > 0 && oldSize < newSize);
        const rewritten = [...LEAVES.slice(0, newSize)];
        rewritten[seed % oldSize] = leafHash(utf8ToBytes("rewritten"));
        const oldRoot = rootFromLeafHashes(LEAVES.slice(0, oldSize));
        const result = verifyConsistency(oldSize, newSize, oldRoot, rootFromLeafHashes(rewritten), consistencyProof(rewritten, oldSize));
        expect(result.ok).toBe(false);
      }),
    );
  });
});

describe("verifier arithmetic beyond 32 bits", () => {
  // Bit operators in JavaScript truncate to 32 bits; the verifiers must not.
  it("require exactly the proof length the recursive definition gives (property)", () => {
    const big = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });
    fc.assert(
      fc.property(big, big, (a, b) => {
        const [index, treeSize] = a < b ? [a, b] : [b - 1, a];
        const length = inclusionPathRanges(treeSize, index).length;
        const proof = Array.from({ length }, () => new Uint8Array(32));
        const leaf = new Uint8Array(32);
        expect(codeOf(verifyInclusion(leaf, index, treeSize, proof, new Uint8Array(32)))).toBe("root_mismatch");
        expect(codeOf(verifyInclusion(leaf, index, treeSize, [...proof, leaf], new Uint8Array(32)))).toBe("proof_length_wrong");
      }),
    );
  });

  it("require exactly the consistency proof length of RFC 9162 SUBPROOF (property)", () => {
    const big = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });
    fc.assert(
      fc.property(big, big, (a, b) => {
        const [oldSize, newSize] = a <= b ? [a, b] : [b, a];
        fc.pre(oldSize < newSize);
        const length = consistencyPathRanges(oldSize, newSize).length;
        const proof = Array.from({ length }, () => new Uint8Array(32));
        const root = new Uint8Array(32);
        expect(codeOf(verifyConsistency(oldSize, newSize, root, root, proof))).not.toBe("proof_length_wrong");
        expect(codeOf(verifyConsistency(oldSize, newSize, root, root, proof.slice(1)))).toBe("proof_length_wrong");
      }),
    );
  });

  it("verify real proofs in a sparse tree of about 2^45 leaves", () => {
    const tree = new SparseTree(2 ** 45 + 12345, 2 ** 40 + 77);
    for (const index of [tree.specialIndex, 0, 2 ** 33 + 5, tree.size - 1]) {
      const proof = inclusionPathRanges(tree.size, index).map((range) => tree.rangeRoot(range.start, range.end));
      expect(verifyInclusion(tree.leafAt(index), index, tree.size, proof, tree.root()), String(index)).toEqual({ ok: true });
      expect(codeOf(verifyInclusion(tree.leafAt(index), index, tree.size, proof.map((h) => flipped(h, 3)), tree.root()))).toBe("root_mismatch");
    }
    const specialProof = inclusionPathRanges(tree.size, tree.specialIndex).map((r) => tree.rangeRoot(r.start, r.end));
    expect(codeOf(verifyInclusion(tree.leafAt(tree.specialIndex), tree.specialIndex + 2 ** 34, tree.size, specialProof, tree.root()))).not.toBe("ok");
    for (const oldSize of [2 ** 40 + 78, 2 ** 41, 2 ** 44 + 3]) {
      const proof = consistencyPathRanges(oldSize, tree.size).map((range) => tree.rangeRoot(range.start, range.end));
      const oldRoot = tree.rangeRoot(0, oldSize);
      expect(verifyConsistency(oldSize, tree.size, oldRoot, tree.root(), proof), String(oldSize)).toEqual({ ok: true });
      expect(verifyConsistency(oldSize, tree.size, flipped(oldRoot, 0), tree.root(), proof).ok).toBe(false);
    }
  });
});

/**
 * A huge tree in which every leaf is the same except one. Roots of ranges without the
 * special leaf depend only on their length, so any range root costs O(log^2 n) hashes.
 */
class SparseTree {
  readonly #plain = leafHash(utf8ToBytes("plain"));
  readonly #special = leafHash(utf8ToBytes("special"));
  readonly #uniformRoots = new Map<number, Uint8Array>();

  constructor(readonly size: number, readonly specialIndex: number) {}

  leafAt(index: number): Uint8Array {
    return index === this.specialIndex ? this.#special : this.#plain;
  }

  root(): Uint8Array {
    return this.rangeRoot(0, this.size);
  }

  rangeRoot(start: number, end: number): Uint8Array {
    if (end - start === 1) return this.leafAt(start);
    if (this.specialIndex < start || this.specialIndex >= end) return this.#uniformRoot(end - start);
    const split = start + largestPowerOfTwoBelow(end - start);
    return nodeHash(this.rangeRoot(start, split), this.rangeRoot(split, end));
  }

  #uniformRoot(length: number): Uint8Array {
    if (length === 1) return this.#plain;
    const cached = this.#uniformRoots.get(length);
    if (cached !== undefined) return cached;
    const split = largestPowerOfTwoBelow(length);
    const root = nodeHash(this.#uniformRoot(split), this.#uniformRoot(length - split));
    this.#uniformRoots.set(length, root);
    return root;
  }
}

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

describe("verifier codes on edge cases", () => {
  const tree = LEAVES.slice(0, 5);
  const root = rootFromLeafHashes(tree);
  const leaf = tree[2] as Uint8Array;
  const proof = inclusionProof(tree, 2);

  it.each([
    ["negative index", () => verifyInclusion(leaf, -1, 5, proof, root), "size_invalid"],
    ["fractional size", () => verifyInclusion(leaf, 2, 5.5, proof, root), "size_invalid"],
    ["index equal to size", () => verifyInclusion(leaf, 5, 5, proof, root), "index_out_of_range"],
    ["empty tree", () => verifyInclusion(leaf, 0, 0, [], root), "index_out_of_range"],
    ["extra proof element", () => verifyInclusion(leaf, 2, 5, [...proof, root], root), "proof_length_wrong"],
    ["short root", () => verifyInclusion(leaf, 2, 5, proof, root.slice(1)), "hash_length_wrong"],
    ["old size above new", () => verifyConsistency(6, 5, root, root, []), "size_invalid"],
    ["empty to empty", () => verifyConsistency(0, 0, emptyTreeRoot(), emptyTreeRoot(), []), "ok"],
    ["empty old tree with wrong root", () => verifyConsistency(0, 5, root, root, []), "old_root_mismatch"],
    ["same size, same root", () => verifyConsistency(5, 5, root, root, []), "ok"],
    ["same size, other root", () => verifyConsistency(5, 5, root, emptyTreeRoot(), []), "new_root_mismatch"],
  ])("%s", (_what, run, expected) => {
    expect(codeOf(run())).toBe(expected);
  });

  it("says what did not match", () => {
    const result = verifyInclusion(leaf, 2, 5, proof, emptyTreeRoot());
    expect(result).toEqual({ ok: false, code: "root_mismatch", detail: `proof gives root ${bytesToHex(root)}, expected ${EMPTY_SHA256_HEX}` });
  });
});

describe("MerkleFrontier", () => {
  it("has the root of rootFromLeafHashes after every append (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_SIZE }), (size) => {
        const frontier = MerkleFrontier.fromLeafHashes(LEAVES.slice(0, size));
        expect(frontier.size).toBe(size);
        expect(bytesToHex(frontier.root())).toBe(bytesToHex(rootFromLeafHashes(LEAVES.slice(0, size))));
      }),
    );
  });

  it("continues identically after serialize and deserialize (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_SIZE }), fc.integer({ min: 0, max: 64 }), (size, more) => {
        fc.pre(size + more <= MAX_SIZE);
        const serialized = JSON.parse(JSON.stringify(MerkleFrontier.fromLeafHashes(LEAVES.slice(0, size)).serialize()));
        const restored = MerkleFrontier.deserialize(serialized);
        for (const leaf of LEAVES.slice(size, size + more)) restored.append(leaf);
        expect(restored.size).toBe(size + more);
        expect(bytesToHex(restored.root())).toBe(bytesToHex(rootFromLeafHashes(LEAVES.slice(0, size + more))));
      }),
    );
  });

  it("keeps one node per set bit of the size", () => {
    expect(MerkleFrontier.fromLeafHashes(LEAVES.slice(0, 13)).serialize().nodeHashesHex).toHaveLength(3);
    expect(MerkleFrontier.fromLeafHashes(LEAVES.slice(0, 128)).serialize().nodeHashesHex).toHaveLength(1);
  });

  it("clones independently", () => {
    const frontier = MerkleFrontier.fromLeafHashes(LEAVES.slice(0, 3));
    const clone = frontier.clone();
    clone.append(LEAVES[3] as Uint8Array);
    expect(frontier.size).toBe(3);
    expect(clone.root()).toEqual(rootFromLeafHashes(LEAVES.slice(0, 4)));
  });

  it.each([
    ["a node count that does not match the size", { size: 3, nodeHashesHex: [EMPTY_SHA256_HEX] }],
    ["a negative size", { size: -1, nodeHashesHex: [] }],
    ["a malformed hash", { size: 1, nodeHashesHex: ["00"] }],
  ])("rejects %s", (_what, data) => {
    expect(() => MerkleFrontier.deserialize(data)).toThrow();
  });

  it("appends 100,000 leaves with O(log n) work each", () => {
    const frontier = new MerkleFrontier();
    const leaf = LEAVES[0] as Uint8Array;
    for (let i = 0; i < 100_000; i++) frontier.append(leaf);
    expect(frontier.size).toBe(100_000);
    expect(frontier.serialize().nodeHashesHex).toHaveLength(6); // 100000 = 0b11000011010100000
  });
});

describe("SubtreeHashes", () => {
  const storeOf = (leaves: readonly Uint8Array[]) => {
    const store = new SubtreeHashes();
    for (const leaf of leaves) store.append(leaf);
    return store;
  };

  it("gives the proofs and roots that rehashing every leaf gives, at every tree size it holds (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_SIZE }), fc.nat(), fc.nat(), (stored, sizeSeed, indexSeed) => {
        const store = storeOf(LEAVES.slice(0, stored));
        const treeSize = 1 + (sizeSeed % stored);
        const index = indexSeed % treeSize;
        const leaves = LEAVES.slice(0, treeSize);
        expect(hashesToHex(store.inclusionProof(index, treeSize))).toEqual(hashesToHex(inclusionProof(leaves, index)));
        expect(bytesToHex(store.root(0, treeSize))).toBe(bytesToHex(rootFromLeafHashes(leaves)));
        const oldSize = index; // any size up to treeSize
        expect(hashesToHex(store.consistencyProof(oldSize, treeSize))).toEqual(hashesToHex(consistencyProof(leaves, oldSize)));
      }),
    );
  });

  it("stays right when it is extended after proofs were taken (the log is append-only)", () => {
    const store = new SubtreeHashes();
    for (let size = 1; size <= MAX_SIZE; size++) {
      store.append(LEAVES[size - 1] as Uint8Array);
      const leaves = LEAVES.slice(0, size);
      for (const index of new Set([0, Math.floor(size / 2), size - 1])) {
        const proof = store.inclusionProof(index, size);
        expect(hashesToHex(proof)).toEqual(hashesToHex(inclusionProof(leaves, index)));
        expect(verifyInclusion(LEAVES[index] as Uint8Array, index, size, proof, rootFromLeafHashes(leaves))).toEqual({ ok: true });
      }
    }
    expect(store.size).toBe(MAX_SIZE);
  });

  it("hands out copies, so a caller cannot corrupt the store", () => {
    const store = storeOf(LEAVES.slice(0, 4));
    const root = store.root(0, 4);
    root.fill(0);
    expect(bytesToHex(store.root(0, 4))).toBe(bytesToHex(rootFromLeafHashes(LEAVES.slice(0, 4))));
  });

  it("refuses ranges and sizes beyond what it holds", () => {
    const store = storeOf(LEAVES.slice(0, 5));
    expect(() => store.root(0, 6)).toThrow();
    expect(() => store.inclusionProof(0, 6)).toThrow();
    expect(() => store.consistencyProof(2, 6)).toThrow();
    expect(() => store.append(new Uint8Array(31))).toThrow();
    expect(bytesToHex(store.root(3, 3))).toBe(EMPTY_SHA256_HEX);
  });
});
