/**
 * The demo's trust side (issue 13): three witnesses (the bank, the factor, the auditor; each its
 * own data folder and key) that cosign the seeded ledger before the app starts, and the factor's
 * settlement agent (scripts/lender-agent.ts) beside them, with the key the seed registered for
 * it, the factor's pinned trust policy (operator key, the three witnesses, quorum 2) and an API
 * key to submit its disbursements through /api/v1: made here on the first start and kept in the
 * agent's folder (DIR/agent-factor/api-key.json), reused on every later start while it is valid.
 *
 * Used by `npm run dev` (scripts/dev.ts) and, as a process of its own, by the browser tests'
 * server (scripts/e2e-server.mjs):
 *
 *   tsx scripts/trust-sidecars.ts --port APP_PORT --witness-base-port PORT --data DIR
 *
 * which prints `LEDGER_WITNESSES=<json>` once the seed is cosigned and keeps its children running.
 * While the seed is cosigned, this serves the log's entries on the app's port itself (the
 * witnesses follow http://127.0.0.1:APP_PORT/api/ledger), then hands the port back.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import { parseArgs } from "node:util";
import type { Db } from "@/db/client";
import { bytesToHex } from "@/contracts/hex";
import { formatVerifierKey, NOTE_SIGNATURE_TYPE_ED25519, noteVerifierKey, parseVerifierKey } from "@/contracts/note";
import { formatTrustPolicy } from "@/contracts/trust-policy";
import { loadActor } from "@/server/auth/accounts";
import { apiKeyStillValid, createApiKey } from "@/server/commands/api-keys";
import { installNodeSha256 } from "@/server/crypto/node-hash";
import { ledgerOrigin } from "@/server/env";
import { WitnessCosigner } from "@/server/ledger/cosign";
import { logEntries } from "@/server/ledger/log-api";
import { ProvenanceStore } from "@/server/ledger/provenance";
import { loadPlatformKey } from "@/server/platform/key";
import { demoAgentIdentity } from "@/server/seed/ledger-seed";
import { openForScript } from "./db-open";

const TSX = path.resolve("node_modules", ".bin", "tsx");
const WITNESSES = ["bank", "factor", "auditor"] as const;

export interface SidecarOptions {
  /** The app's port: the witnesses and the agent follow http://127.0.0.1:PORT/api/ledger. */
  port: number;
  witnessBasePort: number;
  /** Folder of the witnesses' and the agent's data (data/ for npm run dev). */
  dataRoot: string;
  log: (line: string) => void;
}

export interface Sidecars {
  /** What the app's LEDGER_WITNESSES setting says. */
  witnesses: { url: string; key: string }[];
  children: ChildProcess[];
}

function spawnScript(children: ChildProcess[], args: string[], env: Record<string, string>): ChildProcess {
  // Its own process group: tsx runs the script in a child node process, and a stop must reach it.
  // The child also ends by itself once this process is gone (exit-with-parent.ts), since a kill
  // of this one with SIGKILL reaches no exit handler and no other process group.
  const child = spawn(TSX, args, { stdio: ["ignore", "pipe", "inherit"], detached: true, env: { ...process.env, ...env, SIDECAR_PARENT_PID: String(process.pid) } });
  children.push(child);
  return child;
}

function startWitness(children: ChildProcess[], options: SidecarOptions, index: number, logKey: string): Promise<string> {
  const name = `witness.${WITNESSES[index]}.example`;
  const dir = path.join(options.dataRoot, `witness-${WITNESSES[index]}`);
  const args = ["scripts/witness.ts", "--name", name, "--port", String(options.witnessBasePort + index), "--data", dir, "--origin", ledgerOrigin(), "--log-key", logKey, "--log-url", `http://127.0.0.1:${options.port}/api/ledger`];
  const child = spawnScript(children, args, { WITNESS_DATABASE_URL: "" });
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const key = /witness key (\S+)/.exec(output);
      if (key && output.includes("listening")) resolve(key[1] as string);
    });
    child.on("exit", (code) => reject(new Error(`witness ${name} exited with ${code}: ${output}`)));
  });
}

function startAgent(children: ChildProcess[], options: SidecarOptions, logKey: string, witnessKeys: string[], apiToken: string): void {
  const dir = path.join(options.dataRoot, "agent-factor");
  mkdirSync(dir, { recursive: true });
  const parse = (text: string) => {
    const parsed = parseVerifierKey(text);
    if (!parsed.ok) throw new Error(parsed.detail);
    return parsed.key;
  };
  writeFileSync(path.join(dir, "trust.json"), JSON.stringify(formatTrustPolicy({ origin: ledgerOrigin(), logKeys: [parse(logKey)], witnesses: witnessKeys.map(parse), quorum: 2 }), null, 2));
  writeFileSync(path.join(dir, "agent.key"), bytesToHex(demoAgentIdentity("org_gbfactor").privateKey), { mode: 0o600 });
  const app = `http://127.0.0.1:${options.port}`;
  const args = ["scripts/lender-agent.ts", "--lender", "org_gbfactor", "--data", dir, "--key-file", path.join(dir, "agent.key"), "--trust", path.join(dir, "trust.json"), "--log-url", `${app}/api/ledger`, "--submit-url", `${app}/api/v1/transactions`];
  const child = spawnScript(children, args, { LENDER_AGENT_API_KEY: apiToken });
  child.stdout?.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) if (line && !line.startsWith("unreachable")) options.log(`[factor agent] ${line}`);
  });
}

/** Starts the witnesses, has them cosign the seed, then starts the factor's agent. The caller closes the database. */
export async function startTrustSidecars(db: Db, options: SidecarOptions): Promise<Sidecars> {
  const children: ChildProcess[] = [];
  const platformKey = await loadPlatformKey(db);
  const logKey = formatVerifierKey(noteVerifierKey(ledgerOrigin(), NOTE_SIGNATURE_TYPE_ED25519, platformKey.publicKey));
  const keys = await Promise.all(WITNESSES.map((_, index) => startWitness(children, options, index, logKey)));
  const witnesses = keys.map((key, index) => ({ url: `http://127.0.0.1:${options.witnessBasePort + index}`, key }));
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://log");
    if (url.pathname !== "/api/ledger/entries") return void res.writeHead(404).end();
    logEntries(db, url.searchParams)
      .then((answer) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer)))
      .catch((error: unknown) => res.writeHead(400).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(options.port, "127.0.0.1", resolve));
  const cosigner = new WitnessCosigner(db, new ProvenanceStore(), witnesses, 2);
  const round = await cosigner.cosignLatest();
  // The round ends at the quorum: the third witness's answer is awaited too, so the seed ends cosigned by all three.
  await cosigner.settle();
  options.log(`Witnesses cosigned checkpoint ${round?.size ?? "-"}: ${round?.cosigned.join(", ") || "none"}${round?.failed.length ? `; failed: ${round.failed.map((f) => `${f.witness} (${f.detail})`).join(", ")}` : ""}`);
  // The witnesses follow the log at this port (every 200 ms, on kept-alive connections): close those
  // too, or close() waits for them for ever and the app never gets its port.
  const closed = new Promise((resolve) => server.close(resolve));
  server.closeAllConnections();
  await closed;
  const apiToken = await agentApiToken(db, path.join(options.dataRoot, "agent-factor"));
  startAgent(children, options, logKey, keys, apiToken.token);
  return { witnesses, children };
}

/** A key is replaced when it has less than this left: the agent must not lose it mid-run. */
const API_KEY_MARGIN_MS = 24 * 60 * 60 * 1000;

/**
 * The factor agent's API key: the one kept in DIR/api-key.json while it is still valid for
 * submissions (not revoked, not expiring within a day), else a new one made by the factor's
 * admin (which notifies the factor's other admins) and kept there. `created` says which.
 */
export async function agentApiToken(db: Db, dir: string, nowMs = Date.now()): Promise<{ token: string; created: boolean }> {
  const file = path.join(dir, "api-key.json");
  if (existsSync(file)) {
    const kept = JSON.parse(readFileSync(file, "utf8")) as { id?: unknown; token?: unknown };
    if (typeof kept.token === "string" && (await apiKeyStillValid(db, kept.token, "org_gbfactor", "submit", API_KEY_MARGIN_MS, nowMs))) return { token: kept.token, created: false };
  }
  const factorAdmin = await loadActor(db, "usr_gbfactor_1");
  if (!factorAdmin) throw new Error("the demo seed has no factor admin usr_gbfactor_1");
  const apiKey = await createApiKey(db, factorAdmin, { name: "Settlement agent (demo)", scopes: ["submit"], expiresInDays: 30 }, nowMs);
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify({ id: apiKey.id, token: apiKey.token }), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  return { token: apiKey.token, created: true };
}

export function stopSidecars(children: readonly ChildProcess[]): void {
  for (const child of children) if (child.exitCode === null && child.pid) process.kill(-child.pid, "SIGTERM");
}

async function main(): Promise<void> {
  installNodeSha256();
  const { values } = parseArgs({ options: { port: { type: "string" }, "witness-base-port": { type: "string" }, data: { type: "string" } } });
  const port = Number(values.port);
  const witnessBasePort = Number(values["witness-base-port"]);
  if (!Number.isInteger(port) || !Number.isInteger(witnessBasePort) || !values.data) throw new Error("--port, --witness-base-port and --data are required");
  const database = openForScript();
  const sidecars = await startTrustSidecars(database.db, { port, witnessBasePort, dataRoot: values.data, log: (line) => console.log(line) });
  await database.close();
  process.on("exit", () => stopSidecars(sidecars.children));
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(0));
  console.log(`LEDGER_WITNESSES=${JSON.stringify(sidecars.witnesses)}`);
}

if (process.argv[1]?.endsWith("trust-sidecars.ts")) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
