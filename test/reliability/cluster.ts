/*
 * A throwaway PostgreSQL cluster for the fault scenarios: they crash, stop and fill the
 * server, so they cannot use the shared one named by DATABASE_URL. It runs the local
 * PostgreSQL binaries (PG_BIN, else `pg_config --bindir`, else Debian's
 * /usr/lib/postgresql/15/bin) in a temporary folder, as the `postgres` user when the tests
 * run as root (PostgreSQL refuses to run as root).
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "@/scripts/app-server";

export interface Cluster {
  url: string;
  port: number;
  /** Starts the stopped server and waits until it accepts connections. */
  start(): void;
  /** `pg_ctl stop -m immediate`: every backend killed, no checkpoint; recovery runs at the next start. */
  crash(): void;
  /** A normal fast stop. */
  stop(): void;
  /** Stops the server (if running) and deletes its folder. */
  destroy(): void;
}

/** Where the PostgreSQL programs are (initdb, pg_ctl, pg_dump, pg_restore). */
export function binDir(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  try {
    return execFileSync("pg_config", ["--bindir"], { encoding: "utf8" }).trim();
  } catch {
    return "/usr/lib/postgresql/15/bin";
  }
}

const asRoot = typeof process.getuid === "function" && process.getuid() === 0;

function run(bin: string, args: string[]): void {
  const [command, commandArgs] = asRoot ? ["runuser", ["-u", "postgres", "--", bin, ...args]] : [bin, args];
  const result = spawnSync(command, commandArgs, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (result.status !== 0) throw new Error(`${path.basename(bin)} ${args.join(" ")} failed: ${result.stderr || result.stdout}`);
}

/** Creates and starts a cluster; `settings` go to postgresql's command line (-c name=value). */
export async function createCluster(settings: Record<string, string | number> = {}): Promise<Cluster> {
  const bin = binDir();
  const port = Number(process.env.RELIABILITY_PG_PORT ?? 0) || (await freePort());
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "dc-faults-pg-"));
  const dataDir = path.join(root, "data");
  if (asRoot) execFileSync("chown", ["postgres", root]);
  run(path.join(bin, "initdb"), ["-D", dataDir, "-A", "trust", "-U", "postgres", "--no-sync"]);
  const options = [
    `-p ${port}`,
    `-k ${root}`,
    "-c listen_addresses=127.0.0.1",
    // Durability is not what these tests measure (crashes are of the server process, not the machine).
    "-c fsync=off",
    ...Object.entries(settings).map(([name, value]) => `-c ${name}=${value}`),
  ].join(" ");
  const pgCtl = path.join(bin, "pg_ctl");
  let running = false;
  const cluster: Cluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start() {
      run(pgCtl, ["-D", dataDir, "-o", options, "-l", path.join(root, "server.log"), "-w", "-t", "60", "start"]);
      running = true;
    },
    crash() {
      run(pgCtl, ["-D", dataDir, "-m", "immediate", "-w", "stop"]);
      running = false;
    },
    stop() {
      run(pgCtl, ["-D", dataDir, "-m", "fast", "-w", "stop"]);
      running = false;
    },
    destroy() {
      if (running) {
        try {
          cluster.crash();
        } catch {
          // already down
        }
      }
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
  cluster.start();
  return cluster;
}
