/*
 * Issue 13's attacks at the protocol level: the demo ledger written by the real service, served
 * to three real witness processes (bank, factor, auditor; scripts/witness.ts, each its own PGlite
 * folder and key, ports 4301-4303) from the app's own entries function (port 4300), cosigned
 * through the app's WitnessCosigner, and checked with the verifiers a lender runs.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, desc, eq, lt, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { checkpointCosignatures, claims } from "@/db/schema";
import { buildSigned } from "@/contracts/client";
import { sealTransaction } from "@/contracts/ledger/schema";
import { formatVerifierKey, NOTE_SIGNATURE_TYPE_ED25519, noteVerifierKey, parseNote, parseVerifierKey, type NoteVerifierKey } from "@/contracts/note";
import { verifyProvenance } from "@/contracts/provenance";
import { parseCheckpointBody, signCheckpointNote, verifyCheckpointNote, type TrustPolicy } from "@/contracts/tlog-checkpoint";
import { checkCheckpointTrust } from "@/contracts/trust-policy";
import { formatAddCheckpointRequest } from "@/contracts/tlog-witness";
import { nodeVerifier } from "@/server/crypto/node-verifier";
import { ledgerOrigin } from "@/server/env";
import { WitnessCosigner } from "@/server/ledger/cosign";
import { logCheckpoint, logEntries } from "@/server/ledger/log-api";
import { requestCosignature } from "@/server/ledger/witness-client";
import { buildProvenanceBundle, ProvenanceStore } from "@/server/ledger/provenance";
import { submitBatch } from "@/server/ledger/service";
import { loadPlatformKey, type PlatformKey } from "@/server/platform/key";
import { demoIdentity } from "@/server/seed/ledger-seed";
import { seedDemo } from "@/server/seed/seed";
import { createTestDatabase } from "../helpers/db";

const TSX = path.resolve("node_modules", ".bin", "tsx");
// CI uses 4300-4303; a machine shared with other servers moves the four ports with TRUST_TEST_PORT_BASE.
const PORT_BASE = Number(process.env.TRUST_TEST_PORT_BASE ?? 4300);
const LOG_PORT = PORT_BASE;
const NAMES = ["witness.bank.example", "witness.factor.example", "witness.auditor.example"] as const;
const PORTS = [PORT_BASE + 1, PORT_BASE + 2, PORT_BASE + 3];
const ORIGIN = ledgerOrigin();

let database: Database;
let platformKey: PlatformKey;
let logKey: NoteVerifierKey;
let logServer: Server;
const dataDirs = NAMES.map((name) => mkdtempSync(path.join(tmpdir(), `trust-${name}-`)));
const children: (ChildProcess | null)[] = [null, null, null];
const keys: string[] = ["", "", ""];
let cosigner: WitnessCosigner;
const subtrees = new ProvenanceStore();

function startWitness(index: number): Promise<void> {
  const args = ["scripts/witness.ts", "--name", NAMES[index]!, "--port", String(PORTS[index]), "--data", dataDirs[index]!, "--origin", ORIGIN, "--log-key", formatVerifierKey(logKey), "--log-url", `http://127.0.0.1:${LOG_PORT}`];
  // Its own process group: tsx runs the witness in a child node process, and a kill must reach it.
  const child = spawn(TSX, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, WITNESS_DATABASE_URL: "" }, detached: true });
  children[index] = child;
  return new Promise((resolve, reject) => {
    let output = "";
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const key = /witness key (\S+)/.exec(output);
      if (key && output.includes("listening")) {
        keys[index] = key[1] as string;
        resolve();
      }
    });
    child.on("exit", (code) => reject(new Error(`witness ${NAMES[index]} exited with ${code}: ${output}`)));
  });
}

function stopWitness(index: number, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
  const child = children[index];
  children[index] = null;
  if (!child || child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.removeAllListeners("exit");
    child.on("exit", () => resolve());
    process.kill(-child.pid!, signal);
  });
}

function witnessKeys(): NoteVerifierKey[] {
  return keys.map((text) => {
    const parsed = parseVerifierKey(text);
    if (!parsed.ok) throw new Error(parsed.detail);
    return parsed.key;
  });
}

function policy(quorum: number): TrustPolicy {
  return { origin: ORIGIN, logKeys: [logKey], witnesses: witnessKeys(), quorum };
}

async function addCheckpoint(index: number, body: string) {
  const response = await fetch(`http://127.0.0.1:${PORTS[index]}/add-checkpoint`, { method: "POST", body });
  return { status: response.status, body: await response.text() };
}

async function lastCheckpoint() {
  return logCheckpoint(database.db, new URLSearchParams(), 2);
}

/** A new block on the ledger: org_pearl pledges one of its held claims to the factor. */
async function commitABlock(): Promise<void> {
  const [held] = await database.db.select({ id: claims.id }).from(claims).where(and(eq(claims.holderOrgId, "org_pearl"), eq(claims.state, "held"))).limit(1);
  if (!held) throw new Error("no held claim of org_pearl in the demo seed");
  const pledge = buildSigned(demoIdentity("org_pearl"), "claim.pledge", { claimId: held.id, lenderOrgId: "org_gbfactor" }, { nonce: randomBytes(16).toString("hex"), createdAtMs: Date.now() });
  const [result] = await submitBatch(database.db, [sealTransaction(pledge)]);
  if (result?.status !== "accepted") throw new Error(`pledge refused: ${result && "code" in result ? result.code : "?"}`);
}

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemo(database.db);
  platformKey = await loadPlatformKey(database.db);
  logKey = noteVerifierKey(ORIGIN, NOTE_SIGNATURE_TYPE_ED25519, platformKey.publicKey);
  // The log's entries, and its latest checkpoint, which the witnesses poll to follow the log on their own.
  logServer = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://log");
    (url.pathname === "/checkpoint" ? logCheckpoint(database.db, url.searchParams, 2) : logEntries(database.db, url.searchParams))
      .then((answer) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer)))
      .catch((error: unknown) => res.writeHead(400).end(String(error)));
  });
  await new Promise<void>((resolve) => logServer.listen(LOG_PORT, "127.0.0.1", resolve));
  await Promise.all(NAMES.map((_, index) => startWitness(index)));
  cosigner = new WitnessCosigner(database.db, subtrees, NAMES.map((_, index) => ({ url: `http://127.0.0.1:${PORTS[index]}`, key: keys[index]! })), 2, nodeVerifier, () => {});
}, 300_000);

afterAll(async () => {
  await Promise.all(NAMES.map((_, index) => stopWitness(index, "SIGTERM")));
  await new Promise((resolve) => logServer?.close(resolve));
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  await database?.close();
});

describe("three witnesses following the ledger", () => {
  it("replay the seeded log and all cosign its last checkpoint, which is then final at quorum 2 of 3", async () => {
    const round = await cosigner.cosignLatest();
    await cosigner.settle();
    expect(round?.failed).toEqual([]);
    expect(round?.cosigned.sort()).toEqual([...NAMES].sort());
    const checkpoint = await lastCheckpoint();
    expect(checkpoint.final).toBe(true);
    const check = verifyCheckpointNote(checkpoint.note, policy(3), nodeVerifier);
    expect(check.ok && check.verified.cosigners.map((c) => c.name).sort()).toEqual([...NAMES].sort());
  });

  it("a lender's bundle verifies under its pinned policy and says who cosigned; the same bundle without the financing fails on the state proof", async () => {
    const [financed] = await database.db.select().from(claims).where(sql`${claims.financedOnce}`).limit(1);
    const bundle = await buildProvenanceBundle(database.db, financed!.id, subtrees);
    const result = verifyProvenance(bundle, platformKey.publicKey, nodeVerifier, { policy: policy(2) });
    if (!result.ok) throw new Error(`${result.code}: ${result.detail}`);
    expect(result.state?.claim.financedOnce).toBe(true);
    expect(result.state?.checkpoint.cosigners.length).toBe(3);
    const kept = bundle.entries.map((entry, i) => ({ entry, proof: bundle.inclusionProofs[i]! })).filter(({ entry }) => !entry.signed.transaction.type.startsWith("financing."));
    const omitted = { ...bundle, entries: kept.map((k) => k.entry), inclusionProofs: kept.map((k) => k.proof) };
    expect(verifyProvenance(omitted, platformKey.publicKey, nodeVerifier, { policy: policy(2) })).toMatchObject({ ok: false, code: "state_leaf_mismatch" });
  });

  it("refuse a forked log: a second checkpoint of the same size, signed by the operator, gets 409 and is kept as evidence", async () => {
    const { note } = await lastCheckpoint();
    const parsed = parseNote(note);
    if (!parsed.ok) throw new Error(parsed.detail);
    const body = parseCheckpointBody(parsed.note.text);
    if (!body.ok) throw new Error(body.detail);
    const fork = signCheckpointNote({ ...body.checkpoint, rootHash: new Uint8Array(32).fill(1) }, platformKey.privateKey);
    const answer = await addCheckpoint(0, formatAddCheckpointRequest({ oldSize: body.checkpoint.size, consistencyProof: [], checkpointNote: fork }));
    expect(answer.status).toBe(409);
    const evidence = (await (await fetch(`http://127.0.0.1:${PORTS[0]}/evidence`)).json()) as { evidence: { reason: string; shownNote: string }[] };
    expect(evidence.evidence.some((item) => item.reason === "fork" && item.shownNote === fork)).toBe(true);
  });

  it("refuse history rewritten and re-signed with the operator's own key: the larger checkpoint is inconsistent (422, evidence)", async () => {
    const { note, size } = await lastCheckpoint();
    const parsed = parseNote(note);
    if (!parsed.ok) throw new Error(parsed.detail);
    const body = parseCheckpointBody(parsed.note.text);
    if (!body.ok) throw new Error(body.detail);
    const rewritten = signCheckpointNote({ ...body.checkpoint, size: size + 5, rootHash: new Uint8Array(32).fill(2) }, platformKey.privateKey);
    const answer = await addCheckpoint(1, formatAddCheckpointRequest({ oldSize: size, consistencyProof: [new Uint8Array(32).fill(3)], checkpointNote: rewritten }));
    expect(answer.status).toBe(422);
    const evidence = (await (await fetch(`http://127.0.0.1:${PORTS[1]}/evidence`)).json()) as { evidence: { reason: string }[] };
    expect(evidence.evidence.map((item) => item.reason)).toContain("inconsistent");
  });

  it("refuse a checkpoint signed by a foreign operator key (403), and a lender's policy refuses it too", async () => {
    const { note, size } = await lastCheckpoint();
    const parsed = parseNote(note);
    if (!parsed.ok) throw new Error(parsed.detail);
    const body = parseCheckpointBody(parsed.note.text);
    if (!body.ok) throw new Error(body.detail);
    const foreign = signCheckpointNote(body.checkpoint, new Uint8Array(32).fill(9));
    expect((await addCheckpoint(2, formatAddCheckpointRequest({ oldSize: size, consistencyProof: [], checkpointNote: foreign }))).status).toBe(403);
    expect(verifyCheckpointNote(foreign, policy(2), nodeVerifier)).toMatchObject({ ok: false, code: "log_signature_missing" });
  });

  it("with one witness killed, the other two cosign the next block: final at quorum 2, short of a quorum of 3", async () => {
    await stopWitness(2, "SIGKILL");
    await commitABlock();
    const round = await cosigner.cosignLatest();
    expect(round?.cosigned.sort()).toEqual([NAMES[0], NAMES[1]].sort());
    // The round ended at the quorum; the killed witness's failure is added to it when its request ends.
    await cosigner.settle();
    expect(round?.failed.map((f) => f.witness)).toEqual([NAMES[2]]);
    const checkpoint = await lastCheckpoint();
    expect(checkpoint.final).toBe(true);
    expect(verifyCheckpointNote(checkpoint.note, policy(2), nodeVerifier).ok).toBe(true);
    expect(verifyCheckpointNote(checkpoint.note, policy(3), nodeVerifier)).toMatchObject({ ok: false, code: "quorum_not_met" });
  });

  it("a killed witness restarts with its key and what it cosigned, and catches up with a consistency proof", async () => {
    const before = keys[2];
    const { size } = await lastCheckpoint();
    await startWitness(2);
    expect(keys[2]).toBe(before);
    const kept = await (await fetch(`http://127.0.0.1:${PORTS[2]}/checkpoint`)).text();
    expect(Number(kept.split("\n")[1])).toBeLessThan(size);
    const round = await cosigner.cosignLatest();
    await cosigner.settle();
    expect(round?.cosigned).toContain(NAMES[2]);
    expect(verifyCheckpointNote((await lastCheckpoint()).note, policy(3), nodeVerifier).ok).toBe(true);
  });
  it("refuse a rollback: after the operator restores an old backup, its cosigned checkpoint is refused by every witness (and the lender), and new entries written on it are a fork (409, evidence)", async () => {
    const latest = await lastCheckpoint();
    // The backup's last checkpoint: an older one that the witnesses did cosign back then, genuinely signed by the operator.
    const [backup] = await database.db.select({ size: checkpointCosignatures.size }).from(checkpointCosignatures).where(lt(checkpointCosignatures.size, latest.size)).orderBy(desc(checkpointCosignatures.size)).limit(1);
    if (!backup) throw new Error("no checkpoint cosigned before the latest");
    const restored = await logCheckpoint(database.db, new URLSearchParams({ size: String(backup.size) }), 2);
    expect(restored.cosigners.length).toBe(3);
    for (const [index, name] of NAMES.entries()) {
      // As the restored app asks: from the size its restored table says the witness cosigned, then from the size the witness names.
      expect(await addCheckpoint(index, formatAddCheckpointRequest({ oldSize: backup.size, consistencyProof: [], checkpointNote: restored.note }))).toEqual({ status: 409, body: `${latest.size}\n` });
      const answer = await requestCosignature({ url: `http://127.0.0.1:${PORTS[index]}`, key: witnessKeys()[index]! }, restored.note, backup.size, () => [], nodeVerifier);
      expect(answer).toMatchObject({ ok: false, status: 400 });
      expect(answer.ok ? "" : answer.detail).toContain(`older than the checkpoint of size ${latest.size} this witness cosigned`);
      const kept = await (await fetch(`http://127.0.0.1:${PORTS[index]}/checkpoint`)).text();
      expect([name, Number(kept.split("\n")[1])]).toEqual([name, latest.size]);
    }
    // A lender that accepted the latest checkpoint refuses the restored one, cosigned as it is.
    const accepted = checkCheckpointTrust({ note: latest.note, policy: policy(2), lastAccepted: null, consistencyProofHex: null }, nodeVerifier);
    if (!accepted.ok) throw new Error(`${accepted.code}: ${accepted.detail}`);
    expect(checkCheckpointTrust({ note: restored.note, policy: policy(2), lastAccepted: accepted.accepted, consistencyProofHex: null }, nodeVerifier)).toMatchObject({ ok: false, code: "checkpoint_older_than_accepted" });
    // The restored operator goes on writing: its next checkpoint, of a size the witnesses already know, has another root.
    const parsed = parseNote(restored.note);
    if (!parsed.ok) throw new Error(parsed.detail);
    const body = parseCheckpointBody(parsed.note.text);
    if (!body.ok) throw new Error(body.detail);
    const onBackup = signCheckpointNote({ ...body.checkpoint, size: backup.size + 1, rootHash: new Uint8Array(32).fill(4) }, platformKey.privateKey);
    expect((await addCheckpoint(0, formatAddCheckpointRequest({ oldSize: latest.size, consistencyProof: [], checkpointNote: onBackup }))).status).toBe(409);
    const evidence = (await (await fetch(`http://127.0.0.1:${PORTS[0]}/evidence`)).json()) as { evidence: { reason: string; shownNote: string }[] };
    expect(evidence.evidence.some((item) => item.reason === "fork" && item.shownNote === onBackup)).toBe(true);
  });
});
