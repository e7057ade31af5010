import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { ledgerEntries, logSubtreeHashes } from "@/db/schema";
import { bytesToHex, hexToBytes } from "@/contracts/hex";
import { consistencyPathRanges, emptyTreeRoot, inclusionPathRanges, nodeHash } from "@/contracts/merkle";
import { textArrayLiteral } from "./repository";

/*
 * Merkle proofs of the log from the subtree hashes the database keeps beside it
 * (log_subtree_hashes, written by the append's own statement: migration 0017), instead of a
 * store each process fills at start-up. Any RFC 9162 range root is a few complete subtrees
 * (an aligned power-of-two width is one node; anything else splits at its largest power of
 * two, as MTH does), so a proof is first planned as the complete nodes it needs, then read in
 * one query, then hashed: O(log n) rows, the same answer on every instance.
 *
 * A complete subtree never changes once written (the log and this table are append-only), so
 * a process may keep the nodes it has read; `LogTreeCache` holds the upper levels, which every
 * proof shares.
 */

/** The complete subtree of leaves [index * 2^level, (index + 1) * 2^level). */
interface Node {
  level: number;
  index: number;
}

const nodeKey = (node: Node) => `${node.level}:${node.index}`;

/** The complete nodes whose hashes give MTH(D[start:end]), pushed onto `out`. */
function planRoot(start: number, end: number, out: Node[]): void {
  if (start === end) return;
  const width = end - start;
  if ((width & (width - 1)) === 0 && start % width === 0) {
    out.push({ level: Math.log2(width), index: start / width });
    return;
  }
  const split = start + largestPowerOfTwoBelow(width);
  planRoot(start, split, out);
  planRoot(split, end, out);
}

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function rootOf(hashes: ReadonlyMap<string, Uint8Array>, start: number, end: number): Uint8Array {
  if (start === end) return emptyTreeRoot();
  const width = end - start;
  if ((width & (width - 1)) === 0 && start % width === 0) {
    const hash = hashes.get(nodeKey({ level: Math.log2(width), index: start / width }));
    if (hash === undefined) throw new Error(`the log has no subtree hash for leaves [${start}, ${end})`);
    return hash;
  }
  const split = start + largestPowerOfTwoBelow(width);
  return nodeHash(rootOf(hashes, start, split), rootOf(hashes, split, end));
}

/** Levels from this one up are kept by a LogTreeCache: at most n / 2^8 nodes, shared by every proof. */
const CACHED_FROM_LEVEL = 8;
const CACHE_LIMIT = 200_000;

/** A process's copy of upper subtree hashes it has read, per database (they never change). */
export class LogTreeCache {
  readonly #byDb = new WeakMap<object, Map<string, Uint8Array>>();

  of(db: object): Map<string, Uint8Array> {
    let nodes = this.#byDb.get(db);
    if (nodes === undefined) this.#byDb.set(db, (nodes = new Map()));
    if (nodes.size > CACHE_LIMIT) nodes.clear();
    return nodes;
  }

  /** Forgets a database's nodes (its log was replaced under this process). */
  forget(db: object): void {
    this.#byDb.delete(db);
  }
}

/** Reads the hashes of `nodes` (leaves from ledger_entries, the rest from log_subtree_hashes). */
async function readNodes(db: DbOrTx, nodes: readonly Node[], cache: Map<string, Uint8Array> | null): Promise<Map<string, Uint8Array>> {
  const hashes = new Map<string, Uint8Array>();
  const leaves: number[] = [];
  const inner: string[] = [];
  for (const node of nodes) {
    const key = nodeKey(node);
    if (hashes.has(key)) continue;
    const cached = cache?.get(key);
    if (cached !== undefined) hashes.set(key, cached);
    else if (node.level === 0) leaves.push(node.index);
    else inner.push(key);
  }
  const rows: { level: number; nodeIndex: number; hash: string }[] = [];
  if (leaves.length > 0) {
    const found = await db
      .select({ nodeIndex: ledgerEntries.leafIndex, hash: ledgerEntries.leafHash })
      .from(ledgerEntries)
      .where(sql`${ledgerEntries.leafIndex} = any(${`{${leaves.join(",")}}`}::bigint[])`);
    for (const row of found) rows.push({ level: 0, ...row });
  }
  if (inner.length > 0) {
    const found = await db
      .select()
      .from(logSubtreeHashes)
      .where(
        sql`(${logSubtreeHashes.level}, ${logSubtreeHashes.nodeIndex}) in (select split_part(k, ':', 1)::int, split_part(k, ':', 2)::bigint from unnest(${textArrayLiteral(inner)}::text[]) k)`,
      );
    rows.push(...found);
  }
  for (const row of rows) {
    const key = nodeKey({ level: row.level, index: row.nodeIndex });
    const hash = hexToBytes(row.hash, 32);
    hashes.set(key, hash);
    if (cache !== null && row.level >= CACHED_FROM_LEVEL) cache.set(key, hash);
  }
  return hashes;
}

export interface LogTreeReader {
  db: DbOrTx;
  cache?: LogTreeCache | null;
  /** The cache's key for this database (the Db handle; a transaction passes its outer Db). */
  cacheKey?: object;
}

/** MTH(D[0:size]) from the stored hashes (hex). */
export async function storedRoot(reader: LogTreeReader, size: number): Promise<string> {
  const plan: Node[] = [];
  planRoot(0, size, plan);
  const hashes = await readNodes(reader.db, plan, cacheFor(reader));
  return bytesToHex(rootOf(hashes, 0, size));
}

/**
 * PATH(index, D[size]) for each index, with MTH(D[0:size]) read in the same query, so the
 * caller can check the proofs against its checkpoint's root.
 */
export async function storedInclusionProofs(reader: LogTreeReader, indexes: readonly number[], size: number): Promise<{ rootHex: string; proofs: Uint8Array[][] }> {
  const paths = indexes.map((index) => inclusionPathRanges(size, index));
  const plan: Node[] = [];
  planRoot(0, size, plan);
  for (const path of paths) for (const range of path) planRoot(range.start, range.end, plan);
  const hashes = await readNodes(reader.db, plan, cacheFor(reader));
  return { rootHex: bytesToHex(rootOf(hashes, 0, size)), proofs: paths.map((path) => path.map((range) => rootOf(hashes, range.start, range.end))) };
}

/** PROOF(oldSize, D[newSize]) from the stored hashes (newSize at most the log's size). */
export async function storedConsistencyProof(reader: LogTreeReader, oldSize: number, newSize: number): Promise<Uint8Array[]> {
  const ranges = consistencyPathRanges(oldSize, newSize);
  const plan: Node[] = [];
  for (const range of ranges) planRoot(range.start, range.end, plan);
  const hashes = await readNodes(reader.db, plan, cacheFor(reader));
  return ranges.map((range) => rootOf(hashes, range.start, range.end));
}

function cacheFor(reader: LogTreeReader): Map<string, Uint8Array> | null {
  return reader.cache ? reader.cache.of(reader.cacheKey ?? reader.db) : null;
}
