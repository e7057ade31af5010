/**
 * npm run dev: migrate and seed (as before), then start the demo's three witnesses (the bank,
 * the factor, the auditor; each its own data/witness-* folder and key) and have them cosign the
 * seeded ledger, then the Next.js dev server configured to ask them after every block
 * (LEDGER_WITNESSES, quorum 2 of 3). While the seed is cosigned, this process serves the log's
 * entries on the app's port itself (the witnesses follow http://127.0.0.1:PORT/api/ledger),
 * then closes the database and hands the port to Next.js. Beside the factor's witness runs the
 * factor's settlement agent (scripts/lender-agent.ts): it disburses what the factor's policy
 * approved once a quorum cosigned the application's block, with the key the factor registered
 * for it (the seed's), submitting through the API with an API key made here for it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:http";
import path from "node:path";
import { formatVerifierKey, NOTE_SIGNATURE_TYPE_ED25519, noteVerifierKey } from "@/contracts/note";
import { installNodeSha256 } from "@/server/crypto/node-hash";
import { writeFileSync, mkdirSync } from "node:fs";
import { bytesToHex } from "@/contracts/hex";
import { parseVerifierKey } from "@/contracts/note";
import { formatTrustPolicy } from "@/contracts/trust-policy";
import { loadActor } from "@/server/auth/accounts";
import { createApiKey } from "@/server/commands/api-keys";
import { ledgerOrigin } from "@/server/env";
import { demoAgentIdentity } from "@/server/seed/ledger-seed";
import { WitnessCosigner } from "@/server/ledger/cosign";
import { logEntries } from "@/server/ledger/log-api";
import { ProvenanceStore } from "@/server/ledger/provenance";
import { loadPlatformKey } from "@/server/platform/key";
import { DEMO_PASSWORD } from "@/server/seed/demo-data";
import { seedDemo } from "@/server/seed/seed";
import { waitForServer, warmRoutes } from "./dev-warmup";
import { openForScript } from "./db-open";

installNodeSha256();
const PORT = Number(process.env.PORT ?? 3000);
const WITNESS_PORT = Number(process.env.WITNESS_BASE_PORT ?? 4181);
const WITNESSES = [
  { name: "witness.bank.example", dir: "data/witness-bank" },
  { name: "witness.factor.example", dir: "data/witness-factor" },
  { name: "witness.auditor.example", dir: "data/witness-auditor" },
];
const DEMO_EMAIL_DOMAIN = "demo.doublechain.cn";
const TSX = path.resolve("node_modules", ".bin", "tsx");
const children: ChildProcess[] = [];

function stopAll(): void {
  for (const child of children) if (child.exitCode === null && child.pid) process.kill(-child.pid, "SIGTERM");
}
process.on("exit", stopAll);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(0));

function startWitness(index: number, logKey: string): Promise<string> {
  const { name, dir } = WITNESSES[index]!;
  const args = ["scripts/witness.ts", "--name", name, "--port", String(WITNESS_PORT + index), "--data", dir, "--origin", ledgerOrigin(), "--log-key", logKey, "--log-url", `http://127.0.0.1:${PORT}/api/ledger`];
  const child = spawn(TSX, args, { stdio: ["ignore", "pipe", "inherit"], detached: true, env: { ...process.env, WITNESS_DATABASE_URL: "" } });
  children.push(child);
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

/**
 * The factor's settlement agent: its key file (the demo key the seed registered for it), the
 * factor's pinned trust policy (the operator key, the three witnesses, quorum 2) and an API key
 * to submit with, all in data/agent-factor.
 */
function startAgent(logKey: string, witnessKeys: string[], apiToken: string): void {
  const dir = "data/agent-factor";
  mkdirSync(dir, { recursive: true });
  const parse = (text: string) => {
    const parsed = parseVerifierKey(text);
    if (!parsed.ok) throw new Error(parsed.detail);
    return parsed.key;
  };
  writeFileSync(`${dir}/trust.json`, JSON.stringify(formatTrustPolicy({ origin: ledgerOrigin(), logKeys: [parse(logKey)], witnesses: witnessKeys.map(parse), quorum: 2 }), null, 2));
  writeFileSync(`${dir}/agent.key`, bytesToHex(demoAgentIdentity("org_gbfactor").privateKey), { mode: 0o600 });
  const args = ["scripts/lender-agent.ts", "--lender", "org_gbfactor", "--key-file", `${dir}/agent.key`, "--trust", `${dir}/trust.json`, "--log-url", `http://127.0.0.1:${PORT}/api/ledger`, "--submit-url", `http://127.0.0.1:${PORT}/api/v1/transactions`];
  const child = spawn(TSX, args, { stdio: ["ignore", "pipe", "inherit"], detached: true, env: { ...process.env, LENDER_AGENT_API_KEY: apiToken } });
  children.push(child);
  child.stdout?.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) if (line && !line.startsWith("unreachable")) console.log(`[factor agent] ${line}`);
  });
}

const database = openForScript();
await database.migrate();
const created = await seedDemo(database.db, (line) => console.log(line));
console.log(created ? `Seeded the demo data into the ${database.kind} database.` : `The ${database.kind} database is migrated and seeded.`);
const platformKey = await loadPlatformKey(database.db);
const logKey = formatVerifierKey(noteVerifierKey(ledgerOrigin(), NOTE_SIGNATURE_TYPE_ED25519, platformKey.publicKey));
const keys = await Promise.all(WITNESSES.map((_, index) => startWitness(index, logKey)));
const witnesses = keys.map((key, index) => ({ url: `http://127.0.0.1:${WITNESS_PORT + index}`, key }));

// The seed's last checkpoint, cosigned before the app starts.
const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://log");
  if (url.pathname !== "/api/ledger/entries") return void res.writeHead(404).end();
  logEntries(database.db, url.searchParams)
    .then((answer) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer)))
    .catch((error: unknown) => res.writeHead(400).end(String(error)));
});
await new Promise<void>((resolve) => server.listen(PORT, "127.0.0.1", resolve));
const round = await new WitnessCosigner(database.db, new ProvenanceStore(), witnesses, 2).cosignLatest();
console.log(`Witnesses cosigned checkpoint ${round?.size ?? "-"}: ${round?.cosigned.join(", ") || "none"}${round?.failed.length ? `; failed: ${round.failed.map((f) => `${f.witness} (${f.detail})`).join(", ")}` : ""}`);
await new Promise((resolve) => server.close(resolve));
const factorAdmin = await loadActor(database.db, "usr_gbfactor_1");
if (!factorAdmin) throw new Error("the demo seed has no factor admin usr_gbfactor_1");
const agentApiKey = await createApiKey(database.db, factorAdmin, { name: "Settlement agent (npm run dev)", scopes: ["submit"], expiresInDays: 1 });
await database.close();
startAgent(logKey, keys, agentApiKey.token);

const next = spawn(path.resolve("node_modules", ".bin", "next"), ["dev", "--port", String(PORT), ...(process.env.HOST ? ["--hostname", process.env.HOST] : [])], {
  stdio: "inherit",
  env: { ...process.env, LEDGER_WITNESSES: JSON.stringify(witnesses), LEDGER_WITNESS_QUORUM: process.env.LEDGER_WITNESS_QUORUM ?? "2" },
});
next.on("exit", (code) => process.exit(code ?? 0));

// The first visit of each route compiles it; do that now, then say where to go.
const baseUrl = `http://${process.env.HOST ?? "localhost"}:${PORT}`;
await waitForServer(baseUrl);
console.log("Preparing the main pages (compiled once, on this first visit)…");
await warmRoutes(baseUrl, DEMO_EMAIL_DOMAIN, DEMO_PASSWORD, (line) => console.log(line));
console.log(
  [
    "",
    "  Double-chain is ready.",
    `  Open ${baseUrl} and sign in, password ${DEMO_PASSWORD}, as:`,
    `    core@${DEMO_EMAIL_DOMAIN}      the core enterprise (issues claims)`,
    `    tier1@${DEMO_EMAIL_DOMAIN}     a tier-1 supplier (also tier2@, tier3@)`,
    `    bank@${DEMO_EMAIL_DOMAIN}      a lender (also factor@)`,
    `    operator@${DEMO_EMAIL_DOMAIN}  the platform operator;  auditor@ the auditor`,
    "",
  ].join("\n"),
);
