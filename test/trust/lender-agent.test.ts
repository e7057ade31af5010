/*
 * Issue 13, deliverable 6: auto-financing decided on the lender's side. The demo ledger written by
 * the real service, three real witness processes cosigning it, and the factor's settlement agent
 * as a real process (scripts/lender-agent.ts) with the key the factor registered for it and the
 * factor's pinned trust policy. The "app" here is the service behind a small HTTP server (the log
 * endpoints and a submission endpoint), which asks the witnesses to cosign after every block as
 * the app does. Ports: TRUST_TEST_PORT_BASE + 10 .. + 13 (4310-4313 in CI).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { checkpointCosignatures, claims, financingPolicies, financings, ledgerCheckpoints, ledgerEntries } from "@/db/schema";
import { buildSigned, toWire, type SigningIdentity } from "@/contracts/client";
import { deriveId } from "@/contracts/canonical";
import { bytesToHex } from "@/contracts/hex";
import { beijingDate } from "@/contracts/ledger/maturity";
import { sealTransaction, type WireSignedTransaction } from "@/contracts/ledger/schema";
import type { TransactionBodies, TransactionType } from "@/contracts/ledger/types";
import { formatVerifierKey, NOTE_SIGNATURE_TYPE_ED25519, noteVerifierKey, parseVerifierKey, type NoteVerifierKey } from "@/contracts/note";
import { formatTrustPolicy } from "@/contracts/trust-policy";
import { nodeVerifier } from "@/server/crypto/node-verifier";
import { ledgerOrigin } from "@/server/env";
import { WitnessCosigner } from "@/server/ledger/cosign";
import { logCheckpoint, logEntries } from "@/server/ledger/log-api";
import { ProvenanceStore } from "@/server/ledger/provenance";
import { latestCheckpointTextHash, submitBatch, submitWire } from "@/server/ledger/service";
import { loadPlatformKey } from "@/server/platform/key";
import { demoAgentIdentity, demoIdentity } from "@/server/seed/ledger-seed";
import { seedDemo } from "@/server/seed/seed";
import { createTestDatabase } from "../helpers/db";

const TSX = path.resolve("node_modules", ".bin", "tsx");
const PORT_BASE = Number(process.env.TRUST_TEST_PORT_BASE ?? 4300) + 10;
const APP_PORT = PORT_BASE;
const NAMES = ["witness.bank.example", "witness.factor.example", "witness.auditor.example"] as const;
const PORTS = [PORT_BASE + 1, PORT_BASE + 2, PORT_BASE + 3];
const ORIGIN = ledgerOrigin();
/** The agent's own ceiling, below the factor's ledger policy (5,000.00): a lender's local limit. */
const AGENT_MAX_MINOR = 50_000n;
/** The agent's daily cap: the 200.00 piece fits, and so would a 300.00 one alone, but not both. */
const AGENT_DAILY_CAP_MINOR = 45_000n;

const tier2 = demoIdentity("org_lingnan");
const tier3 = demoIdentity("org_xinyuan");
const factor = demoIdentity("org_gbfactor");
const agentKey = demoAgentIdentity("org_gbfactor");

let database: Database;
let logKey: NoteVerifierKey;
let appServer: Server;
let cosigner: WitnessCosigner;
const subtrees = new ProvenanceStore();
const workDir = mkdtempSync(path.join(tmpdir(), "lender-agent-"));
/** The agent's own data folder (agent-state.json), kept across its restart. */
const agentDataDir = path.join(workDir, "agent-data");
let agentProcess: ChildProcess | null = null;
const dataDirs = NAMES.map((name) => mkdtempSync(path.join(tmpdir(), `agent-${name}-`)));
const children: ChildProcess[] = [];
const keys: string[] = ["", "", ""];
let agentOutput = "";

function startProcess(args: string[], ready: (output: string) => boolean, onOutput: (text: string) => void = () => {}): Promise<string> {
  // Its own process group: tsx runs the script in a child node process, and a kill must reach it.
  const child = spawn(TSX, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, WITNESS_DATABASE_URL: "" }, detached: true });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = "";
    const take = (chunk: Buffer) => {
      output += chunk.toString();
      onOutput(chunk.toString());
      if (ready(output)) resolve(output);
    };
    child.stdout?.on("data", take);
    child.stderr?.on("data", take);
    child.on("exit", (code) => reject(new Error(`${args[0]} exited with ${code}: ${output}`)));
  });
}

async function startWitness(index: number): Promise<void> {
  const args = ["scripts/witness.ts", "--name", NAMES[index]!, "--port", String(PORTS[index]), "--data", dataDirs[index]!, "--origin", ORIGIN, "--log-key", formatVerifierKey(logKey), "--log-url", `http://127.0.0.1:${APP_PORT}`];
  const output = await startProcess(args, (text) => /witness key \S+/.test(text) && text.includes("listening"));
  keys[index] = /witness key (\S+)/.exec(output)![1]!;
}

async function startAgent(): Promise<void> {
  const witnesses = keys.map((text) => {
    const parsed = parseVerifierKey(text);
    if (!parsed.ok) throw new Error(parsed.detail);
    return parsed.key;
  });
  const trustFile = path.join(workDir, "factor-trust.json");
  writeFileSync(trustFile, JSON.stringify(formatTrustPolicy({ origin: ORIGIN, logKeys: [logKey], witnesses, quorum: 2 })));
  const keyFile = path.join(workDir, "agent.key");
  writeFileSync(keyFile, bytesToHex(agentKey.privateKey));
  const args = [
    "scripts/lender-agent.ts",
    "--lender", "org_gbfactor",
    "--key-file", keyFile,
    "--trust", trustFile,
    "--log-url", `http://127.0.0.1:${APP_PORT}`,
    "--submit-url", `http://127.0.0.1:${APP_PORT}/transactions`,
    "--data", agentDataDir,
    "--max-amount", AGENT_MAX_MINOR.toString(),
    "--daily-cap", AGENT_DAILY_CAP_MINOR.toString(),
    "--interval-ms", "100",
    // Its replay kept after every cosigned checkpoint, so a restart is seen to resume.
    "--state-dir", path.join(workDir, "agent-state"),
    "--snapshot-every", "1",
  ];
  await startProcess(args, (text) => text.includes("lender agent ready"), (text) => (agentOutput += text));
  agentProcess = children.at(-1)!;
}

async function stopAgent(): Promise<void> {
  const child = agentProcess!;
  child.removeAllListeners("exit");
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.on("exit", () => resolve());
    process.kill(-child.pid!, "SIGTERM");
  });
}

/** The app's part: the log endpoints, and submissions through the service, each block then cosigned. */
function appHandler(req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse): void {
  const url = new URL(req.url ?? "/", "http://app");
  const answer = (status: number, body: unknown) => {
    const text = JSON.stringify(body, (_, value: unknown) => (typeof value === "bigint" ? value.toString() : value));
    res.writeHead(status, { "content-type": "application/json" }).end(text);
  };
  const fail = (error: unknown) => answer(500, { detail: String(error) });
  if (url.pathname === "/entries") return void logEntries(database.db, url.searchParams).then((body) => answer(200, body), fail);
  if (url.pathname === "/checkpoint") return void logCheckpoint(database.db, url.searchParams, 2).then((body) => answer(200, body), fail);
  if (url.pathname !== "/transactions" || req.method !== "POST") return void answer(404, {});
  let text = "";
  req.on("data", (chunk: Buffer) => (text += chunk.toString()));
  req.on("end", () => {
    submitWire(database.db, JSON.parse(text) as WireSignedTransaction)
      .then(async (result) => {
        if (result.status === "accepted") await cosigner.cosignLatest();
        answer(result.status === "accepted" ? 201 : 422, result);
      })
      .catch(fail);
  });
}

function wire<K extends TransactionType>(who: SigningIdentity, type: K, body: TransactionBodies[K]) {
  return buildSigned(who, type, body, { nonce: randomBytes(16).toString("hex"), createdAtMs: Date.now() });
}

/** Submits one block and has it cosigned, as the app does after every block. */
async function commitBlock(...transactions: ReturnType<typeof wire>[]): Promise<string[]> {
  const results = await submitBatch(database.db, transactions.map((tx) => sealTransaction(tx)));
  for (const result of results) if (result.status !== "accepted") throw new Error(`refused: ${result.code}`);
  const round = await cosigner.cosignLatest();
  expect(round?.cosigned.length ?? 0).toBeGreaterThanOrEqual(2);
  return results.map((result) => (result.status === "accepted" ? result.txId : ""));
}

async function activePolicy() {
  const [policy] = await database.db.select().from(financingPolicies).where(and(eq(financingPolicies.status, "active"), eq(financingPolicies.lenderOrgId, "org_gbfactor")));
  return policy!;
}

async function applicationFor(pieceId: string) {
  const policy = await activePolicy();
  return wire(tier3, "financing.requestUnderPolicy", { claimId: pieceId, policyId: policy.id, rateBps: policy.rateBps, feeMinor: policy.feeMinor, recourse: policy.recourse, disbursementDate: beijingDate(Date.now()) });
}

/** Tier 2 passes `amountMinor` of a large held piece to tier 3, who accepts. */
async function freshTier3Piece(amountMinor: bigint): Promise<string> {
  const [source] = await database.db.select().from(claims).where(sql`${claims.holderOrgId} = 'org_lingnan' and ${claims.state} = 'held' and ${claims.amountMinor} > 1000000`).orderBy(claims.amountMinor);
  const [split] = await commitBlock(wire(tier2, "claim.split", { claimId: source!.id, parts: [{ toOrgId: "org_xinyuan", amountMinor }, { toOrgId: "org_lingnan", amountMinor: source!.amountMinor - amountMinor }] }));
  const pieceId = deriveId("c", split!, 0);
  await commitBlock(wire(tier3, "claim.accept", { claimId: pieceId }));
  return pieceId;
}

async function financingRow(id: string) {
  const [row] = await database.db.select().from(financings).where(eq(financings.id, id));
  return row!;
}

async function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; agent said:\n${agentOutput}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemo(database.db);
  const platformKey = await loadPlatformKey(database.db);
  logKey = noteVerifierKey(ORIGIN, NOTE_SIGNATURE_TYPE_ED25519, platformKey.publicKey);
  appServer = createServer(appHandler);
  await new Promise<void>((resolve) => appServer.listen(APP_PORT, "127.0.0.1", resolve));
  await Promise.all(NAMES.map((_, index) => startWitness(index)));
  cosigner = new WitnessCosigner(database.db, subtrees, NAMES.map((_, index) => ({ url: `http://127.0.0.1:${PORTS[index]}`, key: keys[index]! })), 2, nodeVerifier, () => {});
  await cosigner.cosignLatest();
  await startAgent();
}, 300_000);

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode !== null || !child.pid) continue;
    child.removeAllListeners("exit");
    await new Promise<void>((resolve) => {
      child.on("exit", () => resolve());
      process.kill(-child.pid!, "SIGTERM");
    });
  }
  await new Promise((resolve) => appServer?.close(resolve));
  for (const dir of [workDir, ...dataDirs]) rmSync(dir, { recursive: true, force: true });
  await database?.close();
});

describe("the factor's settlement agent, a process of its own", () => {
  it("disburses the demo's 200.00 tier-3 piece once its application's block is cosigned, with its own key, naming that cosigned checkpoint", async () => {
    const [piece] = await database.db.select().from(claims).where(sql`${claims.holderOrgId} = 'org_xinyuan' and ${claims.state} = 'held' and ${claims.amountMinor} = 20000`);
    const startedMs = Date.now();
    const [application] = await commitBlock(await applicationFor(piece!.id));
    const financingId = deriveId("fin", application!, 0);
    const disbursed = await until("the disbursement", async () => {
      const row = await financingRow(financingId);
      return row.status === "disbursed" ? row : null;
    });
    console.info(`lender-side auto-financing of a 200.00 tier-3 piece, application to disbursed: ${Date.now() - startedMs} ms`);
    expect(disbursed.paymentReference).toMatch(/^AGENT-/);
    const [entry] = await database.db.select().from(ledgerEntries).where(and(eq(ledgerEntries.type, "financing.disburse"), sql`${ledgerEntries.entryCanonical}::jsonb #>> '{signed,transaction,body,financingId}' = ${financingId}`));
    const signed = JSON.parse(entry!.entryCanonical).signed;
    expect(signed.transaction.signer).toEqual({ orgId: "org_gbfactor", keyId: agentKey.keyId });
    // The checkpoint it names is one a quorum of witnesses cosigned.
    const [checkpoint] = await database.db.select().from(ledgerCheckpoints).where(eq(ledgerCheckpoints.noteTextHash, signed.transaction.body.checkpointHash));
    expect(checkpoint).toBeDefined();
    const lines = await database.db.select().from(checkpointCosignatures).where(eq(checkpointCosignatures.size, checkpoint!.size));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(await claimState(piece!.id)).toMatchObject({ state: "financed", holderOrgId: "org_gbfactor" });
  });

  it("leaves alone an application above its own limit, though the ledger policy approved it", async () => {
    const pieceId = await freshTier3Piece(AGENT_MAX_MINOR + 1n);
    const [application] = await commitBlock(await applicationFor(pieceId));
    const financingId = deriveId("fin", application!, 0);
    await until("the agent's decision", async () => (agentOutput.includes(`left alone ${financingId}: over_local_limit`) ? true : null));
    expect(await financingRow(financingId)).toMatchObject({ status: "accepted" });
  });

  it("keeps its daily cap across a restart: after the 200.00 disbursed before it, a 300.00 piece is over the 450.00 cap", async () => {
    await stopAgent();
    const kept = JSON.parse(readFileSync(path.join(agentDataDir, "agent-state.json"), "utf8"));
    expect(kept.disbursedByDay).toEqual({ [beijingDate(Date.now())]: "20000" });
    agentOutput = "";
    await startAgent();
    // 300.00 is within the agent's 500.00 ceiling and, alone, within its cap: only what it
    // disbursed before the restart puts it over.
    const pieceId = await freshTier3Piece(30_000n);
    const [application] = await commitBlock(await applicationFor(pieceId));
    const financingId = deriveId("fin", application!, 0);
    await until("the agent's decision", async () => (agentOutput.includes(`left alone ${financingId}: daily_cap_reached: 20000 disbursed today`) ? true : null));
    expect(await financingRow(financingId)).toMatchObject({ status: "accepted" });
  });

  it("leaves alone an application whose policy the factor revoked in the same block, and the platform key cannot disburse it either", async () => {
    const pieceId = await freshTier3Piece(30_000n);
    const policy = await activePolicy();
    const [application] = await commitBlock(await applicationFor(pieceId), wire(factor, "financingPolicy.revoke", { policyId: policy.id }));
    const financingId = deriveId("fin", application!, 0);
    await until("the agent's decision", async () => (agentOutput.includes(`left alone ${financingId}: policy_not_active`) ? true : null));
    expect(await financingRow(financingId)).toMatchObject({ status: "accepted" });
    const platform = await loadPlatformKey(database.db);
    const operator = { orgId: "org_operator", keyId: platform.keyId, privateKey: platform.privateKey };
    const forged = toWire(wire(operator, "financing.disburse", { financingId, paymentReference: "DC-AUTO-FORGED", checkpointHash: (await latestCheckpointTextHash(database.db))! }));
    expect(await submitWire(database.db, forged)).toMatchObject({ status: "refused", code: "signer_not_financier" });
    expect(await financingRow(financingId)).toMatchObject({ status: "accepted" });
  });
});

describe("the agent restarted", () => {
  it("goes on from the replay and decisions it kept, not from genesis, and decides nothing twice", async () => {
    const before = agentOutput;
    const leftAlone = [...before.matchAll(/left alone (fin_\w+)/g)].map((match) => match[1]);
    expect(leftAlone.length).toBeGreaterThan(0);
    await stopAgent();
    agentOutput = "";
    await startAgent();
    const [{ size }] = (await database.db.select({ size: sql<number>`max(${ledgerCheckpoints.size})::int` }).from(ledgerCheckpoints)) as [{ size: number }];
    const resumedAt = Number(/resumed the replay at leaf (\d+)/.exec(agentOutput)?.[1] ?? -1);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(size);
    // Still following: it replays the blocks committed after the restart from where it resumed,
    // and the financings it left alone before (still accepted) are not decided again.
    await freshTier3Piece(20_000n);
    const [{ after }] = (await database.db.select({ after: sql<number>`max(${ledgerCheckpoints.size})::int` }).from(ledgerCheckpoints)) as [{ after: number }];
    await until("the replay of the new blocks", async () => (agentOutput.includes(`replayed to leaf ${after}`) ? true : null));
    for (const id of leftAlone) {
      expect(await financingRow(id!)).toMatchObject({ status: "accepted" });
      expect(agentOutput).not.toContain(`left alone ${id}`);
    }
  });
});

async function claimState(id: string) {
  const [row] = await database.db.select().from(claims).where(eq(claims.id, id));
  return row!;
}
