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
import path from "node:path";
import { installNodeSha256 } from "@/server/crypto/node-hash";
import { DEMO_PASSWORD } from "@/server/seed/demo-data";
import { seedDemo } from "@/server/seed/seed";
import { waitForServer, warmRoutes } from "./dev-warmup";
import { openForScript } from "./db-open";
import { startTrustSidecars, stopSidecars } from "./trust-sidecars";

installNodeSha256();
const PORT = Number(process.env.PORT ?? 3000);
const WITNESS_PORT = Number(process.env.WITNESS_BASE_PORT ?? 4181);
const DEMO_EMAIL_DOMAIN = "demo.doublechain.cn";
const children: ChildProcess[] = [];

process.on("exit", () => stopSidecars(children));
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(0));

const database = openForScript();
await database.migrate();
const created = await seedDemo(database.db, (line) => console.log(line));
console.log(created ? `Seeded the demo data into the ${database.kind} database.` : `The ${database.kind} database is migrated and seeded.`);
const sidecars = await startTrustSidecars(database.db, { port: PORT, witnessBasePort: WITNESS_PORT, dataRoot: "data", log: (line) => console.log(line) });
children.push(...sidecars.children);
const witnesses = sidecars.witnesses;
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
