/**
 * A witness following the log on its own (issue 13, witness lag): it polls the log's latest
 * checkpoint, replays up to it and checks it before anyone asks, so the request to cosign finds
 * the replay done; its replay snapshot is written after the answer, at a size staggered per
 * witness, and a reopened witness resumes from it. The witness and its store are the real ones
 * (PGlite in a temporary folder); the log is built in this process with the contracts
 * (trust-fixtures.ts) and served through a LogSource that counts what it was asked.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LogFollower } from "@/contracts/log-follower";
import { logEntryLeafHash, type LogEntry } from "@/contracts/log";
import { consistencyProof, rootFromLeafHashes } from "@/contracts/merkle";
import { NOTE_SIGNATURE_TYPE_ED25519, noteVerifierKey } from "@/contracts/note";
import { nobleVerifier, publicKeyFromPrivate } from "@/contracts/signing";
import { signCheckpointNote, stateRootExtension } from "@/contracts/tlog-checkpoint";
import { formatAddCheckpointRequest } from "@/contracts/tlog-witness";
import { openWitnessStore, type WitnessStore } from "@/server/witness/store";
import { snapshotOffsetFor, Witness, type LogSource } from "@/server/witness/witness";
import { buildTrustLog, operator } from "../unit/trust-fixtures";

const ORIGIN = "double-chain.test/ledger";
const { log, blocks } = buildTrustLog();
const leafHashes = log.entries.map(logEntryLeafHash);
const logKey = noteVerifierKey(ORIGIN, NOTE_SIGNATURE_TYPE_ED25519, publicKeyFromPrivate(operator.privateKey));
const stateRoots = new Map<number, Uint8Array>();
{
  const follower = new LogFollower(nobleVerifier);
  for (const size of blocks) {
    follower.appendAll(log.entries.slice(follower.size, size));
    stateRoots.set(size, follower.stateRoot());
  }
}
const [b0, b1, b2, b3, b4] = blocks as [number, number, number, number, number];

function checkpointAt(size: number): string {
  const checkpoint = { origin: ORIGIN, size, rootHash: rootFromLeafHashes(leafHashes.slice(0, size)), extensions: [stateRootExtension(stateRoots.get(size) as Uint8Array)] };
  return signCheckpointNote(checkpoint, operator.privateKey, ORIGIN);
}

function request(oldSize: number, size: number): string {
  return formatAddCheckpointRequest({ oldSize, consistencyProof: oldSize === 0 ? [] : consistencyProof(leafHashes.slice(0, size), oldSize), checkpointNote: checkpointAt(size) });
}

/** The log as a witness reads it: `published` is the size of its latest checkpoint; every entries call is counted. */
class CountingLog implements LogSource {
  published: number | null = null;
  entryCalls: [number, number][] = [];
  async entries(start: number, end: number): Promise<LogEntry[]> {
    this.entryCalls.push([start, end]);
    return log.entries.slice(start, end);
  }
  async latestCheckpoint(): Promise<string | null> {
    return this.published === null ? null : checkpointAt(this.published);
  }
}

const dirs: string[] = [];
const open: { witness: Witness; store: WitnessStore }[] = [];

async function openWitness(source: LogSource, options: { dir?: string; snapshotEveryEntries?: number; snapshotOffsetEntries?: number } = {}) {
  const dir = options.dir ?? mkdtempSync(path.join(tmpdir(), "witness-follow-"));
  if (options.dir === undefined) dirs.push(dir);
  const store = await openWitnessStore({ dataDir: dir, databaseUrl: null });
  const { snapshotEveryEntries, snapshotOffsetEntries } = options;
  const witness = await Witness.open({ name: "witness.test/bank", origin: ORIGIN, logKey, logSource: source, store, verifier: nobleVerifier, snapshotEveryEntries, snapshotOffsetEntries });
  const handle = { witness, store };
  open.push(handle);
  return { ...handle, dir };
}

async function closeWitness(handle: { witness: Witness; store: WitnessStore }) {
  await handle.witness.close();
  await handle.store.close();
  open.splice(open.indexOf(handle), 1);
}

afterEach(async () => {
  for (const handle of [...open]) await closeWitness(handle);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("a witness following the log", () => {
  it("replays up to the log's latest checkpoint on its own, then cosigns it without fetching or replaying again", async () => {
    const source = new CountingLog();
    const { witness } = await openWitness(source);
    source.published = b1;
    witness.follow(5);
    for (let i = 0; i < 400 && witness.size < b1; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(witness.size).toBe(b1);
    expect(witness.latestNote).toBeNull();
    const fetched = source.entryCalls.length;
    const answer = await witness.addCheckpoint(request(0, b1));
    expect(answer.status).toBe(200);
    expect(source.entryCalls.length).toBe(fetched);
    expect(witness.latestNote).toBe(checkpointAt(b1));
  });

  it("answers a checkpoint it stopped at behind its replay, fetches only the rest for a larger one, and sends one it passed to a newer checkpoint (503)", async () => {
    const source = new CountingLog();
    const { witness } = await openWitness(source);
    source.published = b1;
    expect(await witness.followNow()).toBe(b1);
    source.published = b3;
    expect(await witness.followNow()).toBe(b3);
    // b1 was a stop: cosigned from the state root kept there; the entries up to b1 only are persisted.
    expect((await witness.addCheckpoint(request(0, b1))).status).toBe(200);
    // b2 was passed without stopping: its state root cannot be checked against the witness's own.
    const passed = await witness.addCheckpoint(request(b1, b2));
    expect(passed.status).toBe(503);
    expect(passed.body).toContain(`ask with a checkpoint of size ${b3} or later`);
    source.entryCalls = [];
    expect((await witness.addCheckpoint(request(b1, b4))).status).toBe(200);
    expect(source.entryCalls).toEqual([[b3, b4]]);
    expect(await witness.evidence()).toEqual([]);
  });

  it("does not replay a followed checkpoint that is not the log's (a bad state root), and cosigns nothing for it", async () => {
    const source = new CountingLog();
    // Signed by the operator, the right log root, but the state root of an earlier size.
    const wrongState = { origin: ORIGIN, size: b3, rootHash: rootFromLeafHashes(leafHashes.slice(0, b3)), extensions: [stateRootExtension(stateRoots.get(b1) as Uint8Array)] };
    source.latestCheckpoint = async () => signCheckpointNote(wrongState, operator.privateKey, ORIGIN);
    const { witness } = await openWitness(source);
    expect(await witness.followNow()).toBe(0);
    expect(witness.latestNote).toBeNull();
    // The right checkpoint of that size is then replayed and cosigned as usual.
    expect((await witness.addCheckpoint(request(0, b3))).status).toBe(200);
  });
});

describe("the replay snapshot", () => {
  it("is staggered: the three demo witnesses keep theirs at different sizes of each 10,000 entries", () => {
    const offsets = ["witness.bank.example", "witness.factor.example", "witness.auditor.example"].map((name) => snapshotOffsetFor(name, 10_000));
    expect(new Set(offsets).size).toBe(3);
    for (const offset of offsets) expect(offset >= 0 && offset < 10_000).toBe(true);
  });

  it("is written after the answer, at the witness's own offset, and a reopened witness resumes from it", async () => {
    const source = new CountingLog();
    // Every 3 entries at offset 1: the marks are at sizes 2, 5, 8, ...; b0 = 1 crosses none, b2 crosses two.
    const every = 3;
    const opened = await openWitness(source, { snapshotEveryEntries: every, snapshotOffsetEntries: 1 });
    expect((await opened.witness.addCheckpoint(request(0, b0))).status).toBe(200);
    expect(b0).toBe(1);
    await opened.witness.snapshotWritten();
    expect(await opened.store.snapshot()).toBeNull();
    expect((await opened.witness.addCheckpoint(request(b0, b2))).status).toBe(200);
    await opened.witness.snapshotWritten();
    expect((await opened.store.snapshot())?.size).toBe(b2);
    expect(opened.witness.snapshotSize).toBe(b2);
    await closeWitness(opened);
    const reopened = await openWitness(source, { dir: opened.dir, snapshotEveryEntries: every, snapshotOffsetEntries: 1 });
    expect(reopened.witness.snapshotSize).toBe(b2);
    expect(reopened.witness.size).toBe(b2);
    expect((await reopened.witness.addCheckpoint(request(b2, b3))).status).toBe(200);
  });
});
