/**
 * The state map: an authenticated map from 256-bit keys to 32-byte value hashes, whose root
 * a checkpoint commits to (issue 13). It is a sparse Merkle tree of depth 256 in which a
 * subtree holding exactly one entry is represented by that entry's leaf hash, as in
 * Dahlberg, Pulls and Peeters, "Efficient Sparse Merkle Trees" (2016) and Diem's Jellyfish
 * Merkle tree. Without that rule every update costs 256 hashes; with it an update costs about
 * log2(n) (20 for a million entries), which is what lets a witness keep up with the log.
 *
 * Hashes (all SHA-256 through contracts/canonical.ts, so the server's node:crypto applies):
 *   key hash          = SHA-256(utf8(domain key)), e.g. "claim:" + id (stateKey)
 *   leaf hash         = SHA-256(0x00 || key hash || value hash)
 *   node hash         = SHA-256(0x01 || left || right)
 *   empty, height 0   = SHA-256(0x02)
 *   empty, height h+1 = SHA-256(0x01 || empty(h) || empty(h))   (precomputed, EMPTY_HASHES)
 * A subtree of height h holding no entry hashes to empty(h); one holding one entry hashes to
 * that entry's leaf hash; one holding two or more is a node. The three prefixes keep the
 * kinds apart, and the leaf hash carries the whole key, so a leaf cannot be passed off at
 * another position. The root of the empty map is empty(256).
 *
 * Proofs walk from the root towards the key and stop where the key's subtree holds at most one
 * entry: at an empty subtree or at a leaf. A proof names that terminal and the siblings met on
 * the way; siblings that are empty subtrees are left out and marked by a 0 in a bitmap, so a
 * proof in a map of n entries carries about log2(n) hashes. The same proof shape proves
 * membership (terminal leaf with this key), and non-membership (terminal empty, or a leaf
 * of another key that shares the path). `verifyStateMapProof` is pure and names what did not match.
 *
 * Two implementations: `StateMap` keeps nodes in a `StateMapStore` (a Map in memory here; a
 * table on a server) and updates incrementally; `referenceRoot`/`referenceProof` compute the
 * same from a plain list of entries by the definition, for the property test to compare.
 */
import { sha256Bytes as sha256 } from "./canonical";
import { bytesToHex, equalBytes, SHA256_BYTES, tryHexToBytes, utf8ToBytes } from "./hex";

export const STATE_MAP_DEPTH = 256;

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);
const EMPTY_PREFIX = Uint8Array.of(0x02);

/** EMPTY_HASHES[h] is the hash of an empty subtree of height h (0 = a leaf position). */
export const EMPTY_HASHES: readonly Uint8Array[] = computeEmptyHashes();

function computeEmptyHashes(): Uint8Array[] {
  const hashes = [sha256(EMPTY_PREFIX)];
  for (let height = 1; height <= STATE_MAP_DEPTH; height++) {
    const below = hashes[height - 1] as Uint8Array;
    hashes.push(sha256(prefixed(NODE_PREFIX, below, below)));
  }
  return hashes;
}

/** Hash of an empty subtree whose top is at `depth` (0 = the root). */
function emptyAtDepth(depth: number): Uint8Array {
  return EMPTY_HASHES[STATE_MAP_DEPTH - depth] as Uint8Array;
}

export function emptyStateMapRoot(): Uint8Array {
  return Uint8Array.from(emptyAtDepth(0));
}

/** The map key of a domain-separated name, e.g. stateKey("claim", id). */
export function stateKey(domain: string, id: string): Uint8Array {
  if (domain.includes(":")) throw new Error(`a state key domain has no colon, got ${JSON.stringify(domain)}`);
  return sha256(utf8ToBytes(`${domain}:${id}`));
}

export function stateLeafHash(keyHash: Uint8Array, valueHash: Uint8Array): Uint8Array {
  return sha256(prefixed(LEAF_PREFIX, keyHash, valueHash));
}

export function stateNodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(prefixed(NODE_PREFIX, left, right));
}

/** prefix || left || right. Written out rather than concatBytes, which checks its inputs and costs more than the hash here. */
function prefixed(prefix: Uint8Array, left: Uint8Array, right: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(1 + left.length + right.length);
  bytes[0] = prefix[0] as number;
  bytes.set(left, 1);
  bytes.set(right, 1 + left.length);
  return bytes;
}

/** Bit `depth` of the key, most significant bit of byte 0 first: 0 goes left, 1 right. */
export function keyBit(keyHash: Uint8Array, depth: number): 0 | 1 {
  return (((keyHash[depth >> 3] as number) >> (7 - (depth & 7))) & 1) as 0 | 1;
}

/** How many leading bits two keys share (256 when they are equal). */
export function commonPrefixBits(left: Uint8Array, right: Uint8Array): number {
  for (let byte = 0; byte < SHA256_BYTES; byte++) {
    const diff = (left[byte] as number) ^ (right[byte] as number);
    if (diff !== 0) return byte * 8 + Math.clz32(diff) - 24;
  }
  return STATE_MAP_DEPTH;
}

// ---------------------------------------------------------------------------------------
// Proofs and their verifier.

/** A proof for one key, as it travels (hex and base-16 bitmap). */
export interface StateMapProof {
  /** How many levels the walk went down before it reached the terminal (0..256). */
  depth: number;
  /** ceil(depth / 8) bytes; bit i (most significant first) set = the sibling at depth i+1 is not empty. */
  bitmapHex: string;
  /** The non-empty siblings, root end first. */
  siblingsHex: string[];
  /** What the walk ended at: an empty subtree, or the leaf of the one entry under it. */
  terminal: { kind: "empty" } | { kind: "leaf"; keyHashHex: string; valueHashHex: string };
}

export type StateMapCheckCode =
  | "proof_malformed"
  | "terminal_off_path"
  | "proof_not_canonical"
  | "key_absent"
  | "key_present"
  | "value_mismatch"
  | "root_mismatch";

export type StateMapCheck = { ok: true } | { ok: false; code: StateMapCheckCode; detail: string };

interface DecodedProof {
  depth: number;
  siblings: Uint8Array[];
  terminal: { keyHash: Uint8Array; valueHash: Uint8Array } | null;
}

/**
 * Checks that the map with root `root` holds `expectedValueHash` under `keyHash`, or, when
 * `expectedValueHash` is null, that it holds nothing there. In order: the proof's shape, that
 * its terminal leaf lies on the key's path, that it stops where the tree stops (a proof that
 * runs past a lone entry could not come from the tree), what it proves about the key, and
 * last the root it rebuilds.
 */
export function verifyStateMapProof(
  root: Uint8Array,
  keyHash: Uint8Array,
  expectedValueHash: Uint8Array | null,
  proof: StateMapProof,
): StateMapCheck {
  const decoded = decodeProof(proof);
  if (typeof decoded === "string") return fail("proof_malformed", decoded);
  if (!isHash(root) || !isHash(keyHash) || (expectedValueHash !== null && !isHash(expectedValueHash))) {
    return fail("proof_malformed", "root, key hash and expected value hash must be 32 bytes each");
  }
  const { depth, siblings, terminal } = decoded;
  if (terminal !== null && commonPrefixBits(terminal.keyHash, keyHash) < depth) {
    return fail("terminal_off_path", `the terminal leaf's key ${bytesToHex(terminal.keyHash)} does not share the first ${depth} bits of the key`);
  }
  if (depth > 0 && siblings[depth - 1] === undefined) {
    return fail("proof_not_canonical", `the last sibling (depth ${depth}) is empty, so the walk should have stopped one level up`);
  }
  const claim = checkClaim(keyHash, expectedValueHash, terminal);
  if (!claim.ok) return claim;
  const computed = rootFromPath(keyHash, depth, siblings, terminal);
  if (!equalBytes(computed, root)) {
    return fail("root_mismatch", `proof gives root ${bytesToHex(computed)}, expected ${bytesToHex(root)}`);
  }
  return { ok: true };
}

function checkClaim(
  keyHash: Uint8Array,
  expectedValueHash: Uint8Array | null,
  terminal: DecodedProof["terminal"],
): StateMapCheck {
  const present = terminal !== null && equalBytes(terminal.keyHash, keyHash);
  if (expectedValueHash === null) {
    return present ? fail("key_present", `the proof shows value ${bytesToHex((terminal as { valueHash: Uint8Array }).valueHash)} under the key`) : { ok: true };
  }
  if (!present) return fail("key_absent", "the proof shows nothing under the key");
  if (!equalBytes(terminal.valueHash, expectedValueHash)) {
    return fail("value_mismatch", `the proof shows value ${bytesToHex(terminal.valueHash)}, expected ${bytesToHex(expectedValueHash)}`);
  }
  return { ok: true };
}

/** Rebuilds the root from the terminal up; `siblings[i]` sits at depth i + 1, undefined = empty. */
function rootFromPath(
  keyHash: Uint8Array,
  depth: number,
  siblings: readonly (Uint8Array | undefined)[],
  terminal: DecodedProof["terminal"],
): Uint8Array {
  let hash = terminal === null ? emptyAtDepth(depth) : stateLeafHash(terminal.keyHash, terminal.valueHash);
  for (let level = depth - 1; level >= 0; level--) {
    const sibling = siblings[level] ?? emptyAtDepth(level + 1);
    hash = keyBit(keyHash, level) === 0 ? stateNodeHash(hash, sibling) : stateNodeHash(sibling, hash);
  }
  return hash;
}

function decodeProof(proof: StateMapProof): DecodedProof | string {
  if (typeof proof !== "object" || proof === null) return "proof is not an object";
  const { depth, bitmapHex, siblingsHex, terminal } = proof;
  if (!Number.isInteger(depth) || depth < 0 || depth > STATE_MAP_DEPTH) return `depth must be an integer in 0..${STATE_MAP_DEPTH}`;
  const bitmap = tryHexToBytes(bitmapHex, Math.ceil(depth / 8));
  if (bitmap === null) return `bitmapHex must be ${Math.ceil(depth / 8)} bytes of lowercase hex`;
  if (!Array.isArray(siblingsHex)) return "siblingsHex must be an array";
  const siblings: Uint8Array[] = [];
  let next = 0;
  for (let level = 0; level < depth; level++) {
    if (keyBit(bitmap, level) === 0) continue;
    const sibling = tryHexToBytes(siblingsHex[next], SHA256_BYTES);
    if (sibling === null) return `siblingsHex[${next}] must be 64 lowercase hex characters`;
    siblings[level] = sibling;
    next += 1;
  }
  if (next !== siblingsHex.length) return `the bitmap marks ${next} siblings, the proof has ${siblingsHex.length}`;
  if (bitmap.length > 0 && depth % 8 !== 0 && ((bitmap[bitmap.length - 1] as number) & (0xff >> (depth % 8))) !== 0) {
    return "bitmap bits beyond the depth must be 0";
  }
  const decodedTerminal = decodeTerminal(terminal);
  if (typeof decodedTerminal === "string") return decodedTerminal;
  return { depth, siblings, terminal: decodedTerminal };
}

function decodeTerminal(terminal: StateMapProof["terminal"]): DecodedProof["terminal"] | string {
  if (typeof terminal !== "object" || terminal === null) return "terminal is not an object";
  if (terminal.kind === "empty") return null;
  if (terminal.kind !== "leaf") return "terminal.kind must be empty or leaf";
  const keyHash = tryHexToBytes(terminal.keyHashHex, SHA256_BYTES);
  const valueHash = tryHexToBytes(terminal.valueHashHex, SHA256_BYTES);
  if (keyHash === null || valueHash === null) return "terminal key and value hashes must be 64 lowercase hex characters";
  return { keyHash, valueHash };
}

/** Builds the wire form from siblings indexed by level (undefined = empty). */
function encodeProof(
  depth: number,
  siblings: readonly (Uint8Array | undefined)[],
  terminal: { keyHash: Uint8Array; valueHash: Uint8Array } | null,
): StateMapProof {
  const bitmap = new Uint8Array(Math.ceil(depth / 8));
  const siblingsHex: string[] = [];
  for (let level = 0; level < depth; level++) {
    const sibling = siblings[level];
    if (sibling === undefined) continue;
    bitmap[level >> 3] = (bitmap[level >> 3] as number) | (0x80 >> (level & 7));
    siblingsHex.push(bytesToHex(sibling));
  }
  return {
    depth,
    bitmapHex: bytesToHex(bitmap),
    siblingsHex,
    terminal: terminal === null ? { kind: "empty" } : { kind: "leaf", keyHashHex: bytesToHex(terminal.keyHash), valueHashHex: bytesToHex(terminal.valueHash) },
  };
}

// ---------------------------------------------------------------------------------------
// The incremental implementation.

/**
 * A stored node, as a byte string (one character per byte, codes 0-255): 32 bytes = the hash
 * of a subtree with two or more entries; 96 bytes = a lone entry, its leaf hash followed by
 * its key hash and value hash. Byte strings rather than Uint8Arrays because a million-entry
 * map holds about 2.4 million nodes, and a short string costs a fraction of a typed array's
 * memory and garbage-collection work. A server persists them as bytea (latin1).
 */
export type StoredNode = string;

/**
 * Where the map keeps its nodes, by position (see `positionId`). Synchronous on purpose: a
 * server keeps the nodes in memory (a MemoryStateMapStore filled from its table at start)
 * and writes back what `takeChanges` reports after each block.
 */
export interface StateMapStore {
  get(position: string): StoredNode | undefined;
  set(position: string, node: StoredNode): void;
  delete(position: string): void;
}

/** A Map-backed store that remembers which positions changed since the last takeChanges(). */
export class MemoryStateMapStore implements StateMapStore {
  readonly #nodes = new Map<string, StoredNode>();
  #changed = new Set<string>();

  get(position: string): StoredNode | undefined {
    return this.#nodes.get(position);
  }
  set(position: string, node: StoredNode): void {
    this.#nodes.set(position, node);
    this.#changed.add(position);
  }
  delete(position: string): void {
    this.#nodes.delete(position);
    this.#changed.add(position);
  }
  get size(): number {
    return this.#nodes.size;
  }
  /** Positions written or deleted since the last call, with their node now (undefined = deleted). */
  takeChanges(): Map<string, StoredNode | undefined> {
    const changes = new Map<string, StoredNode | undefined>();
    for (const position of this.#changed) changes.set(position, this.#nodes.get(position));
    this.#changed = new Set();
    return changes;
  }
}

const LEAF_LENGTH = 3 * SHA256_BYTES;

/** A node whose hash is not computed yet (StateMap.setMany): node-sized, so never taken for a leaf. */
const PENDING_NODE: StoredNode = "\u0000".repeat(SHA256_BYTES);

/**
 * The id of the subtree at `depth` on the key's path: one character whose code is the depth,
 * then the first ceil(depth / 8) bytes of the key with the bits beyond `depth` cleared.
 */
export function positionId(keyHash: Uint8Array, depth: number): string {
  const whole = depth >> 3;
  const codes: number[] = [depth];
  for (let i = 0; i < whole; i++) codes.push(keyHash[i] as number);
  if ((depth & 7) !== 0) codes.push((keyHash[whole] as number) & (0xff00 >> (depth & 7)) & 0xff);
  return String.fromCharCode.apply(null, codes);
}

/** The position of the other child of the node at `depth` on the key's path. */
function siblingPosition(keyHash: Uint8Array, depth: number): string {
  const id = positionId(keyHash, depth);
  const last = id.length - 1;
  const flipped = id.charCodeAt(last) ^ (0x80 >> ((depth - 1) & 7));
  return id.slice(0, last) + String.fromCharCode(flipped);
}

function bytesToByteString(bytes: Uint8Array): string {
  // apply, not spread: spreading a typed array goes through its iterator, several times slower.
  return String.fromCharCode.apply(null, bytes as unknown as number[]);
}

function byteStringToBytes(text: string, start: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = text.charCodeAt(start + i);
  return bytes;
}

function isLeafNode(node: StoredNode): boolean {
  return node.length === LEAF_LENGTH;
}

/** The hash a stored node contributes to its parent (the first 32 bytes of either kind). */
function nodeHashOf(node: StoredNode): Uint8Array {
  return byteStringToBytes(node, 0, SHA256_BYTES);
}

function leafKey(node: StoredNode): Uint8Array {
  return byteStringToBytes(node, SHA256_BYTES, SHA256_BYTES);
}

function leafValue(node: StoredNode): Uint8Array {
  return byteStringToBytes(node, 2 * SHA256_BYTES, SHA256_BYTES);
}

/** Whether the byte string of a leaf holds this key (compared without decoding it). */
function leafHoldsKey(node: StoredNode, keyHash: Uint8Array): boolean {
  for (let i = 0; i < SHA256_BYTES; i++) if (node.charCodeAt(SHA256_BYTES + i) !== keyHash[i]) return false;
  return true;
}

export class StateMap {
  constructor(private readonly store: StateMapStore = new MemoryStateMapStore()) {}

  root(): Uint8Array {
    const root = this.store.get(positionId(new Uint8Array(SHA256_BYTES), 0));
    return root === undefined ? Uint8Array.from(emptyAtDepth(0)) : nodeHashOf(root);
  }

  /** The value hash under the key, or undefined. */
  get(keyHash: Uint8Array): Uint8Array | undefined {
    const { node } = this.#walk(keyHash);
    return node !== undefined && isLeafNode(node) && leafHoldsKey(node, keyHash) ? leafValue(node) : undefined;
  }

  /** Inserts or replaces the value hash under the key. */
  set(keyHash: Uint8Array, valueHash: Uint8Array): void {
    assertHash(keyHash, "key hash");
    assertHash(valueHash, "value hash");
    const { depth, node } = this.#walk(keyHash);
    const leaf = makeLeaf(keyHash, valueHash);
    if (node === undefined || leafHoldsKey(node, keyHash)) {
      this.store.set(positionId(keyHash, depth), leaf);
    } else {
      this.#splitLeaf(depth, node, keyHash, leaf);
    }
    this.#rehashRange(keyHash, 0, depth - 1);
  }

  /**
   * Inserts or replaces several values at once, with the same nodes as `set` one at a time:
   * the leaves first, then every node above them once, level by level from the bottom, where
   * `set` recomputes a key's whole path for each key (a block's thousands of leaves share the
   * upper levels of their paths, so that is most of the hashing).
   */
  setMany(entries: readonly StateMapEntry[]): void {
    // By depth: each position whose hash must be recomputed, with a key under it.
    const dirty: Map<string, Uint8Array>[] = [];
    for (const { keyHash, valueHash } of entries) {
      assertHash(keyHash, "key hash");
      assertHash(valueHash, "value hash");
      let bottom = this.#placeLeaf(keyHash, makeLeaf(keyHash, valueHash));
      for (; bottom >= 0; bottom--) {
        const level = (dirty[bottom] ??= new Map<string, Uint8Array>());
        const position = positionId(keyHash, bottom);
        // Marked by an earlier key: so is the rest of the path up to the root.
        if (level.has(position)) break;
        level.set(position, keyHash);
      }
    }
    for (let depth = dirty.length - 1; depth >= 0; depth--) {
      for (const keyHash of dirty[depth]?.values() ?? []) this.#rehashRange(keyHash, depth, depth);
    }
  }

  /**
   * Puts a leaf in place without hashing above it; returns the depth of the deepest node on
   * the key's path that must be hashed again. Where it splits a lone entry, the positions it
   * turns into nodes hold PENDING_NODE until then, so a later walk goes through them.
   */
  #placeLeaf(keyHash: Uint8Array, leaf: StoredNode): number {
    const { depth, node } = this.#walk(keyHash);
    if (node === undefined || leafHoldsKey(node, keyHash)) {
      this.store.set(positionId(keyHash, depth), leaf);
      return depth - 1;
    }
    const existingKey = leafKey(node);
    const parting = commonPrefixBits(existingKey, keyHash);
    this.store.set(positionId(existingKey, parting + 1), node);
    this.store.set(positionId(keyHash, parting + 1), leaf);
    for (let level = depth; level <= parting; level++) this.store.set(positionId(keyHash, level), PENDING_NODE);
    return parting;
  }

  /** Removes the key; returns false when it was not there. */
  delete(keyHash: Uint8Array): boolean {
    assertHash(keyHash, "key hash");
    const { depth, node } = this.#walk(keyHash);
    if (node === undefined || !leafHoldsKey(node, keyHash)) return false;
    this.store.delete(positionId(keyHash, depth));
    const sibling = depth > 0 ? this.store.get(siblingPosition(keyHash, depth)) : undefined;
    if (sibling === undefined || !isLeafNode(sibling)) {
      this.#rehashRange(keyHash, 0, depth - 1);
      return true;
    }
    // The sibling is now the one entry under its parent: it rises while it stays alone.
    this.store.delete(siblingPosition(keyHash, depth));
    let level = depth - 1;
    while (level > 0 && this.store.get(siblingPosition(keyHash, level)) === undefined) level -= 1;
    for (let obsolete = level + 1; obsolete < depth; obsolete++) this.store.delete(positionId(keyHash, obsolete));
    this.store.set(positionId(keyHash, level), sibling);
    this.#rehashRange(keyHash, 0, level - 1);
    return true;
  }

  prove(keyHash: Uint8Array): StateMapProof {
    assertHash(keyHash, "key hash");
    const { depth, node } = this.#walk(keyHash);
    const siblings: (Uint8Array | undefined)[] = [];
    for (let level = 1; level <= depth; level++) {
      const sibling = this.store.get(siblingPosition(keyHash, level));
      siblings[level - 1] = sibling === undefined ? undefined : nodeHashOf(sibling);
    }
    const terminal = node === undefined ? null : { keyHash: leafKey(node), valueHash: leafValue(node) };
    return encodeProof(depth, siblings, terminal);
  }

  /** Goes down the key's path to the first position that is empty or a lone entry. */
  #walk(keyHash: Uint8Array): { depth: number; node: StoredNode | undefined } {
    for (let depth = 0; ; depth++) {
      const node = this.store.get(positionId(keyHash, depth));
      if (node === undefined || isLeafNode(node)) return { depth, node };
    }
  }

  /** The position at `depth` held the lone entry `existing`; both go down to where their keys part. */
  #splitLeaf(depth: number, existing: StoredNode, keyHash: Uint8Array, added: StoredNode): void {
    const existingKey = leafKey(existing);
    const parting = commonPrefixBits(existingKey, keyHash);
    this.store.set(positionId(existingKey, parting + 1), existing);
    this.store.set(positionId(keyHash, parting + 1), added);
    // The node where they part, then the levels above it down to `depth`, which have one non-empty child.
    this.#rehashRange(keyHash, depth, parting);
  }

  /** Recomputes the nodes on the key's path from depth `bottom` up to depth `top`. */
  #rehashRange(keyHash: Uint8Array, top: number, bottom: number): void {
    for (let depth = bottom; depth >= top; depth--) {
      const ownNode = this.store.get(positionId(keyHash, depth + 1));
      const otherNode = this.store.get(siblingPosition(keyHash, depth + 1));
      const own = ownNode === undefined ? emptyAtDepth(depth + 1) : nodeHashOf(ownNode);
      const other = otherNode === undefined ? emptyAtDepth(depth + 1) : nodeHashOf(otherNode);
      const hash = keyBit(keyHash, depth) === 0 ? stateNodeHash(own, other) : stateNodeHash(other, own);
      this.store.set(positionId(keyHash, depth), bytesToByteString(hash));
    }
  }
}

function makeLeaf(keyHash: Uint8Array, valueHash: Uint8Array): StoredNode {
  return bytesToByteString(stateLeafHash(keyHash, valueHash)) + bytesToByteString(keyHash) + bytesToByteString(valueHash);
}

// ---------------------------------------------------------------------------------------
// The reference implementation: the definition, recursively, over a plain list of entries.

export interface StateMapEntry {
  keyHash: Uint8Array;
  valueHash: Uint8Array;
}

/** Root of the map holding `entries` (keys distinct), straight from the definition. */
export function referenceRoot(entries: readonly StateMapEntry[]): Uint8Array {
  return subtreeHash(entries, 0);
}

function subtreeHash(entries: readonly StateMapEntry[], depth: number): Uint8Array {
  if (entries.length === 0) return emptyAtDepth(depth);
  if (entries.length === 1) return stateLeafHash((entries[0] as StateMapEntry).keyHash, (entries[0] as StateMapEntry).valueHash);
  const left = entries.filter((entry) => keyBit(entry.keyHash, depth) === 0);
  const right = entries.filter((entry) => keyBit(entry.keyHash, depth) === 1);
  return stateNodeHash(subtreeHash(left, depth + 1), subtreeHash(right, depth + 1));
}

/** The proof for `keyHash` in the map holding `entries`, straight from the definition. */
export function referenceProof(entries: readonly StateMapEntry[], keyHash: Uint8Array): StateMapProof {
  const siblings: (Uint8Array | undefined)[] = [];
  let here = entries;
  let depth = 0;
  while (here.length > 1) {
    const bit = keyBit(keyHash, depth);
    const other = here.filter((entry) => keyBit(entry.keyHash, depth) !== bit);
    siblings[depth] = other.length === 0 ? undefined : subtreeHash(other, depth + 1);
    here = here.filter((entry) => keyBit(entry.keyHash, depth) === bit);
    depth += 1;
  }
  return encodeProof(depth, siblings, here.length === 1 ? (here[0] as StateMapEntry) : null);
}

function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === SHA256_BYTES;
}

function assertHash(value: Uint8Array, what: string): void {
  if (!isHash(value)) throw new Error(`${what} must be 32 bytes`);
}

function fail(code: StateMapCheckCode, detail: string): StateMapCheck {
  return { ok: false, code, detail };
}
