import { sql } from "drizzle-orm";
import type { DbOrTx, Tx } from "@/db/client";
import { claims, ledgerOrganisations, pledges, signingKeys, stateMapNodes } from "@/db/schema";
import { MemoryState } from "@/contracts/ledger/state";
import type { StateChange } from "@/contracts/ledger/types";
import { StateMapUpdater } from "@/contracts/state-leaves";
import { MemoryStateMapStore, positionId, StateMap, type StateMapProof, type StoredNode } from "@/contracts/state-map";
import { toClaim, toKey, toOrganisation, toPledge } from "./repository";

/*
 * The state map behind every checkpoint's state root (issue 13, contracts/state-leaves.ts).
 *
 * Each process keeps, per database, a mirror of what the leaves are made of (organisations,
 * keys, claims, pledges) and the map over it, valid for one checkpoint. A block takes the
 * mirror under the head lock; if it is missing or is not the head's checkpoint's (another
 * process committed, or a block rolled back), it is rebuilt from the tables, which under the
 * lock hold exactly the state at the head plus the block. The block's changes then update the touched leaves (about
 * log2(n) hashes each) and the nodes that changed are written in the block's transaction, so
 * state_map_nodes always holds the map of the last checkpoint: bundles read proofs from it.
 * A rolled-back block's mirror names a checkpoint the head never will, so it is never reused.
 */

const MAP_KINDS: ReadonlySet<StateChange["kind"]> = new Set(["org", "key", "claim", "pledge"]);

export interface StateMirror {
  /** The checkpoint this mirror is the state of (null: the empty log). */
  checkpointHash: string | null;
  state: MemoryState;
  store: MemoryStateMapStore;
  updater: StateMapUpdater;
}

const mirrors = new WeakMap<object, StateMirror>();

/**
 * Takes the mirror kept under `key` (the Db) for a block being closed under the head lock, if it
 * is the state of the head's last checkpoint; otherwise rebuilds it from the tables, which at
 * this point already hold the block's changes (applying them again changes nothing).
 */
export async function takeStateMirror(key: object, tx: Tx, lastCheckpointHash: string | null): Promise<StateMirror> {
  const kept = mirrors.get(key);
  mirrors.delete(key);
  if (kept !== undefined && kept.checkpointHash === lastCheckpointHash) return kept;
  return rebuildStateMirror(tx, lastCheckpointHash);
}

/**
 * The mirror kept under `key` if it is the state of the checkpoint `checkpointHash`, taken;
 * null otherwise (nothing is rebuilt: a block applied ahead of the head lock, see service.ts
 * commitAhead, then waits for the lock like any other).
 */
export function takeKeptStateMirror(key: object, checkpointHash: string | null): StateMirror | null {
  const kept = mirrors.get(key);
  if (kept === undefined || kept.checkpointHash !== checkpointHash) return null;
  mirrors.delete(key);
  return kept;
}

/** Keeps the mirror for the next block (see closeBlock). */
export function keepStateMirror(key: object, mirror: StateMirror): void {
  mirrors.set(key, mirror);
}

async function rebuildStateMirror(tx: DbOrTx, checkpointHash: string | null): Promise<StateMirror> {
  const [orgRows, keyRows, claimRows, pledgeRows, stored] = await Promise.all([
    tx.select().from(ledgerOrganisations),
    tx.select().from(signingKeys),
    tx.select().from(claims),
    tx.select().from(pledges).where(sql`${pledges.status} = 'active'`),
    readAllNodes(tx),
  ]);
  const state = new MemoryState({ orgs: orgRows.map(toOrganisation), keys: keyRows.map(toKey), claims: claimRows.map(toClaim), pledges: pledgeRows.map(toPledge) });
  const store = new MemoryStateMapStore();
  const updater = StateMapUpdater.fromState(state, store);
  // Write only where the table differs from the rebuilt map (after a restart, the block's own leaves).
  const built = store.takeChanges();
  const diff = new Map<string, StoredNode | undefined>();
  for (const [position, node] of built) if (stored.get(position) !== node) diff.set(position, node);
  for (const position of stored.keys()) if (!built.has(position)) diff.set(position, undefined);
  await writeNodes(tx, diff);
  return { checkpointHash, state, store, updater };
}

/** The nodes of the state map that changed, to be written with the block (writeStateNodes). */
export type ChangedStateNodes = ReadonlyMap<string, StoredNode | undefined>;

/** Applies a block's changes to the mirror in memory: the new state root and the nodes to write. */
export function advanceStateMirrorInMemory(mirror: StateMirror, changes: readonly StateChange[]): { root: Uint8Array; nodes: ChangedStateNodes } {
  const relevant = changes.filter((change) => MAP_KINDS.has(change.kind));
  mirror.state.applyChanges(relevant);
  mirror.updater.apply(mirror.state, relevant);
  return { root: mirror.updater.root(), nodes: mirror.store.takeChanges() };
}

/** Writes the changed nodes of the state map (state_map_nodes) in the block's transaction. */
export async function writeStateNodes(tx: DbOrTx, nodes: ChangedStateNodes): Promise<void> {
  await writeNodes(tx, nodes);
}

async function readAllNodes(db: DbOrTx): Promise<Map<string, string>> {
  const result = await db.execute<{ p: string; n: string }>(sql`select encode(position, 'hex') as p, encode(node, 'hex') as n from ${stateMapNodes}`);
  return new Map(rowsOf(result).map((row) => [hexLatin1(row.p), hexLatin1(row.n)]));
}

function rowsOf(result: unknown): { p: string; n: string }[] {
  return (Array.isArray(result) ? result : (result as { rows: { p: string; n: string }[] }).rows) as { p: string; n: string }[];
}

async function writeNodes(tx: DbOrTx, changes: ReadonlyMap<string, StoredNode | undefined>): Promise<void> {
  const written: [string, string][] = [];
  const deleted: string[] = [];
  for (const [position, node] of changes) {
    if (node === undefined) deleted.push(latin1Hex(position));
    else written.push([latin1Hex(position), latin1Hex(node)]);
  }
  if (deleted.length > 0) {
    await tx.execute(sql`delete from ${stateMapNodes} where position in (select decode(x, 'hex') from jsonb_array_elements_text(${JSON.stringify(deleted)}::jsonb) as x)`);
  }
  if (written.length > 0) {
    await tx.execute(
      sql`insert into ${stateMapNodes} (position, node) select decode(r->>0, 'hex'), decode(r->>1, 'hex') from jsonb_array_elements(${JSON.stringify(written)}::jsonb) as r on conflict (position) do update set node = excluded.node`,
    );
  }
}

/** The stored nodes at these positions (byte strings), in no particular order. */
async function readNodes(db: DbOrTx, positions: readonly string[]): Promise<[string, string][]> {
  if (positions.length === 0) return [];
  const result = await db.execute<{ p: string; n: string }>(
    sql`select encode(position, 'hex') as p, encode(node, 'hex') as n from ${stateMapNodes} where position in (select decode(x, 'hex') from jsonb_array_elements_text(${JSON.stringify(positions.map(latin1Hex))}::jsonb) as x)`,
  );
  return rowsOf(result).map((row) => [hexLatin1(row.p), hexLatin1(row.n)]);
}

/**
 * A proof for `keyHash` from the stored map (the last checkpoint's): reads the positions on the
 * key's path and their siblings, 32 levels per query, until the walk ends.
 */
export async function proveFromTable(db: DbOrTx, keyHash: Uint8Array): Promise<StateMapProof> {
  const [proof] = await proveManyFromTable(db, [keyHash]);
  return proof!;
}

/**
 * Proofs for several keys (a bundle's claim and its signers), their paths read together: one
 * query per 32 levels for all the keys still walking, not one per key.
 */
export async function proveManyFromTable(db: DbOrTx, keyHashes: readonly Uint8Array[]): Promise<StateMapProof[]> {
  const store = new MemoryStateMapStore();
  let walking = [...keyHashes];
  for (let from = 0; from <= 256 && walking.length > 0; from += 32) {
    const to = Math.min(from + 32, 257);
    const positions: string[] = [];
    for (const keyHash of walking) {
      for (let depth = from; depth < to; depth++) {
        positions.push(positionId(keyHash, depth));
        if (depth > 0) positions.push(siblingOf(keyHash, depth));
      }
    }
    for (const [position, node] of await readNodes(db, [...new Set(positions)])) store.set(position, node);
    // A key's walk ends at the first empty position or lone entry on its path.
    walking = walking.filter((keyHash) => {
      for (let depth = from; depth < to; depth++) {
        const node = store.get(positionId(keyHash, depth));
        if (node === undefined || node.length === 96) return false;
      }
      return true;
    });
  }
  const map = new StateMap(store);
  return keyHashes.map((keyHash) => map.prove(keyHash));
}

function siblingOf(keyHash: Uint8Array, depth: number): string {
  const id = positionId(keyHash, depth);
  const last = id.length - 1;
  return id.slice(0, last) + String.fromCharCode(id.charCodeAt(last) ^ (0x80 >> ((depth - 1) & 7)));
}

// Byte strings (one character per byte, codes 0-255) are latin1: Buffer converts them natively
// (the loops per character were 4.6% of the ledger process's CPU in the bench's profile).
function latin1Hex(text: string): string {
  return Buffer.from(text, "latin1").toString("hex");
}

function hexLatin1(hex: string): string {
  return Buffer.from(hex, "hex").toString("latin1");
}
