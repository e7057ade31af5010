/**
 * npm run dev: migrate and seed (as before), then start the demo's three witnesses (the bank,
 * the factor, the auditor; each its own data/witness-* folder and key) and have them cosign the
 * seeded ledger, then the Next.js dev server configured to ask them after every block
 * (LEDGER_WITNESSES, quorum 2 of 3). While the seed is cosigned, this process serves the log's
 * entries on the app's port itself (the witnesses follow http://127.0.0.1:PORT/api/ledger),
 * then closes the database and hands the port to Next.js.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:http";
import path from "node:path";
import { formatVerifierKey, NOTE_SIGNATURE_TYPE_ED25519, noteVerifierKey } from "@/contracts/note";
import { installNodeSha256 } from "@/server/crypto/node-hash";
import { ledgerOrigin } from "@/server/env";
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
await database.close();

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
