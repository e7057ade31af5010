// Starts the built app for the browser tests: a fresh PGlite folder (unless DATABASE_URL is
// set), migrated and seeded, then `next start` on the given port.
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
const server = spawn("npx", ["next", "start", "-p", port, "-H", "127.0.0.1"], { env, stdio: "inherit" });
const stop = () => server.kill("SIGTERM");
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
server.on("exit", (code) => process.exit(code ?? 0));
