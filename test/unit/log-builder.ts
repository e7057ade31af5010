/**
 * Builds a small ledger log in memory the way the service does (apply, append, one signed
 * checkpoint per block), for tests of the log verifier and of provenance bundles. Not a
 * test file itself.
 */
import { DEMO_NETWORK_ID } from "@/contracts/ledger/schema";
import { buildSigned, toWire, type SigningIdentity } from "@/contracts/client";
import { checkpointHash, signCheckpoint, type SignedCheckpoint } from "@/contracts/checkpoint";
import { LEDGER_EXPORT_FORMAT, type LedgerExport } from "@/contracts/export";
import { bytesToHex } from "@/contracts/hex";
import { logEntryLeafHash, type LogEntry } from "@/contracts/log";
import { MerkleFrontier } from "@/contracts/merkle";
import { nobleVerifier } from "@/contracts/signing";
import { transactionId } from "@/contracts/transaction";
import { applyTransaction } from "@/contracts/ledger/apply";
import { MemoryState } from "@/contracts/ledger/state";
import { StateMapUpdater } from "@/contracts/state-leaves";
import { checkpointTextHash, formatCheckpointBody, signCheckpointNote, stateRootExtension } from "@/contracts/tlog-checkpoint";
import type { SignedLedgerTransaction, TransactionBodies, TransactionType } from "@/contracts/ledger/types";

export const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
export const MINUTE = 60_000;

export const NOTE_ORIGIN = "log-builder.example/ledger";

export interface LogBuilderOptions {
  /**
   * Close each block with a C2SP note committing to the state root as well, as the service
   * does; the builder's state then tracks those checkpoints (a decision must name one)
   * unless `trackCheckpoints` is false, which builds what a misbehaving operator could write.
   */
  notes?: boolean;
  trackCheckpoints?: boolean;
}

export class LogBuilder {
  readonly state: MemoryState;
  readonly frontier = new MerkleFrontier();
  readonly entries: LogEntry[] = [];
  readonly checkpoints: SignedCheckpoint[] = [];
  /** With `notes`: one per checkpoint, and the note-text hash of each (what a decision names). */
  readonly notes: string[] = [];
  readonly noteTextHashes: string[] = [];
  private readonly stateMap: StateMapUpdater | null;
  clock = T0;
  /** The private key the notes are signed with: the operator's (genesis) key unless a test rotates the checkpoint key. */
  noteKey: Uint8Array;
  /** The state root the last note committed to. */
  lastStateRoot: Uint8Array | null = null;
  private nonces = 0;

  constructor(
    private readonly operator: SigningIdentity & { publicKeyHex: string },
    options: LogBuilderOptions = {},
  ) {
    this.noteKey = operator.privateKey;
    this.stateMap = options.notes ? new StateMapUpdater() : null;
    this.state = new MemoryState(options.notes && options.trackCheckpoints !== false ? { checkpointHashes: [] } : {});
  }

  sign<K extends TransactionType>(who: SigningIdentity, type: K, body: TransactionBodies[K], cosigners: SigningIdentity[] = []) {
    this.nonces += 1;
    return buildSigned(who, type, body, { nonce: this.nonces.toString(16).padStart(32, "0"), createdAtMs: this.clock, cosigners });
  }

  /** Appends the transactions as one block and closes it with a checkpoint; returns their ids. */
  block(...transactions: SignedLedgerTransaction[]): string[] {
    const ids = transactions.map((signed) => this.append(signed));
    this.close();
    return ids;
  }

  /** Closes the entries appended since the last checkpoint with a checkpoint (and note). */
  close(): void {
    const previous = this.checkpoints.at(-1);
    const checkpoint = {
      size: this.entries.length,
      rootHash: bytesToHex(this.frontier.root()),
      timestampMs: this.clock,
      previousCheckpointHash: previous ? checkpointHash(previous.checkpoint) : null,
    };
    this.checkpoints.push(signCheckpoint(checkpoint, this.operator.keyId, this.operator.privateKey));
    if (this.stateMap !== null) {
      const body = { origin: NOTE_ORIGIN, size: this.entries.length, rootHash: this.frontier.root(), extensions: [stateRootExtension(this.stateMap.root())] };
      this.lastStateRoot = this.stateMap.root();
      this.notes.push(signCheckpointNote(body, this.noteKey));
      const hash = checkpointTextHash(formatCheckpointBody(body));
      this.noteTextHashes.push(hash);
      this.state.addCheckpoint(hash);
    }
  }

  export(): LedgerExport {
    const notes = this.stateMap === null ? {} : { notes: this.notes };
    return { format: LEDGER_EXPORT_FORMAT, operatorPublicKeyHex: this.operator.publicKeyHex, entries: this.entries, checkpoints: this.checkpoints, ...notes };
  }

  /**
   * What a misbehaving operator writes: the transaction goes into the log and the next
   * checkpoint without the contracts seeing it (the builder's state does not change), so the
   * operator's signatures over the log are valid and only a replay can refuse it.
   */
  appendUnchecked(signed: SignedLedgerTransaction): string {
    return this.append(signed, false);
  }

  private append(signed: SignedLedgerTransaction, checked = true): string {
    const txId = transactionId(signed.transaction);
    if (checked) {
      const outcome = applyTransaction(this.state, signed, { nowMs: this.clock, txId, verifier: nobleVerifier, networkId: DEMO_NETWORK_ID });
      if (!outcome.ok) throw new Error(`fixture transaction refused: ${outcome.code} ${outcome.detail ?? ""}`);
      this.state.applyChanges(outcome.changes);
      this.stateMap?.apply(this.state, outcome.changes);
    }
    const entry: LogEntry = { leafIndex: this.entries.length, acceptedAtMs: this.clock, signed: toWire(signed) as LogEntry["signed"] };
    this.entries.push(entry);
    this.frontier.append(logEntryLeafHash(entry));
    this.clock += MINUTE;
    return txId;
  }
}
