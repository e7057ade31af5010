// Starts the built app for the browser tests: a fresh PGlite folder (unless DATABASE_URL is
// set), migrated and seeded; the demo's witnesses and the factor's settlement agent
// (scripts/trust-sidecars.ts, on the three ports after the app's), which cosign the seed; then
// the built app (scripts/serve.ts, as `npm start` runs it) on the given port, asking those witnesses after every block.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";

const port = process.argv[2] ?? "3210";
const env = {
  ...process.env,
  NODE_ENV: "production",
  // The browser tests run the demo: the production guard (instrumentation.ts) would refuse its seed and keys.
  DEMO_DEPLOYMENT: "1",
  NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? "e2e-secret-not-for-production-use",
  NEXTAUTH_URL: `http://127.0.0.1:${port}`,
  // Browsers refuse an IP address as a passkey's rpId, so the passkey spec opens the app on
  // localhost (which resolves to the same server); its passkeys are made for that site.
  WEBAUTHN_RP_ID: "localhost",
  WEBAUTHN_ORIGINS: `http://localhost:${port}`,
};
if (!env.DATABASE_URL) {
  env.PGLITE_DIR = "data/e2e";
  fs.rmSync("data/e2e", { recursive: true, force: true });
}
const prepared = spawnSync("npx", ["tsx", "scripts/prepare-db.ts"], { env, stdio: "inherit" });
if (prepared.status !== 0) process.exit(prepared.status ?? 1);
fs.rmSync("data/e2e-trust", { recursive: true, force: true });
const sidecars = spawn("npx", ["tsx", "scripts/trust-sidecars.ts", "--port", port, "--witness-base-port", String(Number(port) + 1), "--data", "data/e2e-trust"], { env, stdio: ["ignore", "pipe", "inherit"] });
const witnesses = await new Promise((resolve, reject) => {
  let output = "";
  sidecars.stdout.on("data", (chunk) => {
    output += chunk.toString();
    process.stdout.write(chunk);
    const line = /LEDGER_WITNESSES=(\S+)/.exec(output);
    if (line) resolve(line[1]);
  });
  sidecars.on("exit", (code) => reject(new Error(`trust sidecars exited with ${code}`)));
});
sidecars.stdout.on("data", (chunk) => process.stdout.write(chunk));
const server = spawn(process.execPath, ["--import", "tsx", "scripts/serve.ts", "-p", port, "-H", "127.0.0.1"], { env: { ...env, LEDGER_WITNESSES: witnesses, LEDGER_WITNESS_QUORUM: "2" }, stdio: "inherit" });
const stop = () => {
  sidecars.kill("SIGTERM");
  server.kill("SIGTERM");
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
server.on("exit", (code) => process.exit(code ?? 0));
