/**
 * A real witness process (scripts/witness.ts, its own PGlite folder, its own key) fed over
 * real HTTP: the log is built in this process with the contracts (trust-fixtures.ts) and its
 * entries are served from here the way the app will serve them. Each refusal the C2SP
 * tlog-witness spec and issue 13 ask for is tried, then the witness is restarted.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256 } from "@noble/hashes/sha2.js";
import { utf8ToBytes } from "@/contracts/hex";
import { LogFollower } from "@/contracts/log-follower";
import { logEntryLeafHash } from "@/contracts/log";
import { consistencyProof, rootFromLeafHashes } from "@/contracts/merkle";
import { formatVerifierKey, NOTE_SIGNATURE_TYPE_COSIGNATURE_V1, NOTE_SIGNATURE_TYPE_ED25519, noteVerifierKey, parseVerifierKey } from "@/contracts/note";
import { nobleVerifier, publicKeyFromPrivate } from "@/contracts/signing";
import { addSignatureLines, signCheckpointNote, stateRootExtension, verifyCheckpointNote } from "@/contracts/tlog-checkpoint";
import { formatAddCheckpointRequest } from "@/contracts/tlog-witness";
import { requestCosignature } from "@/server/ledger/witness-client";
import { buildTrustLog, operator } from "../unit/trust-fixtures";

const LOG_PORT = 4180;
const WITNESS_PORT = 4181;
const ORIGIN = "double-chain.test/ledger";
const WITNESS_NAME = "witness.test/bank";
const TSX = path.resolve("node_modules", ".bin", "tsx");

const { log, blocks } = buildTrustLog();
const leafHashes = log.entries.map(logEntryLeafHash);
const logKey = noteVerifierKey(ORIGIN, NOTE_SIGNATURE_TYPE_ED25519, publicKeyFromPrivate(operator.privateKey));
/** The state root after each block, by an independent replay. */
const stateRoots = new Map<number, Uint8Array>();
{
  const follower = new LogFollower(nobleVerifier);
  for (const size of blocks) {
    follower.appendAll(log.entries.slice(follower.size, size));
    stateRoots.set(size, follower.stateRoot());
  }
}

function checkpointAt(size: number, change: { rootHash?: Uint8Array; stateRoot?: Uint8Array; origin?: string; key?: Uint8Array } = {}): string {
  const checkpoint = {
    origin: change.origin ?? ORIGIN,
    size,
    rootHash: change.rootHash ?? rootFromLeafHashes(leafHashes.slice(0, size)),
    extensions: [stateRootExtension(change.stateRoot ?? (stateRoots.get(size) as Uint8Array))],
  };
  return signCheckpointNote(checkpoint, change.key ?? operator.privateKey, ORIGIN);
}

function request(oldSize: number, note: string, proof = oldSize === 0 ? [] : consistencyProof(leafHashes.slice(0, sizeOf(note)), oldSize)): string {
  return formatAddCheckpointRequest({ oldSize, consistencyProof: proof, checkpointNote: note });
}

function sizeOf(note: string): number {
  return Number(note.split("\n")[1]);
}

async function addCheckpoint(body: string) {
  const response = await fetch(`http://127.0.0.1:${WITNESS_PORT}/add-checkpoint`, { method: "POST", body });
  return { status: response.status, contentType: response.headers.get("content-type"), body: await response.text() };
}

let logServer: Server;
let witness: ChildProcess | null = null;
let printedKey = "";
const dataDir = mkdtempSync(path.join(tmpdir(), "witness-test-"));
/** With DATABASE_URL the witness gets a database of its own on that server, dropped at the end. */
const witnessDatabase = process.env.DATABASE_URL ? { name: `dc_witness_${process.pid}_${randomBytes(4).toString("hex")}`, adminUrl: process.env.DATABASE_URL } : null;
const witnessEnv = () => ({ ...process.env, WITNESS_DATABASE_URL: witnessDatabase === null ? "" : databaseUrl(witnessDatabase.adminUrl, witnessDatabase.name) });

function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function adminQuery(statement: string): Promise<void> {
  if (witnessDatabase === null) return;
  const admin = postgres(witnessDatabase.adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(statement);
  await admin.end();
}

let listeningLine = "";

function startWitness(): Promise<void> {
  const args = ["scripts/witness.ts", "--name", WITNESS_NAME, "--port", String(WITNESS_PORT), "--data", dataDir, "--origin", ORIGIN, "--log-key", formatVerifierKey(logKey), "--log-url", `http://127.0.0.1:${LOG_PORT}`, "--snapshot-every", "1"];
  const child = spawn(TSX, args, { stdio: ["ignore", "pipe", "pipe"], env: witnessEnv() });
  witness = child;
  return new Promise((resolve, reject) => {
    let output = "";
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const key = /witness key (\S+)/.exec(output);
      if (key && output.includes("listening")) {
        printedKey = key[1] as string;
        listeningLine = /listening .*/.exec(output)?.[0] ?? "";
        resolve();
      }
    });
    child.on("exit", (code) => reject(new Error(`witness exited with ${code}: ${output}`)));
  });
}

function stopWitness(): Promise<void> {
  const child = witness;
  witness = null;
  if (child === null || child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.removeAllListeners("exit");
    child.on("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

beforeAll(async () => {
  logServer = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://log");
    const start = Number(url.searchParams.get("start"));
    const end = Number(url.searchParams.get("end"));
    const entries = log.entries.slice(start, Math.min(end, start + 2)); // small pages, so the witness pages
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ entries }));
  });
  await new Promise<void>((resolve) => logServer.listen(LOG_PORT, "127.0.0.1", resolve));
  if (witnessDatabase !== null) await adminQuery(`create database ${witnessDatabase.name}`);
  await startWitness();
}, 120_000);

afterAll(async () => {
  await stopWitness();
  await new Promise((resolve) => logServer.close(resolve));
  rmSync(dataDir, { recursive: true, force: true });
  if (witnessDatabase !== null) await adminQuery(`drop database if exists ${witnessDatabase.name} with (force)`);
});

describe("a witness process", () => {
  const [b0, b1, b2, b3] = blocks as [number, number, number, number];

  it("serves the verifier key it printed, a cosignature/v1 key under its name", async () => {
    const served = (await (await fetch(`http://127.0.0.1:${WITNESS_PORT}/key`)).text()).trim();
    expect(served).toBe(printedKey);
    const key = parseVerifierKey(served);
    expect(key.ok && { name: key.key.name, type: key.key.type }).toEqual({ name: WITNESS_NAME, type: NOTE_SIGNATURE_TYPE_COSIGNATURE_V1 });
  });

  it("cosigns the first checkpoint after replaying it, and the cosignature verifies under a pinned policy", async () => {
    const note = checkpointAt(b0);
    const answer = await addCheckpoint(request(0, note));
    expect(answer.status).toBe(200);
    const key = parseVerifierKey(printedKey);
    if (!key.ok) throw new Error(key.detail);
    const result = verifyCheckpointNote(addSignatureLines(note, answer.body), { origin: ORIGIN, logKeys: [logKey], witnesses: [key.key], quorum: 1 }, nobleVerifier);
    expect(result.ok && result.verified.cosigners.map((cosigner) => cosigner.name)).toEqual([WITNESS_NAME]);
  });

  it("answers a stale old size with 409 and the size it last cosigned", async () => {
    const answer = await addCheckpoint(request(0, checkpointAt(b1)));
    expect(answer).toEqual({ status: 409, contentType: "text/x.tlog.size", body: `${b0}\n` });
  });

  it("refuses an unknown origin (404), a checkpoint not signed by the log's key (403) and a malformed request (400)", async () => {
    expect((await addCheckpoint(request(b0, checkpointAt(b1, { origin: "other.test/log" })))).status).toBe(404);
    expect((await addCheckpoint(request(b0, checkpointAt(b1, { key: sha256(utf8ToBytes("a fresh operator key")) })))).status).toBe(403);
    expect((await addCheckpoint(`old ${b0}\nnot base64\n\n${checkpointAt(b1)}`)).status).toBe(400);
    expect((await addCheckpoint(request(b1 + 1, checkpointAt(b1), []))).status).toBe(400);
  });

  it("cosigns the next checkpoint given a consistency proof from the last one", async () => {
    expect((await addCheckpoint(request(b0, checkpointAt(b1)))).status).toBe(200);
  });

  it("refuses a checkpoint whose consistency proof does not verify (422) and keeps it as evidence", async () => {
    const proof = consistencyProof(leafHashes.slice(0, b2), b1);
    proof[0] = proof[0]!.map((byte, index) => (index === 0 ? byte ^ 1 : byte));
    expect((await addCheckpoint(request(b1, checkpointAt(b2), proof))).status).toBe(422);
  });

  it("refuses a second checkpoint of a size it cosigned, with another root (409), and keeps it as evidence", async () => {
    const fork = checkpointAt(b1, { rootHash: sha256(utf8ToBytes("another history")) });
    expect((await addCheckpoint(request(b1, fork, []))).status).toBe(409);
  });

  it("refuses a state root that is not its own replay's (422), then cosigns the right one", async () => {
    const wrongState = checkpointAt(b2, { stateRoot: sha256(utf8ToBytes("a state where the claim was never financed")) });
    const refused = await addCheckpoint(request(b1, wrongState));
    expect(refused.status).toBe(422);
    expect(refused.body).toMatch(/state root/);
    expect((await addCheckpoint(request(b1, checkpointAt(b2)))).status).toBe(200);
  });

  it("serves the evidence it kept: the checkpoint it had cosigned and the signed one it was shown", async () => {
    const { evidence } = (await (await fetch(`http://127.0.0.1:${WITNESS_PORT}/evidence`)).json()) as { evidence: { reason: string; cosignedNote: string; shownNote: string }[] };
    expect(evidence.map((item) => item.reason)).toEqual(["inconsistent", "fork", "state_root_mismatch"]);
    const fork = evidence[1]!;
    expect(sizeOf(fork.cosignedNote)).toBe(b1);
    expect(sizeOf(fork.shownNote)).toBe(b1);
    expect(fork.shownNote).not.toBe(fork.cosignedNote);
  });

  it("keeps its key and what it cosigned across a restart; the log's client learns the size and goes on from there", async () => {
    await stopWitness();
    await startWitness();
    // Its replay resumed from the snapshot kept with the last cosigned checkpoint, not from genesis.
    expect(listeningLine).toContain(`(cosigned size ${b2}, replay resumed at leaf ${b2})`);
    expect((await (await fetch(`http://127.0.0.1:${WITNESS_PORT}/key`)).text()).trim()).toBe(printedKey);
    expect((await addCheckpoint(request(0, checkpointAt(b3)))).body).toBe(`${b2}\n`);
    const key = parseVerifierKey(printedKey);
    if (!key.ok) throw new Error(key.detail);
    const note = checkpointAt(b3);
    const proofFrom = (oldSize: number) => consistencyProof(leafHashes.slice(0, b3), oldSize);
    const answer = await requestCosignature({ url: `http://127.0.0.1:${WITNESS_PORT}`, key: key.key }, note, 0, proofFrom, nobleVerifier);
    expect(answer.ok).toBe(true);
    const policy = { origin: ORIGIN, logKeys: [logKey], witnesses: [key.key], quorum: 1 };
    expect(answer.ok && verifyCheckpointNote(addSignatureLines(note, answer.line), policy, nobleVerifier).ok).toBe(true);
  }, 120_000);

  it("prints the evidence from its data folder with the CLI", async () => {
    await stopWitness();
    const printed = spawnSync(TSX, ["scripts/witness.ts", "evidence", "--data", dataDir], { encoding: "utf8", env: witnessEnv() });
    expect(printed.status).toBe(0);
    expect(printed.stdout).toMatch(/#2 .* fork: size 5 has root/);
    expect(printed.stdout).toContain("-- the signed checkpoint it was shown:");
  }, 120_000);
});
