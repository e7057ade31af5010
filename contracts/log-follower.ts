/**
 * Follows a ledger log entry by entry, as a witness does (issue 13): every entry is replayed
 * through the contracts at its commit time, appended to the RFC 9162 tree and folded into the
 * state map, so that after the entries of a checkpoint the follower knows the log root and the
 * state root the checkpoint must carry. Pure: the entries come in, answers go out.
 *
 * A failed entry leaves the follower unchanged (the contract is pure and its changes are kept
 * only on success), but the entries before it in the same batch are kept: a caller that must
 * be all-or-nothing per checkpoint (the witness) rebuilds from what it had persisted.
 */
import { entryWithDecoded, logEntryLeafHash, type LogEntry } from "./log";
import { MerkleFrontier, type SerializedFrontier } from "./merkle";
import type { SignatureVerifier } from "./signing";
import { StateMapUpdater } from "./state-leaves";
import { transactionId } from "./transaction";
import { applyTransaction, InvariantViolation } from "./ledger/apply";
import { decodeSignedTransaction } from "./ledger/schema";
import { MemoryState, type MemoryStateContents } from "./ledger/state";
import { operatorKeysFor } from "./ledger/roles";
import type { SignedLedgerTransaction, StateChange } from "./ledger/types";

/** Failures, in the order they are checked for each entry. */
export type FollowCode =
  | "leaf_out_of_order"
  | "accepted_at_decreased"
  | "entry_malformed"
  | "genesis_key_mismatch"
  | "contract_refused"
  | "invariant_violated";

export type FollowFailure = { leafIndex: number; code: FollowCode; detail: string };

/** The first line of a follower's snapshot; each further line is one row of its state. */
interface SnapshotHeader {
  format: typeof SNAPSHOT_FORMAT;
  frontier: SerializedFrontier;
  lastAcceptedAtMs: number;
  networkId: string | null;
  /** Who signs checkpoints from which size on (absent in snapshots written before operator key roles: then the follower keeps none). */
  operatorOrgId?: string | null;
  checkpointKeys?: { fromSize: number; publicKeysHex: readonly string[] }[];
}

const SNAPSHOT_FORMAT = "double-chain/log-follower-snapshot/v1";
type ContentsKey = Exclude<keyof MemoryStateContents, "checkpointHashes">;
const CONTENTS_KEYS: readonly ContentsKey[] = ["orgs", "keys", "approvalPolicies", "creditLines", "claims", "pledges", "financings", "policies", "repayments", "nonces"];

export class LogFollower {
  /** Untracked checkpoints: a follower may start mid-log, so decisions naming a checkpoint are checked by the full replay (verifyLog), not here. */
  readonly state: MemoryState;
  readonly stateMap: StateMapUpdater;
  readonly #frontier: MerkleFrontier;
  #lastAcceptedAtMs = 0;
  /** The log's network: the one its genesis entry names, which every later entry must name too. */
  #networkId: string | null = null;
  /** The operator's organisation: the one its genesis entry registers. */
  #operatorOrgId: string | null = null;
  /**
   * The public keys (hex) that sign the log's checkpoints, from each size on where they
   * changed: the operator's checkpoint keys, or its admin keys while it has none (roles.ts
   * operatorKeysFor). A checkpoint of size n is signed by a key in force at n.
   */
  readonly #checkpointKeys: { fromSize: number; publicKeysHex: readonly string[] }[] = [];

  /**
   * `operatorPublicKeyHex`, when given, is the key the genesis entry must register for the
   * operator (as verify-log requires): without it a log built under a fresh key would replay.
   */
  constructor(
    private readonly verifier: SignatureVerifier,
    private readonly operatorPublicKeyHex: string | null = null,
    resumed?: {
      state: MemoryState;
      frontier: MerkleFrontier;
      lastAcceptedAtMs: number;
      networkId: string | null;
      operatorOrgId?: string | null;
      checkpointKeys?: readonly { fromSize: number; publicKeysHex: readonly string[] }[];
    },
  ) {
    this.state = resumed?.state ?? new MemoryState();
    this.stateMap = resumed ? StateMapUpdater.fromState(resumed.state) : new StateMapUpdater();
    this.#frontier = resumed?.frontier ?? new MerkleFrontier();
    this.#lastAcceptedAtMs = resumed?.lastAcceptedAtMs ?? 0;
    this.#networkId = resumed?.networkId ?? null;
    this.#operatorOrgId = resumed?.operatorOrgId ?? null;
    this.#checkpointKeys.push(...(resumed?.checkpointKeys ?? []));
  }

  /**
   * The replay as lines of text (a header, then one line per row of the state), so a follower
   * that stops resumes where it was instead of replaying the log from genesis: the state map
   * is rebuilt from the rows. Lines, not one text: a large state would pass a string's limit.
   * Amounts (bigint) are written as {"$bigint": "digits"}.
   */
  *snapshotLines(): Generator<string> {
    const header: SnapshotHeader = {
      format: SNAPSHOT_FORMAT,
      frontier: this.#frontier.serialize(),
      lastAcceptedAtMs: this.#lastAcceptedAtMs,
      networkId: this.#networkId,
      operatorOrgId: this.#operatorOrgId,
      checkpointKeys: this.#checkpointKeys,
    };
    yield JSON.stringify(header);
    const contents = this.state.contents();
    for (const key of CONTENTS_KEYS) for (const row of contents[key] ?? []) yield JSON.stringify([key, row], bigintReplacer);
  }

  /** A follower that goes on from a snapshot (the caller's own storage: it is trusted as written). */
  static restore(verifier: SignatureVerifier, operatorPublicKeyHex: string | null, lines: Iterable<string>): LogFollower {
    let header: SnapshotHeader | null = null;
    const contents: Record<ContentsKey, unknown[]> = Object.fromEntries(CONTENTS_KEYS.map((key) => [key, []])) as unknown as Record<ContentsKey, unknown[]>;
    for (const line of lines) {
      if (line.length === 0) continue;
      if (header === null) {
        header = JSON.parse(line) as SnapshotHeader;
        if (header.format !== SNAPSHOT_FORMAT) throw new Error(`not a follower snapshot: format ${String(header.format)}`);
        continue;
      }
      const [key, row] = JSON.parse(line, bigintReviver) as [ContentsKey, unknown];
      if (!CONTENTS_KEYS.includes(key)) throw new Error(`follower snapshot: unknown row kind ${String(key)}`);
      contents[key].push(row);
    }
    if (header === null) throw new Error("follower snapshot: empty");
    const state = new MemoryState(contents as MemoryStateContents);
    return new LogFollower(verifier, operatorPublicKeyHex, { state, frontier: MerkleFrontier.deserialize(header.frontier), lastAcceptedAtMs: header.lastAcceptedAtMs,
      networkId: header.networkId,
      operatorOrgId: header.operatorOrgId ?? null,
      checkpointKeys: header.checkpointKeys ?? [],
    });
  }

  get size(): number {
    return this.#frontier.size;
  }

  /** The public keys (hex) that may sign a checkpoint of `size` (at most this follower's size): none before the genesis. */
  checkpointKeysAt(size: number): readonly string[] {
    let keys: readonly string[] = [];
    for (const change of this.#checkpointKeys) if (change.fromSize <= size) keys = change.publicKeysHex;
    return keys;
  }

  logRoot(): Uint8Array {
    return this.#frontier.root();
  }

  stateRoot(): Uint8Array {
    return this.stateMap.root();
  }

  /**
   * Appends entries in order; stops at the first that fails and returns why. The state map is
   * updated once for the whole batch, after the entries replayed (each changed leaf from its
   * final row, the nodes above them hashed once), which gives the root per-entry updates would:
   * the map's root depends only on its final leaves. `onLeaf` is told each appended entry's
   * log leaf hash (a witness keeps them for its fork checks without hashing the entry again).
   */
  appendAll(entries: readonly LogEntry[], onLeaf?: (leafHash: Uint8Array) => void): FollowFailure | null {
    const changes: StateChange[] = [];
    try {
      for (const entry of entries) {
        const failure = this.#append(entry, changes, onLeaf);
        if (failure !== null) return failure;
      }
      return null;
    } finally {
      // Also after a failure: the entries before it are kept, and so are their leaves.
      this.stateMap.apply(this.state, changes);
    }
  }

  append(entry: LogEntry): FollowFailure | null {
    return this.appendAll([entry]);
  }

  #append(entry: LogEntry, changes: StateChange[], onLeaf: ((leafHash: Uint8Array) => void) | undefined): FollowFailure | null {
    const index = this.#frontier.size;
    if (entry.leafIndex !== index) return { leafIndex: index, code: "leaf_out_of_order", detail: `expected leaf ${index}, got leafIndex ${entry.leafIndex}` };
    if (!Number.isSafeInteger(entry.acceptedAtMs) || entry.acceptedAtMs < this.#lastAcceptedAtMs) {
      return { leafIndex: index, code: "accepted_at_decreased", detail: `acceptedAtMs ${entry.acceptedAtMs} is before the previous ${this.#lastAcceptedAtMs}` };
    }
    const decoded = decodeSignedTransaction(entry.signed);
    if (!decoded.ok) return { leafIndex: index, code: "entry_malformed", detail: decoded.issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ") };
    if (index === 0 && this.operatorPublicKeyHex !== null && !registersOperatorKey(decoded.value.transaction, this.operatorPublicKeyHex)) {
      return { leafIndex: 0, code: "genesis_key_mismatch", detail: `the genesis entry must be the operator's key.register of ${this.operatorPublicKeyHex}` };
    }
    const failure = this.#apply(index, entry.acceptedAtMs, decoded.value, changes);
    if (failure !== null) return failure;
    this.#lastAcceptedAtMs = entry.acceptedAtMs;
    const leafHash = logEntryLeafHash(entryWithDecoded(entry, decoded.value));
    this.#frontier.append(leafHash);
    onLeaf?.(leafHash);
    return null;
  }

  #noteCheckpointKeys(index: number, signed: SignedLedgerTransaction): void {
    if (index === 0) this.#operatorOrgId = signed.transaction.signer.orgId;
    if (this.#operatorOrgId === null || !changesKeysOf(signed, this.#operatorOrgId)) return;
    const keys = operatorKeysFor("checkpoint", this.state.getActiveKeysOf(this.#operatorOrgId)).map((key) => key.publicKeyHex);
    const current = this.checkpointKeysAt(index + 1);
    if (keys.length !== current.length || keys.some((key, i) => key !== current[i])) this.#checkpointKeys.push({ fromSize: index + 1, publicKeysHex: keys });
  }

  /** Applies one entry to the state; its changes are added to `changes` for the state map. */
  #apply(index: number, nowMs: number, signed: SignedLedgerTransaction, changes: StateChange[]): FollowFailure | null {
    const txId = transactionId(signed.transaction);
    try {
      this.#networkId ??= signed.transaction.networkId;
      const outcome = applyTransaction(this.state, signed, { nowMs, txId, verifier: this.verifier, networkId: this.#networkId });
      if (!outcome.ok) return { leafIndex: index, code: "contract_refused", detail: outcome.detail ? `${outcome.code}: ${outcome.detail}` : outcome.code };
      this.state.applyChanges(outcome.changes);
      for (const change of outcome.changes) changes.push(change);
      this.#noteCheckpointKeys(index, signed);
      return null;
    } catch (error) {
      // Accepted history that breaks an invariant is a finding about the log, not a crash.
      if (error instanceof InvariantViolation) return { leafIndex: index, code: "invariant_violated", detail: error.message };
      throw error;
    }
  }
}

/** Whether an entry changes the operator's key set, and so maybe who signs checkpoints. */
function changesKeysOf(signed: SignedLedgerTransaction, orgId: string): boolean {
  const { transaction } = signed;
  return (transaction.type === "key.register" || transaction.type === "key.rotate" || transaction.type === "key.revoke") && transaction.body.orgId === orgId;
}

function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? { $bigint: value.toString() } : value;
}

function bigintReviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === "$bigint") return BigInt((value as { $bigint: string }).$bigint);
  }
  return value;
}

function registersOperatorKey(transaction: SignedLedgerTransaction["transaction"], publicKeyHex: string): boolean {
  return transaction.type === "key.register" && transaction.body.role === "operator" && transaction.body.publicKeyHex === publicKeyHex;
}
