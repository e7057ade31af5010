/**
 * A witness of the ledger (issue 13), speaking C2SP tlog-witness `add-checkpoint`.
 *
 * It cosigns a checkpoint only when all of this holds, checked in this order (the HTTP status
 * of each refusal is the one the spec gives, 422 for what the spec leaves to us):
 *   400  the request, the note or the checkpoint is malformed;
 *   404  the origin is not the log this witness follows;
 *   403  no signature by the log's pinned key verifies (one that fails is refused as well);
 *   409  the checkpoint's size is one the witness already knows, with another root: a fork
 *        (kept as evidence, whatever old size the request names);
 *   400  old size above the checkpoint's size;
 *   409  old size is not the size it last cosigned (the body says that size);
 *   422  the consistency proof from what it last cosigned does not verify (evidence);
 *   503  the log's entries cannot be fetched;
 *   422  an entry does not replay through the contracts, the entries do not give the
 *        checkpoint's root, or the state root is missing or not the witness's own (evidence).
 * Then it persists the entries and the cosigned checkpoint in one transaction, and answers
 * with its cosignature/v1 line. Requests are handled one at a time (the spec requires the
 * old-size check and the update to be atomic; one process, one queue).
 *
 * Following: with `follow(intervalMs)` the witness also polls the log's latest checkpoint on its
 * own and, when it is behind, replays up to it and makes every check above but the old-size one
 * (entries, roots, state root, signature), without cosigning or persisting. It remembers the
 * state root at each checkpoint it stopped at, so a request for that checkpoint, or for the one
 * it reached, is answered from the replay already done. A request for a size it replayed past
 * without stopping there cannot be checked against its own state root and is answered 503 (ask
 * with a newer checkpoint); a request for a larger size replays only the rest. A followed
 * checkpoint that fails a check is dropped (the replay is rebuilt); evidence is kept when the
 * log presents it for cosigning, as before.
 *
 * The replay snapshot (every N entries, at an offset per witness so that witnesses do not all
 * write theirs at the same size) is taken after the answer, off the request path, and written
 * in its own transaction; the process waits for it on close.
 */
import { randomBytes } from "node:crypto";
import { bytesToHex, equalBytes, hexToBytes } from "@/contracts/hex";
import { LogFollower } from "@/contracts/log-follower";
import { logEntryLeafHash, type LogEntry } from "@/contracts/log";
import { SubtreeHashes, verifyConsistency } from "@/contracts/merkle";
import {
  cosignNoteText,
  formatSignatureLine,
  formatVerifierKey,
  NOTE_SIGNATURE_TYPE_COSIGNATURE_V1,
  NOTE_SIGNATURE_TYPE_ED25519,
  noteVerifierKey,
  parseNote,
  signaturesByKey,
  verifyNoteSignature,
  type NoteVerifierKey,
} from "@/contracts/note";
import { publicKeyFromPrivate, type SignatureVerifier } from "@/contracts/signing";
import { checkpointStateRoot, parseCheckpointBody, type TlogCheckpoint } from "@/contracts/tlog-checkpoint";
import { parseAddCheckpointRequest, TLOG_SIZE_CONTENT_TYPE } from "@/contracts/tlog-witness";
import type { EvidenceRow, WitnessStore } from "./store";

/** Where the witness reads the log's entries (the app's entries endpoint, see docs/witness.md). */
export interface LogSource {
  /** Entries with leafIndex in [start, end), in order. */
  entries(start: number, end: number): Promise<LogEntry[]>;
  /** The log's latest checkpoint note (signed; untrusted until replayed), or null when it has none. */
  latestCheckpoint?(): Promise<string | null>;
}

export interface WitnessConfig {
  name: string;
  origin: string;
  /** The log's checkpoint key (type 0x01), pinned out of band. */
  logKey: NoteVerifierKey;
  logSource: LogSource;
  store: WitnessStore;
  verifier: SignatureVerifier;
  nowMs?: () => number;
  /** A replay snapshot is kept with a cosigned checkpoint once this many more entries were replayed (default 10,000). */
  snapshotEveryEntries?: number;
  /** Where in each period of `snapshotEveryEntries` this witness keeps its snapshot (default: from its name). */
  snapshotOffsetEntries?: number;
}

/** Entries read back from the store per query when the witness rebuilds its replay. */
const REBUILD_PAGE = 2000;
const SNAPSHOT_EVERY_ENTRIES = 10_000;

export interface WitnessResponse {
  status: number;
  contentType: string;
  body: string;
}

interface Cosigned {
  size: number;
  rootHash: Uint8Array;
  note: string;
}

type Refusal = WitnessResponse & { evidence?: { reason: string; detail: string } };

export class Witness {
  #follower: LogFollower;
  #history = new SubtreeHashes();
  #latest: Cosigned | null;
  /** Entries replayed for the checkpoint being cosigned, persisted with it. */
  #pending: LogEntry[] = [];
  #queue: Promise<unknown> = Promise.resolve();
  /** The log size of the replay snapshot last kept in the store. */
  #snapshotSize = 0;
  /** Own state roots at the checkpoints the follower stopped at beyond the last cosigned one. */
  #stopStateRoots = new Map<number, Uint8Array>();
  /** The text of the last followed checkpoint refused, not replayed again. */
  #followRefused: string | null = null;
  #followTimer: NodeJS.Timeout | null = null;
  #snapshotWrite: Promise<void> = Promise.resolve();

  private constructor(
    private readonly config: WitnessConfig,
    private readonly privateKey: Uint8Array,
    latest: Cosigned | null,
  ) {
    this.#follower = this.#newFollower();
    this.#latest = latest;
  }

  /** Opens the witness: its key (made on first start), what it cosigned, and its replay of the log. */
  static async open(config: WitnessConfig): Promise<Witness> {
    const privateKey = await loadOrCreateKey(config.store, config.name);
    const latestRow = await config.store.latestCosigned();
    const latest = latestRow === null ? null : cosignedFromNote(latestRow.note);
    const witness = new Witness(config, privateKey, latest);
    await witness.#rebuild();
    return witness;
  }

  /** The witness's public key as a C2SP verifier key (type 0x04), for trust policies. */
  get verifierKey(): NoteVerifierKey {
    return noteVerifierKey(this.config.name, NOTE_SIGNATURE_TYPE_COSIGNATURE_V1, publicKeyFromPrivate(this.privateKey));
  }

  get verifierKeyText(): string {
    return formatVerifierKey(this.verifierKey);
  }

  get size(): number {
    return this.#follower.size;
  }

  /** The last checkpoint it cosigned (the log's note, without the witness's own line). */
  get latestNote(): string | null {
    return this.#latest?.note ?? null;
  }

  evidence(): Promise<EvidenceRow[]> {
    return this.config.store.evidence();
  }

  /** Handles one add-checkpoint request body; requests run one after another. */
  addCheckpoint(body: string): Promise<WitnessResponse> {
    return this.#enqueue(() => this.#addCheckpoint(body));
  }

  #enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Polls the log's latest checkpoint every `intervalMs` and replays up to it (see the top of the file). */
  follow(intervalMs: number): void {
    if (this.config.logSource.latestCheckpoint === undefined || this.#followTimer !== null) return;
    // A log that is away (the app restarting) is said once, not at every poll.
    let lastProblem: string | null = null;
    const tick = () => {
      this.#enqueue(() => this.followOnce())
        .then(() => {
          lastProblem = null;
        })
        .catch((error: unknown) => {
          const problem = error instanceof Error ? error.message : String(error);
          if (problem !== lastProblem) console.error(`witness ${this.config.name}: following the log failed (tried again every ${intervalMs} ms): ${problem}`);
          lastProblem = problem;
        })
        .finally(() => {
          if (this.#followTimer !== null) this.#followTimer = setTimeout(tick, intervalMs);
        });
    };
    this.#followTimer = setTimeout(tick, intervalMs);
  }

  /** Stops following and waits for the work in hand (a request, a snapshot being written). */
  async close(): Promise<void> {
    if (this.#followTimer !== null) clearTimeout(this.#followTimer);
    this.#followTimer = null;
    await this.#queue;
    await this.#snapshotWrite;
  }

  /**
   * One step of following: the log's latest checkpoint, replayed and checked if it is beyond
   * the replay. Returns the size the replay is at. Not queued: callers hold the queue (follow,
   * tests through followNow).
   */
  async followOnce(): Promise<number> {
    const note = await this.config.logSource.latestCheckpoint?.();
    if (note === undefined || note === null) return this.#follower.size;
    const parsed = parseNote(note);
    const checkpoint = parsed.ok ? parseCheckpointBody(parsed.note.text) : null;
    if (!parsed.ok || checkpoint === null || !checkpoint.ok || checkpoint.checkpoint.origin !== this.config.origin) return this.#follower.size;
    if (checkpoint.checkpoint.size <= this.#follower.size || parsed.note.text === this.#followRefused) return this.#follower.size;
    // A note that no key in force signed is not worth a replay.
    const signature = this.#logSignature(parsed.note.text, parsed.note.signatures, this.#checkpointKeysAt(this.#follower.size));
    if (signature.problem !== null) {
      this.#followRefused = parsed.note.text;
      return this.#follower.size;
    }
    const refusal = await this.#replay(checkpoint.checkpoint, (keys) => this.#logSignature(parsed.note.text, parsed.note.signatures, keys));
    if (refusal !== null) {
      this.#followRefused = parsed.note.text;
      console.error(`witness ${this.config.name}: the log's checkpoint of size ${checkpoint.checkpoint.size} does not check (${refusal.status}): ${refusal.body.trim()}`);
    }
    return this.#follower.size;
  }

  /** One step of following, queued with the requests (tests). */
  followNow(): Promise<number> {
    return this.#enqueue(() => this.followOnce());
  }

  /** Waits for the replay snapshot being written, if any (tests). */
  async snapshotWritten(): Promise<void> {
    await this.#queue;
    await this.#snapshotWrite;
  }

  async #addCheckpoint(body: string): Promise<WitnessResponse> {
    const request = parseAddCheckpointRequest(body);
    if (!request.ok) return text(400, request.detail);
    const parsed = parseNote(request.request.checkpointNote);
    if (!parsed.ok) return text(400, `checkpoint note: ${parsed.detail}`);
    const checkpoint = parseCheckpointBody(parsed.note.text);
    if (!checkpoint.ok) return text(400, `checkpoint: ${checkpoint.detail}`);
    if (checkpoint.checkpoint.origin !== this.config.origin) return text(404, `unknown origin ${checkpoint.checkpoint.origin}`);
    const size = checkpoint.checkpoint.size;
    const signatures = parsed.note.signatures;
    // The checkpoint key in force at the checkpoint's size, as far as the replayed log tells:
    // exactly for a size it has replayed; for a larger one, the key now, which entries still to
    // replay may rotate (the signature is then checked again after the replay).
    const known = size <= this.#follower.size ? this.#checkpointKeysAt(size) : this.#checkpointKeysAt(this.#follower.size);
    const signature = this.#logSignature(parsed.note.text, signatures, known);
    if (signature.problem !== null) return text(403, signature.problem);
    if (!signature.verified && size <= this.#follower.size) return text(403, `no signature by the log's checkpoint key in force at size ${size}`);
    const shown = { checkpoint: checkpoint.checkpoint, note: request.request.checkpointNote, text: parsed.note.text };
    const refusal =
      this.#checkAgainstHistory(shown.checkpoint, request.request.oldSize, request.request.consistencyProof) ??
      (await this.#replay(shown.checkpoint, (keys) => this.#logSignature(shown.text, signatures, keys)));
    if (refusal !== null) {
      // Evidence only from a note signed by a key this witness knew in force: a stranger's note proves nothing.
      if (refusal.evidence && signature.verified) await this.#keepEvidence(refusal.evidence, shown.note);
      return refusal;
    }
    return this.#cosign(shown);
  }

  /** The checkpoint keys in force at `size` of the replayed log; the pinned key before any entry (the genesis must register it). */
  #checkpointKeysAt(size: number): Uint8Array[] {
    if (this.#follower.size === 0) return [this.config.logKey.publicKey];
    return this.#follower.checkpointKeysAt(size).map((hex) => hexToBytes(hex, 32));
  }

  /**
   * The note's signatures under the log's key name by `publicKeys`: a problem when one of
   * them fails (a note carrying a bad signature by the key is refused, as before), else
   * whether one verifies. Each key is a C2SP Ed25519 verifier key of the pinned key's name.
   */
  #logSignature(noteText: string, signatures: Parameters<typeof signaturesByKey>[0]["signatures"], publicKeys: readonly Uint8Array[]): { problem: string | null; verified: boolean } {
    let verified = false;
    for (const publicKey of publicKeys) {
      const key = noteVerifierKey(this.config.logKey.name, NOTE_SIGNATURE_TYPE_ED25519, publicKey);
      for (const byKey of signaturesByKey({ text: noteText, signatures }, key)) {
        const check = verifyNoteSignature(noteText, byKey, key, this.config.verifier);
        if (!check.ok) return { problem: check.detail, verified: false };
        verified = true;
      }
    }
    if (!verified && publicKeys.length === 0) return { problem: "the log has no checkpoint key", verified: false };
    if (!verified && !signatures.some((line) => line.name === this.config.logKey.name)) return { problem: "no signature by the log's key", verified: false };
    return { problem: null, verified };
  }

  /** Fork, old size and consistency checks against what the witness has seen and cosigned. */
  #checkAgainstHistory(checkpoint: TlogCheckpoint, oldSize: number, proof: Uint8Array[]): Refusal | null {
    if (checkpoint.size <= this.#history.size) {
      const known = this.#history.root(0, checkpoint.size);
      if (!equalBytes(known, checkpoint.rootHash)) {
        const detail = `size ${checkpoint.size} has root ${bytesToHex(known)} in the log this witness replayed, the checkpoint says ${bytesToHex(checkpoint.rootHash)}`;
        return { ...text(409, detail), evidence: { reason: "fork", detail } };
      }
    }
    const latestSize = this.#latest?.size ?? 0;
    if (oldSize > checkpoint.size) {
      // A log never goes back: a checkpoint older than one cosigned here is a restored backup (or a lie), never cosigned.
      const rollback = checkpoint.size < latestSize ? `: it is older than the checkpoint of size ${latestSize} this witness cosigned, so the log went back (rollback)` : "";
      return text(400, `old size ${oldSize} is above the checkpoint's size ${checkpoint.size}${rollback}`);
    }
    if (oldSize !== latestSize) return { status: 409, contentType: TLOG_SIZE_CONTENT_TYPE, body: `${latestSize}\n` };
    if (this.#latest === null || oldSize === checkpoint.size) return null;
    const consistency = verifyConsistency(oldSize, checkpoint.size, this.#latest.rootHash, checkpoint.rootHash, proof);
    if (!consistency.ok) {
      const detail = `not consistent with the checkpoint of size ${oldSize} it cosigned: ${consistency.code}: ${consistency.detail}`;
      return { ...text(422, detail), evidence: { reason: "inconsistent", detail } };
    }
    return null;
  }

  /**
   * Fetches and replays the new entries, then compares the roots and checks the note's
   * signature by the checkpoint key in force at its size (`signedBy`: a rotation among the
   * new entries decides it); undoes everything on a refusal.
   */
  async #replay(checkpoint: TlogCheckpoint, signedBy: (publicKeys: readonly Uint8Array[]) => { problem: string | null; verified: boolean }): Promise<Refusal | null> {
    const stateRoot = checkpointStateRoot(checkpoint);
    if (stateRoot === null) return text(422, "the checkpoint carries no state root line");
    if (checkpoint.size < this.#follower.size) return this.#compareAtStop(checkpoint, stateRoot, signedBy);
    let entries: LogEntry[];
    try {
      // Nothing to fetch when the follower is at the checkpoint's size already (it followed the log there).
      entries = checkpoint.size === this.#follower.size ? [] : await this.config.logSource.entries(this.#follower.size, checkpoint.size);
    } catch (error) {
      return text(503, `cannot fetch the log's entries: ${error instanceof Error ? error.message : String(error)}`);
    }
    let refusal = this.#appendAndCompare(entries, checkpoint, stateRoot);
    if (refusal === null) {
      const signature = signedBy(this.#checkpointKeysAt(checkpoint.size));
      if (signature.problem !== null || !signature.verified) refusal = text(403, signature.problem ?? `no signature by the log's checkpoint key in force at size ${checkpoint.size}`);
    }
    if (refusal !== null) await this.#rebuild();
    else {
      for (const entry of entries) this.#pending.push(entry);
      this.#stopStateRoots.set(checkpoint.size, this.#follower.stateRoot());
    }
    return refusal;
  }

  /**
   * A checkpoint below the size the follower reached: checked against the state root kept when
   * the follower stopped at that size (the log root was checked by the fork check); one it
   * passed without stopping cannot be checked, and is left to a newer checkpoint.
   */
  #compareAtStop(checkpoint: TlogCheckpoint, stateRoot: Uint8Array, signedBy: (publicKeys: readonly Uint8Array[]) => { problem: string | null; verified: boolean }): Refusal | null {
    const own = this.#stopStateRoots.get(checkpoint.size);
    if (own === undefined) return text(503, `this witness replayed past size ${checkpoint.size} to ${this.#follower.size} following the log, without a state root at ${checkpoint.size}; ask with a checkpoint of size ${this.#follower.size} or later`);
    if (!equalBytes(own, stateRoot)) {
      const detail = `replaying the log gives state root ${bytesToHex(own)} at size ${checkpoint.size}, the checkpoint says ${bytesToHex(stateRoot)}`;
      return { ...text(422, detail), evidence: { reason: "state_root_mismatch", detail } };
    }
    const signature = signedBy(this.#checkpointKeysAt(checkpoint.size));
    if (signature.problem !== null || !signature.verified) return text(403, signature.problem ?? `no signature by the log's checkpoint key in force at size ${checkpoint.size}`);
    return null;
  }

  #appendAndCompare(entries: readonly LogEntry[], checkpoint: TlogCheckpoint, stateRoot: Uint8Array): Refusal | null {
    if (entries.length !== checkpoint.size - this.#follower.size) {
      const detail = `the log served ${entries.length} entries for leaves ${this.#follower.size}..${checkpoint.size - 1}`;
      return { ...text(422, detail), evidence: { reason: "entries_missing", detail } };
    }
    // The follower's leaf hashes feed the fork check's tree: each entry is hashed once.
    const failure = this.#follower.appendAll(entries, (leafHash) => this.#history.append(leafHash));
    if (failure !== null) {
      const detail = `leaf ${failure.leafIndex}: ${failure.code}: ${failure.detail}`;
      return { ...text(422, detail), evidence: { reason: "replay_failed", detail } };
    }
    const logRoot = this.#follower.logRoot();
    if (!equalBytes(logRoot, checkpoint.rootHash)) {
      const detail = `the entries give root ${bytesToHex(logRoot)}, the checkpoint says ${bytesToHex(checkpoint.rootHash)}`;
      return { ...text(422, detail), evidence: { reason: "entries_do_not_match_root", detail } };
    }
    const ownStateRoot = this.#follower.stateRoot();
    if (!equalBytes(ownStateRoot, stateRoot)) {
      const detail = `replaying the log gives state root ${bytesToHex(ownStateRoot)}, the checkpoint says ${bytesToHex(stateRoot)}`;
      return { ...text(422, detail), evidence: { reason: "state_root_mismatch", detail } };
    }
    return null;
  }

  async #cosign(shown: { checkpoint: TlogCheckpoint; note: string; text: string }): Promise<WitnessResponse> {
    const nowMs = (this.config.nowMs ?? Date.now)();
    const line = formatSignatureLine(cosignNoteText(shown.text, this.config.name, this.privateKey, Math.floor(nowMs / 1000)));
    const size = shown.checkpoint.size;
    // The entries up to the cosigned size are persisted; those the follower replayed beyond it stay pending.
    const cut = this.#pending.findIndex((entry) => entry.leafIndex >= size);
    const entries = cut === -1 ? this.#pending : this.#pending.slice(0, cut);
    try {
      await this.config.store.commitCosigned(entries, { size, note: shown.note, cosignedAtMs: nowMs });
    } catch (error) {
      await this.#rebuild();
      throw error;
    }
    this.#pending = cut === -1 ? [] : this.#pending.slice(cut);
    for (const stop of this.#stopStateRoots.keys()) if (stop <= size) this.#stopStateRoots.delete(stop);
    this.#latest = { size, rootHash: shown.checkpoint.rootHash, note: shown.note };
    if (this.#snapshotDue(size)) this.#snapshotAfterAnswer(size);
    return { status: 200, contentType: "text/plain; charset=utf-8", body: line };
  }

  /**
   * Whether a snapshot is kept at this cosigned size: only where the follower is (its state is
   * of that size), once a mark of the witness's own period was crossed since the last one.
   */
  #snapshotDue(size: number): boolean {
    if (this.#follower.size !== size) return false;
    const every = this.config.snapshotEveryEntries ?? SNAPSHOT_EVERY_ENTRIES;
    const offset = (this.config.snapshotOffsetEntries ?? snapshotOffsetFor(this.config.name, every)) % every;
    return Math.floor((size + offset) / every) > Math.floor((this.#snapshotSize + offset) / every);
  }

  /**
   * Takes the snapshot once the answer has gone (queued, so no request changes the state while
   * its lines are taken; the next tick, so the answer is written first) and writes it in the
   * background, one write at a time.
   */
  #snapshotAfterAnswer(size: number): void {
    void this.#enqueue(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      // A request or a follow step queued before this one moved the replay on: a later cosigning keeps it.
      if (this.#latest?.size !== size || this.#follower.size !== size || this.#snapshotSize >= size) return;
      // Taken now, whole: the state changes with the next request while the rows are written.
      const lines = [...this.#follower.snapshotLines()];
      this.#snapshotSize = size;
      const previous = this.#snapshotWrite;
      this.#snapshotWrite = previous.then(() =>
        this.config.store.writeSnapshot({ size, lines }).catch((error: unknown) => {
          console.error(`witness ${this.config.name}: writing the replay snapshot at ${size} failed: ${error instanceof Error ? error.message : String(error)}`);
        }),
      );
    });
  }

  async #keepEvidence(evidence: { reason: string; detail: string }, shownNote: string): Promise<void> {
    await this.config.store.addEvidence({ ...evidence, cosignedNote: this.#latest?.note ?? null, shownNote, receivedAtMs: (this.config.nowMs ?? Date.now)() });
  }

  /** The log's checkpoint key is the operator key its genesis entry registers. */
  #newFollower(): LogFollower {
    return new LogFollower(this.config.verifier, bytesToHex(this.config.logKey.publicKey));
  }

  /**
   * Rebuilds the replay from what the witness persisted: at start, and after a refused batch.
   * The contracts replay from the kept snapshot on (the whole log only when there is none),
   * reading the stored entries a page at a time; the leaf hashes of the fork check are
   * recomputed from every stored entry (hashing, not replaying).
   */
  async #rebuild(): Promise<void> {
    const cosignedSize = this.#latest?.size ?? 0;
    const kept = await this.config.store.snapshot();
    const resume = kept !== null && kept.size <= cosignedSize;
    const follower = resume ? LogFollower.restore(this.config.verifier, bytesToHex(this.config.logKey.publicKey), kept.lines) : this.#newFollower();
    const history = new SubtreeHashes();
    for (let start = 0; start < cosignedSize; start += REBUILD_PAGE) {
      const entries = await this.config.store.entries(start, Math.min(cosignedSize, start + REBUILD_PAGE));
      for (const entry of entries) history.append(logEntryLeafHash(entry));
      const failure = follower.appendAll(entries.filter((entry) => entry.leafIndex >= follower.size));
      if (failure !== null) throw new Error(`the witness's own entries do not replay: leaf ${failure.leafIndex}: ${failure.code}: ${failure.detail}`);
    }
    if (follower.size !== cosignedSize || history.size !== cosignedSize) throw new Error(`the witness holds ${history.size} entries but cosigned size ${cosignedSize}`);
    if (!equalBytes(follower.logRoot(), history.root(0, cosignedSize))) throw new Error("the witness's replay snapshot is not of its own entries");
    this.#follower = follower;
    this.#history = history;
    this.#pending = [];
    this.#stopStateRoots.clear();
    this.#snapshotSize = resume ? kept.size : 0;
  }

  /** The log size its replay was resumed at, or last kept at (0: replayed from genesis). */
  get snapshotSize(): number {
    return this.#snapshotSize;
  }
}

async function loadOrCreateKey(store: WitnessStore, name: string): Promise<Uint8Array> {
  const identity = await store.identity();
  if (identity !== null) {
    // The key ID of a cosignature depends on the name, so a renamed witness would be a new one.
    if (identity.name !== name) throw new Error(`this data folder belongs to witness ${identity.name}, not ${name}`);
    return hexToBytes(identity.privateKeyHex, 32);
  }
  const privateKey = new Uint8Array(randomBytes(32));
  await store.saveIdentity({ name, privateKeyHex: bytesToHex(privateKey) });
  return privateKey;
}

function cosignedFromNote(note: string): Cosigned {
  const parsed = parseNote(note);
  const checkpoint = parsed.ok ? parseCheckpointBody(parsed.note.text) : null;
  if (checkpoint === null || !checkpoint.ok) throw new Error("the witness's stored checkpoint does not parse");
  return { size: checkpoint.checkpoint.size, rootHash: checkpoint.checkpoint.rootHash, note };
}

/** A stable offset in [0, every) from the witness's name (FNV-1a), so witnesses keep their snapshots at different sizes. */
export function snapshotOffsetFor(name: string, every: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return hash % Math.max(1, every);
}

function text(status: number, body: string): WitnessResponse {
  return { status, contentType: "text/plain; charset=utf-8", body: `${body}\n` };
}
