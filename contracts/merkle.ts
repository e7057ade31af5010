/**
 * The log's Merkle tree, as in RFC 9162 (Certificate Transparency v2) section 2.1:
 * leaf hash = SHA-256(0x00 || leaf), node hash = SHA-256(0x01 || left || right), and the root
 * of an empty tree is SHA-256 of the empty string.
 *
 * Representation: every hash in this module is a 32-byte Uint8Array, in and out. Hex
 * appears only at the edges: `hashesToHex`/`hashesFromHex` for proofs on the wire,
 * `MerkleFrontier.serialize()` for storage, and the `detail` text of failed checks.
 *
 * Proof generation follows the RFC's recursive definitions (PATH and SUBPROOF). It is split
 * into "which leaf ranges does the proof consist of" (`inclusionPathRanges`,
 * `consistencyPathRanges`) and "hash those ranges", so a server holding stored subtree
 * hashes can build proofs without rehashing every leaf. The verifiers are pure and follow
 * transparency-dev/merkle: they check sizes, then the proof length, then hash lengths, then
 * roots, and say exactly which of these did not match.
 *
 * Sizes and indexes are JavaScript numbers up to 2^53 - 1. Bit arithmetic is done with
 * division, not with `>>` or `&`, because those truncate to 32 bits.
 */
import { sha256Bytes as sha256 } from "./canonical";
import { bytesToHex, concatBytes, EMPTY_SHA256_HEX, equalBytes, hexToBytes, SHA256_BYTES } from "./hex";

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

/** A half-open range of leaf indexes [start, end) whose subtree root is one proof element. */
export interface LeafRange {
  start: number;
  end: number;
}

export type MerkleCheckCode =
  | "size_invalid"
  | "index_out_of_range"
  | "proof_length_wrong"
  | "hash_length_wrong"
  | "root_mismatch"
  | "old_root_mismatch"
  | "new_root_mismatch";

export type MerkleCheck = { ok: true } | { ok: false; code: MerkleCheckCode; detail: string };

export function leafHash(leafBytes: Uint8Array): Uint8Array {
  return sha256(concatBytes(LEAF_PREFIX, leafBytes));
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(concatBytes(NODE_PREFIX, left, right));
}

/** Root of the empty tree (a fresh copy, so callers cannot corrupt a shared constant). */
export function emptyTreeRoot(): Uint8Array {
  return hexToBytes(EMPTY_SHA256_HEX);
}

/** MTH(D[start:end]) of RFC 9162, computed from the leaf hashes. */
export function subtreeRoot(leafHashes: readonly Uint8Array[], start: number, end: number): Uint8Array {
  if (!(0 <= start && start <= end && end <= leafHashes.length)) {
    throw new Error(`leaf range [${start}, ${end}) is outside a tree of ${leafHashes.length} leaves`);
  }
  if (start === end) return emptyTreeRoot();
  if (end - start === 1) return checkedHash(leafHashes[start], `leaf hash ${start}`);
  const split = start + largestPowerOfTwoBelow(end - start);
  return nodeHash(subtreeRoot(leafHashes, start, split), subtreeRoot(leafHashes, split, end));
}

export function rootFromLeafHashes(leafHashes: readonly Uint8Array[]): Uint8Array {
  return subtreeRoot(leafHashes, 0, leafHashes.length);
}

/** The ranges of RFC 9162 PATH(index, D[treeSize]), leaf level first. */
export function inclusionPathRanges(treeSize: number, index: number): LeafRange[] {
  if (!isTreeSize(treeSize) || !isTreeSize(index) || index >= treeSize) {
    throw new Error(`no inclusion path for index ${index} in a tree of size ${treeSize}`);
  }
  const ranges: LeafRange[] = [];
  let start = 0;
  let end = treeSize;
  // Walk from the root down, taking the sibling of the half that holds the leaf.
  while (end - start > 1) {
    const split = start + largestPowerOfTwoBelow(end - start);
    if (index < split) {
      ranges.push({ start: split, end });
      end = split;
    } else {
      ranges.push({ start, end: split });
      start = split;
    }
  }
  return ranges.reverse();
}

/** The ranges of RFC 9162 PROOF(oldSize, D[newSize]) (section 2.1.4.1), leaf level first. */
export function consistencyPathRanges(oldSize: number, newSize: number): LeafRange[] {
  if (!isTreeSize(oldSize) || !isTreeSize(newSize) || oldSize > newSize) {
    throw new Error(`no consistency path from size ${oldSize} to size ${newSize}`);
  }
  if (oldSize === 0 || oldSize === newSize) return [];
  const ranges: LeafRange[] = [];
  let start = 0;
  let end = newSize;
  let oldInside = oldSize; // How many leaves of [start, end) belong to the old tree.
  let oldTreeIsWholeSubtree = true; // SUBPROOF's flag b.
  while (oldInside !== end - start) {
    const split = start + largestPowerOfTwoBelow(end - start);
    if (start + oldInside <= split) {
      ranges.push({ start: split, end });
      end = split;
    } else {
      ranges.push({ start, end: split });
      oldInside -= split - start;
      start = split;
      oldTreeIsWholeSubtree = false;
    }
  }
  // When the old tree is not a left subtree of the new one, the verifier needs the root of
  // the old tree's last complete subtree as its starting point.
  if (!oldTreeIsWholeSubtree) ranges.push({ start, end });
  return ranges.reverse();
}

export function inclusionProof(leafHashes: readonly Uint8Array[], index: number): Uint8Array[] {
  const ranges = inclusionPathRanges(leafHashes.length, index);
  return ranges.map((range) => subtreeRoot(leafHashes, range.start, range.end));
}

/** Proof that the tree of the first `oldSize` leaves is a prefix of the tree of all of them. */
export function consistencyProof(leafHashes: readonly Uint8Array[], oldSize: number): Uint8Array[] {
  const ranges = consistencyPathRanges(oldSize, leafHashes.length);
  return ranges.map((range) => subtreeRoot(leafHashes, range.start, range.end));
}

/** Checks that `leaf` is at `index` in the tree of `treeSize` leaves whose root is `expectedRoot`. */
export function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  expectedRoot: Uint8Array,
): MerkleCheck {
  if (!isTreeSize(index) || !isTreeSize(treeSize)) {
    return fail("size_invalid", `index ${index} and tree size ${treeSize} must be non-negative integers`);
  }
  if (index >= treeSize) {
    return fail("index_out_of_range", `index ${index} is not below tree size ${treeSize}`);
  }
  const { inner, border } = decomposeInclusion(index, treeSize);
  if (proof.length !== inner + border) {
    return fail("proof_length_wrong", `proof has ${proof.length} hashes, index ${index} in a tree of size ${treeSize} needs ${inner + border}`);
  }
  const wrongLength = findWrongLength([["leaf hash", leaf], ["expected root", expectedRoot], ...namedProof(proof)]);
  if (wrongLength !== null) return fail("hash_length_wrong", wrongLength);
  const innerRoot = chainInner(leaf, proof.slice(0, inner), index);
  const root = chainBorder(innerRoot, proof.slice(inner));
  if (!equalBytes(root, expectedRoot)) {
    return fail("root_mismatch", `proof gives root ${bytesToHex(root)}, expected ${bytesToHex(expectedRoot)}`);
  }
  return { ok: true };
}

/** Checks that the tree (`oldSize`, `oldRoot`) is a prefix of the tree (`newSize`, `newRoot`). */
export function verifyConsistency(
  oldSize: number,
  newSize: number,
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
  proof: readonly Uint8Array[],
): MerkleCheck {
  if (!isTreeSize(oldSize) || !isTreeSize(newSize) || oldSize > newSize) {
    return fail("size_invalid", `sizes must be integers with 0 <= old (${oldSize}) <= new (${newSize})`);
  }
  const shape = consistencyShape(oldSize, newSize);
  if (proof.length !== shape.proofLength) {
    return fail("proof_length_wrong", `proof has ${proof.length} hashes, sizes ${oldSize} -> ${newSize} need ${shape.proofLength}`);
  }
  const wrongLength = findWrongLength([["old root", oldRoot], ["new root", newRoot], ...namedProof(proof)]);
  if (wrongLength !== null) return fail("hash_length_wrong", wrongLength);
  if (oldSize === 0 || oldSize === newSize) return verifyTrivialConsistency(oldSize, newSize, oldRoot, newRoot);
  const seed = shape.seedFromProof ? (proof[0] as Uint8Array) : oldRoot;
  const path = proof.slice(shape.seedFromProof ? 1 : 0);
  const innerPath = path.slice(0, shape.inner);
  const borderPath = path.slice(shape.inner);
  // Only the left siblings along the path rebuild the old root; all siblings rebuild the new.
  const computedOldRoot = chainBorder(chainInnerLeftOnly(seed, innerPath, shape.mask), borderPath);
  if (!equalBytes(computedOldRoot, oldRoot)) {
    return fail("old_root_mismatch", `proof gives old root ${bytesToHex(computedOldRoot)}, expected ${bytesToHex(oldRoot)}`);
  }
  const computedNewRoot = chainBorder(chainInner(seed, innerPath, shape.mask), borderPath);
  if (!equalBytes(computedNewRoot, newRoot)) {
    return fail("new_root_mismatch", `proof gives new root ${bytesToHex(computedNewRoot)}, expected ${bytesToHex(newRoot)}`);
  }
  return { ok: true };
}

export function hashesToHex(hashes: readonly Uint8Array[]): string[] {
  return hashes.map((hash) => bytesToHex(hash));
}

/** Decodes hex hashes; throws on anything but 64 lowercase hex characters each. */
export function hashesFromHex(hashesHex: readonly string[]): Uint8Array[] {
  return hashesHex.map((hashHex) => hexToBytes(hashHex, SHA256_BYTES));
}

/** What `MerkleFrontier.serialize()` returns: plain JSON, hashes as lowercase hex. */
export interface SerializedFrontier {
  size: number;
  nodeHashesHex: string[];
}

/**
 * The right edge of a growing tree: the roots of its perfect subtrees, largest first, one per
 * set bit of the size (a "compact range" of [0, size)). Appending a leaf merges equal-sized
 * subtrees like a binary counter carries, so it costs O(log n) hashes, and the root is O(log n)
 * too. This is what the server keeps to extend a log of millions of leaves.
 */
export class MerkleFrontier {
  #size = 0;
  #nodes: Uint8Array[] = [];

  static fromLeafHashes(leafHashes: readonly Uint8Array[]): MerkleFrontier {
    const frontier = new MerkleFrontier();
    for (const hash of leafHashes) frontier.append(hash);
    return frontier;
  }

  /** Restores a serialized frontier; throws if it is not a consistent frontier. */
  static deserialize(data: SerializedFrontier): MerkleFrontier {
    if (!isTreeSize(data.size) || !Array.isArray(data.nodeHashesHex)) {
      throw new Error(`serialized frontier has an invalid size ${String(data.size)}`);
    }
    if (data.nodeHashesHex.length !== popCount(data.size)) {
      throw new Error(`a frontier of size ${data.size} has ${popCount(data.size)} nodes, got ${data.nodeHashesHex.length}`);
    }
    const frontier = new MerkleFrontier();
    frontier.#size = data.size;
    frontier.#nodes = hashesFromHex(data.nodeHashesHex);
    return frontier;
  }

  get size(): number {
    return this.#size;
  }

  append(leaf: Uint8Array): void {
    let carry = checkedHash(leaf, "appended leaf hash");
    // Each trailing 1 bit of the old size is a perfect subtree of the same height as carry.
    for (let size = this.#size; size % 2 === 1; size = Math.floor(size / 2)) {
      carry = nodeHash(this.#nodes.pop() as Uint8Array, carry);
    }
    this.#nodes.push(carry);
    this.#size += 1;
  }

  /** RFC 9162 root: fold the perfect subtrees from the right, the smallest being rightmost. */
  root(): Uint8Array {
    if (this.#nodes.length === 0) return emptyTreeRoot();
    let root = this.#nodes[this.#nodes.length - 1] as Uint8Array;
    for (let i = this.#nodes.length - 2; i >= 0; i--) {
      root = nodeHash(this.#nodes[i] as Uint8Array, root);
    }
    return Uint8Array.from(root);
  }

  serialize(): SerializedFrontier {
    return { size: this.#size, nodeHashesHex: hashesToHex(this.#nodes) };
  }

  clone(): MerkleFrontier {
    return MerkleFrontier.deserialize(this.serialize());
  }
}

/**
 * Every complete, aligned subtree hash of a growing tree (level 0 = the leaf hashes, level
 * h = the roots of [i * 2^h, (i + 1) * 2^h)). The tree is append-only, so none of these ever
 * changes once it exists: a server keeps one per log, extends it as the log grows, and
 * answers inclusion and consistency proofs with O(log n) lookups and at most O(log n)
 * hashes instead of rehashing every leaf. Each level is one contiguous byte buffer (32 bytes
 * a hash), so a million leaves cost 64 MB in all, not two million small arrays.
 */
export class SubtreeHashes {
  #levels: Uint8Array[] = [new Uint8Array(0)];
  #counts: number[] = [0];

  get size(): number {
    return this.#counts[0] as number;
  }

  append(leaf: Uint8Array): void {
    let hash = checkedHash(leaf, "appended leaf hash");
    // Completing a pair at one level completes a subtree one level up, like a binary carry.
    for (let level = 0; ; level++) {
      const index = this.#push(level, hash);
      if (index % 2 === 0) return;
      hash = nodeHash(this.#hashAt(level, index - 1), hash);
    }
  }

  /** RFC 9162 MTH(D[start:end]) of leaves this store holds. */
  root(start: number, end: number): Uint8Array {
    if (!(isTreeSize(start) && isTreeSize(end) && start <= end && end <= this.size)) {
      throw new Error(`leaf range [${start}, ${end}) is outside a tree of ${this.size} leaves`);
    }
    if (start === end) return emptyTreeRoot();
    const width = end - start;
    if (isPowerOfTwo(width) && start % width === 0) return Uint8Array.from(this.#hashAt(trailingZeros(width), start / width));
    const split = start + largestPowerOfTwoBelow(width);
    return nodeHash(this.root(start, split), this.root(split, end));
  }

  /** PATH(index, D[treeSize]) for any treeSize up to the stored size: the same as inclusionProof. */
  inclusionProof(index: number, treeSize: number): Uint8Array[] {
    if (treeSize > this.size) throw new Error(`tree size ${treeSize} is beyond the ${this.size} stored leaves`);
    return inclusionPathRanges(treeSize, index).map((range) => this.root(range.start, range.end));
  }

  /** PROOF(oldSize, D[newSize]) for sizes up to the stored size: the same as consistencyProof. */
  consistencyProof(oldSize: number, newSize: number): Uint8Array[] {
    if (newSize > this.size) throw new Error(`tree size ${newSize} is beyond the ${this.size} stored leaves`);
    return consistencyPathRanges(oldSize, newSize).map((range) => this.root(range.start, range.end));
  }

  #hashAt(level: number, index: number): Uint8Array {
    const offset = index * SHA256_BYTES;
    return (this.#levels[level] as Uint8Array).subarray(offset, offset + SHA256_BYTES);
  }

  /** Appends a hash at a level, growing its buffer by doubling; returns its index there. */
  #push(level: number, hash: Uint8Array): number {
    if (level === this.#levels.length) {
      this.#levels.push(new Uint8Array(0));
      this.#counts.push(0);
    }
    const index = this.#counts[level] as number;
    let buffer = this.#levels[level] as Uint8Array;
    if ((index + 1) * SHA256_BYTES > buffer.length) {
      const grown = new Uint8Array(Math.max(64 * SHA256_BYTES, buffer.length * 2));
      grown.set(buffer);
      this.#levels[level] = buffer = grown;
    }
    buffer.set(hash, index * SHA256_BYTES);
    this.#counts[level] = index + 1;
    return index;
  }
}

interface ConsistencyShape {
  proofLength: number;
  /** Levels of the path below the point where the old and new right edges meet. */
  inner: number;
  /** Position bits of the old tree's last subtree, from the level where the path starts. */
  mask: number;
  /** False when the old tree is itself a perfect subtree, so its root is the seed. */
  seedFromProof: boolean;
}

function consistencyShape(oldSize: number, newSize: number): ConsistencyShape {
  if (oldSize === 0 || oldSize === newSize) {
    return { proofLength: 0, inner: 0, mask: 0, seedFromProof: false };
  }
  const decomposed = decomposeInclusion(oldSize - 1, newSize);
  // The old tree's trailing perfect subtree (size 2^shift) is proved as one node, so the
  // path starts `shift` levels above the leaves.
  const shift = trailingZeros(oldSize);
  const inner = decomposed.inner - shift;
  const seedFromProof = !isPowerOfTwo(oldSize);
  const proofLength = (seedFromProof ? 1 : 0) + inner + decomposed.border;
  return { proofLength, inner, mask: shiftRight(oldSize - 1, shift), seedFromProof };
}

function verifyTrivialConsistency(oldSize: number, newSize: number, oldRoot: Uint8Array, newRoot: Uint8Array): MerkleCheck {
  if (oldSize === 0 && !equalBytes(oldRoot, emptyTreeRoot())) {
    return fail("old_root_mismatch", `old tree is empty, so its root must be ${EMPTY_SHA256_HEX}, got ${bytesToHex(oldRoot)}`);
  }
  if (oldSize === newSize && !equalBytes(oldRoot, newRoot)) {
    return fail("new_root_mismatch", `both trees have size ${newSize} but roots ${bytesToHex(oldRoot)} and ${bytesToHex(newRoot)} differ`);
  }
  return { ok: true };
}

/**
 * Splits the inclusion path of `index` in a tree of `treeSize` into the levels below the
 * point where it meets the path of the last leaf (`inner`, siblings on either side) and the
 * levels above it (`border`, where only left siblings exist, one per set bit).
 */
function decomposeInclusion(index: number, treeSize: number): { inner: number; border: number } {
  let inner = 0;
  for (let a = index, b = treeSize - 1; a !== b; a = Math.floor(a / 2), b = Math.floor(b / 2)) {
    inner += 1;
  }
  return { inner, border: popCount(shiftRight(index, inner)) };
}

/** Hashes up the path: bit i of `index` says whether the node at level i is a right child. */
function chainInner(seed: Uint8Array, path: readonly Uint8Array[], index: number): Uint8Array {
  let hash = seed;
  path.forEach((sibling, level) => {
    hash = bitAt(index, level) === 0 ? nodeHash(hash, sibling) : nodeHash(sibling, hash);
  });
  return hash;
}

/** Like chainInner but skips right siblings: the result is the subtree as the old tree saw it. */
function chainInnerLeftOnly(seed: Uint8Array, path: readonly Uint8Array[], index: number): Uint8Array {
  let hash = seed;
  path.forEach((sibling, level) => {
    if (bitAt(index, level) === 1) hash = nodeHash(sibling, hash);
  });
  return hash;
}

/** Above the last leaf's path every sibling is on the left. */
function chainBorder(seed: Uint8Array, path: readonly Uint8Array[]): Uint8Array {
  return path.reduce((hash, sibling) => nodeHash(sibling, hash), seed);
}

function namedProof(proof: readonly Uint8Array[]): Array<[string, Uint8Array]> {
  return proof.map((hash, i) => [`proof[${i}]`, hash]);
}

function findWrongLength(named: ReadonlyArray<[string, Uint8Array]>): string | null {
  for (const [name, hash] of named) {
    if (!(hash instanceof Uint8Array) || hash.length !== SHA256_BYTES) {
      const got = hash instanceof Uint8Array ? `${hash.length} bytes` : typeof hash;
      return `${name} must be ${SHA256_BYTES} bytes, got ${got}`;
    }
  }
  return null;
}

function checkedHash(hash: Uint8Array | undefined, what: string): Uint8Array {
  if (!(hash instanceof Uint8Array) || hash.length !== SHA256_BYTES) {
    throw new Error(`${what} must be a ${SHA256_BYTES}-byte Uint8Array`);
  }
  return hash;
}

function fail(code: MerkleCheckCode, detail: string): MerkleCheck {
  return { ok: false, code, detail };
}

function isTreeSize(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

/** The k of RFC 9162: the largest power of two strictly below n (n >= 2). */
function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function shiftRight(value: number, bits: number): number {
  return Math.floor(value / 2 ** bits);
}

function bitAt(value: number, bit: number): number {
  return shiftRight(value, bit) % 2;
}

function popCount(value: number): number {
  let count = 0;
  for (let rest = value; rest > 0; rest = Math.floor(rest / 2)) count += rest % 2;
  return count;
}

function trailingZeros(value: number): number {
  let zeros = 0;
  for (let rest = value; rest > 0 && rest % 2 === 0; rest /= 2) zeros += 1;
  return zeros;
}

function isPowerOfTwo(value: number): boolean {
  return value > 0 && shiftRight(value, trailingZeros(value)) === 1;
}
