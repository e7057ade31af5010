/**
 * Replays a whole exported ledger from genesis and checks everything the platform claims
 * about it, so that an auditor needs to trust nothing but the operator's public key:
 *
 *  - every entry sits at its position (leafIndex = position), its acceptedAtMs never goes
 *    back, it decodes, its transaction id is unique, and the contracts accept it at that
 *    time (which re-checks every signature and cosignature against the replayed keys);
 *  - the first entry registers exactly the given operator key;
 *  - the Merkle tree of the entries has, at every checkpoint's size, that checkpoint's root;
 *  - the checkpoints form a chain signed by the operator key (verifyCheckpointChain), and
 *    the last one covers exactly all entries.
 *
 * The first failure in log order is reported (a checkpoint comes right after the last leaf
 * it covers), so the answer points at the earliest place where the history went wrong. Any
 * edited amount or flipped signature byte fails the signature check of its entry; a removed
 * or reordered entry fails the position check, or, if the positions were renumbered, the
 * root of the block that contains it.
 */
import { verifyCheckpointChain, type CheckpointChainCheck, type SignedCheckpoint } from "./checkpoint";
import { LEDGER_EXPORT_FORMAT, type LedgerExport, type VerifyFailure } from "./export";
import { bytesToHex, hexToBytes, tryHexToBytes } from "./hex";
import { entryWithDecoded, logEntryLeafHash, type LogEntry } from "./log";
import { MerkleFrontier } from "./merkle";
import type { SignatureVerifier } from "./signing";
import { transactionId } from "./transaction";
import { applyTransaction, InvariantViolation } from "./ledger/apply";
import { decodeSignedTransaction } from "./ledger/schema";
import { operatorKeysFor } from "./ledger/roles";
import { MemoryState } from "./ledger/state";
import { NOTE_SIGNATURE_TYPE_ED25519, noteVerifierKey, parseNote, signaturesByKey, verifyNoteSignature } from "./note";
import { StateMapUpdater } from "./state-leaves";
import { checkpointStateRoot, checkpointTextHash, parseCheckpointBody } from "./tlog-checkpoint";
import type { SignedLedgerTransaction } from "./ledger/types";

/** Failure codes, in the order they are checked for each entry, then per checkpoint, then at the end. */
export type VerifyLogCode =
  | "file_malformed"
  | "leaf_missing"
  | "leaf_out_of_order"
  | "accepted_at_decreased"
  | "entry_malformed"
  | "genesis_key_mismatch"
  | "duplicate_transaction"
  | "contract_refused"
  | "invariant_violated"
  | "root_mismatch"
  | "checkpoint_note_invalid"
  | "state_root_mismatch"
  | Extract<CheckpointChainCheck, { ok: false }>["code"]
  | "checkpoint_beyond_entries"
  | "entries_not_checkpointed";

export interface LogFailure extends VerifyFailure {
  code: VerifyLogCode;
  /** For root_mismatch: the leaves of the block that must contain the bad leaf (inclusive). */
  leafRange?: { fromLeafIndex: number; toLeafIndex: number };
}

export interface VerifyLogSummary {
  transactions: number;
  checkpoints: number;
  rootHashHex: string;
  lastCheckpointSize: number;
}

export type VerifyLogResult = { ok: true; summary: VerifyLogSummary; state: MemoryState } | { ok: false; failure: LogFailure };

export interface VerifyLogOptions {
  onProgress?(done: number, total: number): void;
  /**
   * The network the log must belong to. A log's network is the one its genesis entry names
   * and every entry must name the same (the contracts refuse another, network_id_mismatch);
   * with this set, a log of another network is refused at its genesis.
   */
  networkId?: string;
}

/** What a log's replay needs besides its entries: an export without them. */
export type LogHeader = Omit<LedgerExport, "entries">;

/** What the replay computed for an entry it accepted, for a caller that checks stored copies of it. */
export interface ReplayedEntry {
  entry: LogEntry;
  signed: SignedLedgerTransaction;
  txId: string;
  leafHash: Uint8Array;
}

export interface LogVerificationOptions {
  networkId?: string;
  /** Called for every entry the replay accepted, in order. */
  onEntry?(replayed: ReplayedEntry): void;
}

const PROGRESS_EVERY = 1000;

export function verifyLog(exported: LedgerExport, verifier: SignatureVerifier, options: VerifyLogOptions = {}): VerifyLogResult {
  const opened = LogVerification.open(exported, verifier, options);
  if (!(opened instanceof LogVerification)) return { ok: false, failure: opened };
  const entries = exported.entries;
  // A whole export answers, for an entry out of place, whether the leaf it should be is elsewhere.
  let present: Set<number> | null = null;
  const leafIndexPresent = (index: number) => (present ??= new Set(entries.map((entry) => entry.leafIndex))).has(index);
  for (let from = 0; from < entries.length; from += PROGRESS_EVERY) {
    const failure = opened.append(entries.slice(from, from + PROGRESS_EVERY), leafIndexPresent);
    if (failure !== null) return { ok: false, failure };
    options.onProgress?.(Math.min(from + PROGRESS_EVERY, entries.length), entries.length);
  }
  return opened.finish();
}

/**
 * The replay of a log fed in leaf ranges: `append` the entries in order, a range at a time,
 * then `finish`. It keeps the state, the Merkle frontier and the transaction ids, never the
 * entries, so a reader that streams the log (`npm run verify`, server/ledger/export.ts) holds
 * one range at a time. verifyLog is this with the whole export as one source.
 */
export class LogVerification {
  readonly #replay: LogReplay;

  private constructor(replay: LogReplay) {
    this.#replay = replay;
  }

  /** Starts a replay, or names why the header cannot be replayed at all. */
  static open(header: LogHeader, verifier: SignatureVerifier, options: LogVerificationOptions = {}): LogVerification | LogFailure {
    const operatorKey = tryHexToBytes(header.operatorPublicKeyHex, 32);
    if (header.format !== LEDGER_EXPORT_FORMAT || operatorKey === null) {
      const detail = `expected format ${LEDGER_EXPORT_FORMAT} and a 32-byte operatorPublicKeyHex`;
      return { where: "file", index: 0, code: "file_malformed", detail };
    }
    const chain = verifyCheckpointChain(header.checkpoints, operatorKey, verifier);
    return new LogVerification(new LogReplay(header, chain, verifier, options.networkId ?? null, options.onEntry ?? null));
  }

  /** Leaves replayed so far. */
  get size(): number {
    return this.#replay.size;
  }

  /**
   * Replays the next entries (the first is leaf `size`); the first failure, or null.
   * `leafIndexPresent` tells, for an entry out of place, whether the leaf due there is
   * anywhere in the log (leaf_out_of_order) or nowhere (leaf_missing); without it, an entry
   * naming a later leaf is reported as leaf_missing.
   */
  append(entries: readonly LogEntry[], leafIndexPresent?: (leafIndex: number) => boolean): LogFailure | null {
    return this.#replay.append(entries, leafIndexPresent ?? null);
  }

  /** After the last entry: every checkpoint covered, nothing left uncovered. */
  finish(): VerifyLogResult {
    const failure = this.#replay.finish();
    return failure === null ? { ok: true, summary: this.#replay.summary(), state: this.#replay.state } : { ok: false, failure };
  }
}

class LogReplay {
  /**
   * Tracks checkpoints when the export carries notes: a decision must name one that closed
   * before it (checkpoint_unknown otherwise). An export without notes cannot say which
   * checkpoints a decision may name, so its replay accepts any.
   */
  readonly state: MemoryState;
  /** The state map, kept only when the export carries checkpoint notes (their state roots are checked). */
  private readonly stateMap: StateMapUpdater | null;
  private readonly frontier = new MerkleFrontier();
  private readonly leafOfTxId = new Map<string, number>();
  private lastAcceptedAtMs = 0;
  private started = false;
  /** Next checkpoint to check, and the size of the last one whose root matched. */
  private nextCheckpoint = 0;
  private verifiedSize = 0;

  constructor(
    private readonly exported: LogHeader,
    private readonly chain: CheckpointChainCheck,
    private readonly verifier: SignatureVerifier,
    /** The log's network: given, or the one its genesis entry names. */
    private networkId: string | null,
    private readonly onEntry: ((replayed: ReplayedEntry) => void) | null,
  ) {
    this.stateMap = exported.notes?.some((note) => note !== null) ? new StateMapUpdater() : null;
    this.state = new MemoryState(this.stateMap === null ? {} : { checkpointHashes: [] });
  }

  get size(): number {
    return this.frontier.size;
  }

  append(entries: readonly LogEntry[], leafIndexPresent: ((leafIndex: number) => boolean) | null): LogFailure | null {
    let failure: LogFailure | null = null;
    if (!this.started) {
      this.started = true;
      failure = this.checkCheckpointsUpTo(0);
    }
    for (let i = 0; failure === null && i < entries.length; i++) {
      const index = this.frontier.size;
      failure = this.replayEntry(index, entries[i] as LogEntry, leafIndexPresent) ?? this.checkCheckpointsUpTo(index + 1);
    }
    return failure;
  }

  finish(): LogFailure | null {
    if (this.frontier.size === 0) return entryFailure(0, "leaf_missing", "the log is empty: it has no genesis entry");
    return this.checkCoverage();
  }

  summary(): VerifyLogSummary {
    const checkpoints = this.exported.checkpoints;
    return {
      transactions: this.frontier.size,
      checkpoints: checkpoints.length,
      rootHashHex: bytesToHex(this.frontier.root()),
      lastCheckpointSize: checkpoints.at(-1)?.checkpoint.size ?? 0,
    };
  }

  private replayEntry(index: number, entry: LogEntry, leafIndexPresent: ((leafIndex: number) => boolean) | null): LogFailure | null {
    const shape = this.checkPosition(index, entry, leafIndexPresent);
    if (shape !== null) return shape;
    const decoded = decodeSignedTransaction(entry.signed);
    if (!decoded.ok) return entryFailure(index, "entry_malformed", decoded.issues.map((i) => `${i.path}: ${i.message}`).join("; "));
    const signed = decoded.value;
    const txId = transactionId(signed.transaction);
    if (index === 0 && !this.registersOperatorKey(signed)) {
      return entryFailure(0, "genesis_key_mismatch", `the genesis entry must be the operator's key.register of ${this.exported.operatorPublicKeyHex}`);
    }
    const earlier = this.leafOfTxId.get(txId);
    if (earlier !== undefined) return entryFailure(index, "duplicate_transaction", `transaction ${txId} is already at leaf ${earlier}`);
    const applied = this.apply(index, entry, signed, txId);
    if (applied !== null) return applied;
    this.leafOfTxId.set(txId, index);
    this.lastAcceptedAtMs = entry.acceptedAtMs;
    const leafHash = logEntryLeafHash(entryWithDecoded(entry, signed));
    this.frontier.append(leafHash);
    this.onEntry?.({ entry, signed, txId, leafHash });
    return null;
  }

  private checkPosition(index: number, entry: LogEntry, leafIndexPresent: ((leafIndex: number) => boolean) | null): LogFailure | null {
    if (entry.leafIndex !== index) {
      // An entry that appears elsewhere was moved; one that appears nowhere was removed.
      const moved = entry.leafIndex < index || (leafIndexPresent?.(index) ?? false);
      const code = moved ? "leaf_out_of_order" : "leaf_missing";
      return entryFailure(index, code, `position ${index} holds leafIndex ${entry.leafIndex}${moved ? "" : `; leaf ${index} is not in the log`}`);
    }
    if (entry.acceptedAtMs < this.lastAcceptedAtMs) {
      return entryFailure(index, "accepted_at_decreased", `acceptedAtMs ${entry.acceptedAtMs} is before the previous ${this.lastAcceptedAtMs}`);
    }
    return null;
  }

  private registersOperatorKey(signed: SignedLedgerTransaction): boolean {
    const transaction = signed.transaction;
    return (
      transaction.type === "key.register" &&
      transaction.body.role === "operator" &&
      transaction.body.publicKeyHex === this.exported.operatorPublicKeyHex
    );
  }

  /** Runs the contract at the entry's commit time and keeps its changes. */
  private apply(index: number, entry: LogEntry, signed: SignedLedgerTransaction, txId: string): LogFailure | null {
    try {
      this.networkId ??= signed.transaction.networkId;
      const outcome = applyTransaction(this.state, signed, { nowMs: entry.acceptedAtMs, txId, verifier: this.verifier, networkId: this.networkId });
      if (!outcome.ok) return entryFailure(index, "contract_refused", outcome.detail ? `${outcome.code}: ${outcome.detail}` : outcome.code);
      this.state.applyChanges(outcome.changes);
      this.stateMap?.apply(this.state, outcome.changes);
      return null;
    } catch (error) {
      // Accepted history that breaks an invariant is a finding about the log, not a crash of the verifier.
      if (error instanceof InvariantViolation) return entryFailure(index, "invariant_violated", error.message);
      throw error;
    }
  }

  /** Checks, in list order, every checkpoint that does not reach beyond `size` leaves. */
  private checkCheckpointsUpTo(size: number): LogFailure | null {
    const checkpoints = this.exported.checkpoints;
    while (this.nextCheckpoint < checkpoints.length && (checkpoints[this.nextCheckpoint] as SignedCheckpoint).checkpoint.size <= size) {
      const failure = this.checkCheckpoint(this.nextCheckpoint, size);
      if (failure !== null) return failure;
      this.nextCheckpoint += 1;
    }
    return null;
  }

  /**
   * The root first: an edited root also breaks the signature, but the root comparison says
   * what is wrong and which block to look in. A checkpoint smaller than the current size
   * came out of order, which the chain check names (size_decreased).
   */
  private checkCheckpoint(index: number, size: number): LogFailure | null {
    const { checkpoint } = this.exported.checkpoints[index] as SignedCheckpoint;
    if (checkpoint.size === size) {
      const rootHex = bytesToHex(this.frontier.root());
      if (rootHex !== checkpoint.rootHash) return this.rootMismatch(index, size, checkpoint.rootHash, rootHex);
      const noteFailure = this.checkNote(index, size);
      if (noteFailure !== null) return noteFailure;
    }
    const chainFailure = this.chainFailureAt(index);
    if (chainFailure !== null) return chainFailure;
    if (checkpoint.size > this.verifiedSize) this.verifiedSize = checkpoint.size;
    return null;
  }

  private rootMismatch(index: number, size: number, expectedHex: string, actualHex: string): LogFailure {
    const from = this.verifiedSize;
    const detail =
      `checkpoint ${index} (size ${size}) has root ${expectedHex}, but the entries give ${actualHex}; ` +
      `the previous checkpoint matched, so an edited, removed or reordered leaf is in the block (${from}, ${size}], ` +
      `leaf indexes ${from}..${size - 1}`;
    return { where: "checkpoint", index, code: "root_mismatch", detail, leafRange: { fromLeafIndex: from, toLeafIndex: size - 1 } };
  }

  private chainFailureAt(index: number): LogFailure | null {
    if (this.chain.ok || this.chain.index !== index) return null;
    return { where: "checkpoint", index, code: this.chain.code, detail: this.chain.detail };
  }

  /** The operator's checkpoint keys in force after the entries replayed so far: its checkpoint keys, or its admin keys while it has none. */
  private checkpointKeysNow(): string[] {
    const operator = [...this.state.orgs.values()].find((org) => org.role === "operator");
    if (operator === undefined) return [this.exported.operatorPublicKeyHex];
    return operatorKeysFor("checkpoint", this.state.getActiveKeysOf(operator.id)).map((key) => key.publicKeyHex);
  }

  /**
   * The checkpoint's C2SP note, if the export has one: signed by the operator key under the
   * note's origin, for this size and root, and committing to the state root of the replay.
   */
  private checkNote(index: number, size: number): LogFailure | null {
    const note = this.exported.notes?.[index];
    if (note === undefined || note === null || this.stateMap === null) return null;
    const fail = (code: VerifyLogCode, detail: string): LogFailure => ({ where: "checkpoint", index, code, detail });
    const parsed = parseNote(note);
    if (!parsed.ok) return fail("checkpoint_note_invalid", parsed.detail);
    const body = parseCheckpointBody(parsed.note.text);
    if (!body.ok) return fail("checkpoint_note_invalid", body.detail);
    const { checkpoint } = body;
    // Signed by the operator's checkpoint key in force at this size (docs/ledger.md "Operator keys"): the replay is at it now.
    const signedByKeyInForce = this.checkpointKeysNow().some((publicKeyHex) => {
      const key = noteVerifierKey(checkpoint.origin, NOTE_SIGNATURE_TYPE_ED25519, hexToBytes(publicKeyHex, 32));
      const signatures = signaturesByKey(parsed.note, key);
      return signatures.length > 0 && signatures.every((signature) => verifyNoteSignature(parsed.note.text, signature, key, this.verifier).ok);
    });
    if (!signedByKeyInForce) return fail("checkpoint_note_invalid", "the note has no valid signature by the operator's checkpoint key in force");
    if (checkpoint.size !== size || bytesToHex(checkpoint.rootHash) !== bytesToHex(this.frontier.root())) {
      return fail("checkpoint_note_invalid", `the note is for size ${checkpoint.size} and root ${bytesToHex(checkpoint.rootHash)}, the checkpoint for ${size}`);
    }
    const stateRoot = checkpointStateRoot(checkpoint);
    if (stateRoot === null) return fail("checkpoint_note_invalid", "the note carries no state root");
    const replayed = bytesToHex(this.stateMap.root());
    if (bytesToHex(stateRoot) !== replayed) return fail("state_root_mismatch", `the note commits to state root ${bytesToHex(stateRoot)}, the replay gives ${replayed}`);
    // From here on, a financing decision may name this checkpoint.
    this.state.addCheckpoint(checkpointTextHash(parsed.note.text));
    return null;
  }

  /** After the last entry: nothing checkpointed beyond the log, nothing in the log uncheckpointed. */
  private checkCoverage(): LogFailure | null {
    const checkpoints = this.exported.checkpoints;
    const total = this.frontier.size;
    if (this.nextCheckpoint < checkpoints.length) {
      const index = this.nextCheckpoint;
      const size = (checkpoints[index] as SignedCheckpoint).checkpoint.size;
      const detail = `checkpoint ${index} covers ${size} leaves but the log has ${total}; entries ${total}..${size - 1} are missing`;
      return this.chainFailureAt(index) ?? { where: "checkpoint", index, code: "checkpoint_beyond_entries", detail };
    }
    const covered = checkpoints.at(-1)?.checkpoint.size ?? 0;
    if (covered < total) {
      const detail = `the last checkpoint covers ${covered} leaves but the log has ${total}; leaves ${covered}..${total - 1} are not checkpointed`;
      return entryFailure(covered, "entries_not_checkpointed", detail);
    }
    return null;
  }
}

function entryFailure(index: number, code: VerifyLogCode, detail: string): LogFailure {
  return { where: "entry", index, code, detail };
}
