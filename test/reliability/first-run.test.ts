import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { count } from "drizzle-orm";
import { openDatabase } from "@/db/client";
import { ledgerEntries } from "@/db/schema";
import { seedDemo } from "@/server/seed/seed";
import { addFigures } from "./figures";

/*
 * The first run on the embedded database, interrupted: `npm run dev` first runs
 * scripts/prepare-db.ts (open the PGlite folder under its lock, migrate, seed the demo).
 * That script is killed with SIGKILL at ten points, from its start-up and migration to late
 * in the seed, each time started again; the last start runs to the end. Every start runs in
 * a fresh pid namespace when it can (root and util-linux `unshare`), as a container restart
 * does: the new process then usually gets the very pid that the dead owner wrote into the
 * folder's lock. The result must open, hold the complete demo (as many entries as a seed
 * that was never interrupted) and pass `npm run verify`; so must a copy of it made with
 * `npm run backup:embedded`.
 */

const ROOT = process.cwd();
const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");
const KILLS = Number(process.env.RELIABILITY_FIRST_RUN_KILLS ?? 10);

/** Where to kill: ms after the start, or ms after a line of the seed's output appeared. */
type KillPoint = { afterStartMs: number } | { afterLine: RegExp; delayMs: number };
const KILL_POINTS: KillPoint[] = [
  { afterStartMs: 800 },
  { afterStartMs: 2_000 },
  { afterStartMs: 3_500 },
  { afterLine: /^ {2}\S.*\(\w+, \w+\)$/m, delayMs: 0 },
  { afterLine: /ledger: keys/, delayMs: 0 },
  { afterLine: /ledger: keys/, delayMs: 1_000 },
  { afterLine: /ledger: keys/, delayMs: 3_000 },
  { afterLine: /ledger: keys/, delayMs: 6_000 },
  { afterLine: /ledger: keys/, delayMs: 10_000 },
  { afterLine: /ledger: keys/, delayMs: 15_000 },
];

function canUnshare(): boolean {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return false;
  return spawnSync("unshare", ["--pid", "--fork", "--mount-proc", "true"], { stdio: "ignore" }).status === 0;
}
const FRESH_PID_NAMESPACE = canUnshare();

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

interface Run {
  output: string;
  /** Exit code; null when killed. */
  code: number | null;
}

/** Runs a script on the PGlite folder, in a fresh pid namespace when possible; kills it at `kill` if it is still running. */
function runScript(script: string, dataDir: string, kill?: KillPoint, extraArgs: string[] = []): Promise<Run> {
  const command = [TSX, path.join("scripts", script), ...extraArgs];
  const [bin, args] = FRESH_PID_NAMESPACE ? ["unshare", ["--pid", "--fork", "--mount-proc", ...command]] : [command[0]!, command.slice(1)];
  const env: NodeJS.ProcessEnv = { ...process.env, PGLITE_DIR: dataDir };
  delete env.DATABASE_URL;
  const child = spawn(bin, args, { cwd: ROOT, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  let timer: NodeJS.Timeout | undefined;
  const killNow = () => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  };
  const arm = (ms: number) => {
    timer ??= setTimeout(killNow, ms);
  };
  if (kill && "afterStartMs" in kill) arm(kill.afterStartMs);
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    if (kill && "afterLine" in kill && kill.afterLine.test(output)) arm(kill.delayMs);
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  return new Promise((resolve) => {
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ output, code });
    });
  });
}

/** How many entries a seed that nobody interrupted writes (in memory, beside the runs). */
async function referenceEntries(): Promise<number> {
  const database = openDatabase({ kind: "pglite", dataDir: null });
  try {
    await database.migrate();
    await seedDemo(database.db);
    const [row] = await database.db.select({ n: count() }).from(ledgerEntries);
    return row!.n;
  } finally {
    await database.close();
  }
}

describe("first run on the embedded database, interrupted", () => {
  it(`killed at ${KILLS} points of migration and seeding, restarted${FRESH_PID_NAMESPACE ? " in a fresh pid namespace" : ""}: the next start completes the demo and verify passes, on the database and on a backup copy`, async ({ task }) => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "dc-first-run-"));
    dirs.push(root);
    const dataDir = path.join(root, "pglite");
    const reference = referenceEntries();
    let killedMidRun = 0;
    for (const point of KILL_POINTS.slice(0, KILLS)) {
      const run = await runScript("prepare-db.ts", dataDir, point);
      if (run.code === null) killedMidRun += 1;
      // A start that was not killed ran to the end: it must have succeeded.
      else expect(run.code, run.output).toBe(0);
      expect(run.output).not.toMatch(/already holds|in use by process/);
    }
    const final = await runScript("prepare-db.ts", dataDir);
    expect(final.code, final.output).toBe(0);
    const verify = await runScript("verify.ts", dataDir);
    expect(verify.code, verify.output).toBe(0);
    const transactions = Number(/transactions=(\d+)/.exec(verify.output)?.[1]);
    const expected = await reference;
    console.log(`[first-run] ${killedMidRun} of ${KILLS} starts killed mid-run; then ${final.output.trim().split("\n").at(-1)}; verify: ${transactions} transactions (a seed never interrupted: ${expected})`);
    addFigures(task, { firstRunKills: killedMidRun, firstRunTransactions: transactions });
    expect(killedMidRun).toBeGreaterThanOrEqual(Math.min(KILLS, 5));
    expect(transactions).toBe(expected);

    // The backup of the README: a consistent copy of the folder, which opens and verifies on its own.
    const copy = path.join(root, "copy");
    const backup = await runScript("backup-embedded.ts", dataDir, undefined, [copy]);
    expect(backup.code, backup.output).toBe(0);
    const verifyCopy = await runScript("verify.ts", copy);
    expect(verifyCopy.code, verifyCopy.output).toBe(0);
    expect(Number(/transactions=(\d+)/.exec(verifyCopy.output)?.[1])).toBe(expected);
  }, 600_000);
});
