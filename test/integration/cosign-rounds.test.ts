/**
 * Cosigning rounds end at a quorum (issue 13, witness lag): the app's WitnessCosigner asks three
 * real witnesses (server/witness, each its own store and key, over HTTP) to cosign the demo
 * ledger's checkpoints. One of them sits behind a gate that holds its add-checkpoint requests
 * until the test opens it, standing for a slow witness; it is never mocked, only delayed.
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { checkpointCosignatures, claims } from "@/db/schema";
import { buildSigned } from "@/contracts/client";
import { sealTransaction } from "@/contracts/ledger/schema";
import { formatVerifierKey, NOTE_SIGNATURE_TYPE_ED25519, noteVerifierKey } from "@/contracts/note";
import { nodeVerifier } from "@/server/crypto/node-verifier";
import { ledgerOrigin } from "@/server/env";
import { WitnessCosigner, type CosignRound } from "@/server/ledger/cosign";
import { logCheckpoint, logEntries } from "@/server/ledger/log-api";
import { ProvenanceStore } from "@/server/ledger/provenance";
import { submitBatch } from "@/server/ledger/service";
import { loadPlatformKey } from "@/server/platform/key";
import { demoIdentity } from "@/server/seed/ledger-seed";
import { seedDemo } from "@/server/seed/seed";
import { createWitnessServer } from "@/server/witness/http";
import { httpLogSource } from "@/server/witness/log-source";
import { openWitnessStore, type WitnessStore } from "@/server/witness/store";
import { Witness } from "@/server/witness/witness";
import { createTestDatabase } from "../helpers/db";

const NAMES = ["witness.bank.example", "witness.factor.example", "witness.auditor.example"] as const;
const SLOW = NAMES[2];

let database: Database;
const servers: Server[] = [];
/** Each witness's own HTTP server, by index of NAMES. */
const witnessServers: Server[] = [];
const stores: WitnessStore[] = [];
const witnesses: Witness[] = [];
let cosigner: WitnessCosigner;

/** The slow witness's gate: requests wait while it is closed; how many were received, and at most at once. */
const gate = { open: true, waiters: [] as (() => void)[], received: 0, inFlight: 0, maxInFlight: 0 };

function openGate(): void {
  gate.open = true;
  for (const release of gate.waiters.splice(0)) release();
}

function listen(server: Server): Promise<string> {
  servers.push(server);
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

/** A proxy in front of the slow witness that holds each add-checkpoint request at the gate. */
function gated(target: string): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      gate.received += 1;
      gate.inFlight += 1;
      gate.maxInFlight = Math.max(gate.maxInFlight, gate.inFlight);
      const pass = gate.open ? Promise.resolve() : new Promise<void>((resolve) => gate.waiters.push(resolve));
      void pass
        .then(() => fetch(`${target}${req.url ?? "/"}`, { method: req.method, body: req.method === "POST" ? Buffer.concat(chunks) : undefined }))
        .then(async (answer) => res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "text/plain" }).end(await answer.text()))
        .catch((error: unknown) => res.writeHead(502).end(String(error)))
        .finally(() => (gate.inFlight -= 1));
    });
  });
}

/** The claim this test last pledged to the factor, released by the next block. */
let pledged: string | null = null;

/** A new block: org_pearl pledges a held claim to the factor, or the factor releases the one this test pledged. */
async function commitABlock(): Promise<void> {
  const nonce = randomBytes(16).toString("hex");
  let signed;
  if (pledged !== null) {
    signed = buildSigned(demoIdentity("org_gbfactor"), "claim.release", { claimId: pledged }, { nonce, createdAtMs: Date.now() });
    pledged = null;
  } else {
    const [held] = await database.db.select({ id: claims.id }).from(claims).where(and(eq(claims.holderOrgId, "org_pearl"), eq(claims.state, "held"))).limit(1);
    if (!held) throw new Error("no held claim of org_pearl in the demo seed");
    signed = buildSigned(demoIdentity("org_pearl"), "claim.pledge", { claimId: held.id, lenderOrgId: "org_gbfactor" }, { nonce, createdAtMs: Date.now() });
    pledged = held.id;
  }
  const [result] = await submitBatch(database.db, [sealTransaction(signed)]);
  if (result?.status !== "accepted") throw new Error(`block refused: ${result && "code" in result ? result.code : "?"}`);
}

async function headSize(): Promise<number> {
  return (await logCheckpoint(database.db, new URLSearchParams(), 2)).size;
}

async function cosignedBy(size: number): Promise<string[]> {
  const rows = await database.db.select({ name: checkpointCosignatures.witnessName }).from(checkpointCosignatures).where(eq(checkpointCosignatures.size, size));
  return rows.map((row) => row.name).sort();
}

/** Kicks a round, as the runtime does after a block, and waits until a quorum cosigned `size`. */
async function kickUntilQuorum(size: number): Promise<CosignRound> {
  cosigner.kick();
  for (let i = 0; i < 3000; i++) {
    const round = cosigner.lastRound;
    if (round !== null && round.size === size && round.cosigned.length >= 2) return round;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no quorum for size ${size}`);
}

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemo(database.db);
  const platform = await loadPlatformKey(database.db);
  const logKey = noteVerifierKey(ledgerOrigin(), NOTE_SIGNATURE_TYPE_ED25519, platform.publicKey);
  const logUrl = await listen(
    createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://log");
      const answer = url.pathname === "/checkpoint" ? logCheckpoint(database.db, url.searchParams, 2) : logEntries(database.db, url.searchParams);
      answer.then((body) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body))).catch((error: unknown) => res.writeHead(400).end(String(error)));
    }),
  );
  const endpoints: { url: string; key: string }[] = [];
  for (const name of NAMES) {
    const store = await openWitnessStore({ dataDir: null, databaseUrl: null });
    stores.push(store);
    const witness = await Witness.open({ name, origin: ledgerOrigin(), logKey, logSource: httpLogSource(logUrl), store, verifier: nodeVerifier });
    witnesses.push(witness);
    const server = createWitnessServer(witness);
    witnessServers.push(server);
    const url = await listen(server);
    endpoints.push({ url: name === SLOW ? await listen(gated(url)) : url, key: formatVerifierKey(witness.verifierKey) });
  }
  cosigner = new WitnessCosigner(database.db, new ProvenanceStore(), endpoints, 2, nodeVerifier, () => {});
  // All three cosign the seed first, so that each later round replays only a block.
  const first = await cosigner.cosignLatest();
  await cosigner.settle();
  expect(first?.cosigned.sort()).toEqual([...NAMES].sort());
}, 300_000);

afterAll(async () => {
  openGate();
  await cosigner?.settle();
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  for (const witness of witnesses) await witness.close();
  for (const store of stores) await store.close();
  await database?.close();
});

describe("a cosigning round", () => {
  it("ends once a quorum cosigned, while the slow witness's request is held; its cosignature is stored when it comes", async () => {
    gate.open = false;
    await commitABlock();
    const size = await headSize();
    const round = await cosigner.cosignLatest();
    expect(round?.size).toBe(size);
    expect(round?.cosigned.sort()).toEqual([NAMES[0], NAMES[1]].sort());
    expect(await cosignedBy(size)).toEqual([NAMES[0], NAMES[1]].sort());
    expect(gate.waiters.length).toBe(1);
    openGate();
    await cosigner.settle();
    expect(await cosignedBy(size)).toEqual([...NAMES].sort());
    expect(round?.cosigned).toContain(SLOW);
  });

  it("goes on at quorum block after block while the slow witness holds one request; it is then asked for the newest checkpoint only", async () => {
    gate.open = false;
    gate.received = 0;
    gate.maxInFlight = 0;
    const sizes: number[] = [];
    for (let block = 0; block < 3; block++) {
      await commitABlock();
      const size = await headSize();
      sizes.push(size);
      await kickUntilQuorum(size);
      expect(await cosignedBy(size)).toEqual([NAMES[0], NAMES[1]].sort());
    }
    // Held: the request for the first of these blocks; the later rounds' requests wait in its lane, the newest replacing the older.
    expect(gate.received).toBe(1);
    openGate();
    await cosigner.settle();
    expect(gate.maxInFlight).toBe(1);
    expect(gate.received).toBe(2);
    expect(await cosignedBy(sizes[0]!)).toContain(SLOW);
    expect(await cosignedBy(sizes[1]!)).not.toContain(SLOW);
    expect(await cosignedBy(sizes[2]!)).toEqual([...NAMES].sort());
  });

  it("is not held back by a witness that is down: a quorum of the other two, and the failure is recorded", async () => {
    await new Promise((resolve) => {
      witnessServers[1]!.closeAllConnections();
      witnessServers[1]!.close(resolve);
    });
    await commitABlock();
    const size = await headSize();
    const round = await cosigner.cosignLatest();
    expect(round?.cosigned.sort()).toEqual([NAMES[0], NAMES[2]].sort());
    await cosigner.settle();
    expect(round?.failed.map((failure) => failure.witness)).toEqual([NAMES[1]]);
    expect(await cosignedBy(size)).toEqual([NAMES[0], NAMES[2]].sort());
  });
});
