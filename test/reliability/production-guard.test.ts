import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOwnDatabase, freePort, SERVER_SECRET, waitForBuild, type OwnDatabase } from "@/scripts/app-server";
import { OPERATOR_ROLE_KEY_ENV } from "@/server/platform/key";

/*
 * The built app, started in production on the demo's database without DEMO_DEPLOYMENT=1,
 * refuses to start (instrumentation.ts, server/seed/production-guard.ts): it prints why and
 * exits with EX_CONFIG (78), and `npm start` (scripts/start.mjs) stops instead of starting
 * the refusing instances again and again.
 */

let own: OwnDatabase;
const ROOT = process.cwd();

beforeAll(async () => {
  await waitForBuild((line) => console.log(`[production-guard] ${line}`));
  own = await createOwnDatabase(process.env.DATABASE_URL!, "dc_guard");
}, 20 * 60_000);
afterAll(async () => own?.drop());

/** Runs `command` to its exit (at most two minutes): its status and everything it printed. */
function runToExit(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      process.kill(-child.pid!, "SIGKILL");
      reject(new Error(`still running after 120 s:\n${output}`));
    }, 120_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

function productionEnv(port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", DATABASE_URL: own.url, NEXTAUTH_SECRET: SERVER_SECRET, NEXTAUTH_URL: `http://127.0.0.1:${port}`, DISABLE_JOBS: "1" };
  delete env.DEMO_DEPLOYMENT;
  delete env.OPERATOR_SIGNING_KEY_HEX;
  for (const name of Object.values(OPERATOR_ROLE_KEY_ENV)) delete env[name];
  delete env.NETWORK_ID;
  return env;
}

describe("production refuses the demo's configuration", () => {
  it("next start exits with EX_CONFIG, naming every problem", async () => {
    const port = await freePort();
    const { code, output } = await runToExit([path.join(ROOT, "node_modules", "next", "dist", "bin", "next"), "start", "-p", String(port), "-H", "127.0.0.1"], productionEnv(port));
    expect(code, output).toBe(78);
    for (const problem of ["operator_key_not_from_environment", "operator_role_keys_not_from_environment", "operator_key_in_database", "demo_signing_keys", "demo_seed_present", "demo_network_id"]) expect(output).toContain(`[${problem}]`);
  }, 180_000);

  it("npm start with two instances stops instead of restarting refusing instances", async () => {
    const port = await freePort();
    const { code, output } = await runToExit([path.join(ROOT, "scripts", "start.mjs")], { ...productionEnv(port), PORT: String(port), HOST: "127.0.0.1", INSTANCES: "2" });
    expect(code, output).toBe(78);
    expect(output).toContain("refused to start");
    expect(output).not.toContain("starting it again");
  }, 180_000);
});
