import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { acquireDirectoryLock, currentOwner, DatabaseBusyError, ownerAlive, parseOwner, readProcessStat } from "@/db/lock";

/*
 * The embedded database's folder lock against owners that only look alive: a zombie, a pid
 * now used by another process (a restarted container), a record torn by a kill mid-write.
 * These read /proc, so they run on Linux (CI and the dev container both are).
 */
const lockFile = (dir: string) => path.join(dir, "double-chain.lock");
const made: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dc-lock-"));
  made.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

describe("the embedded database's folder lock", () => {
  it("records the owner's pid, start time and boot id, and refuses a live owner", () => {
    const dir = tempDir();
    const lock = acquireDirectoryLock(dir);
    const record = parseOwner(fs.readFileSync(lockFile(dir), "utf8"));
    expect(record).toEqual(currentOwner());
    expect(record?.startTime).toMatch(/^\d+$/);
    expect(ownerAlive(record!)).toBe(true);
    const script = `import { acquireDirectoryLock } from "./db/lock.ts"; try { acquireDirectoryLock(${JSON.stringify(dir)}); console.log("ACQUIRED"); } catch (e) { console.log(e.name); }`;
    const second = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: process.cwd(), encoding: "utf8" });
    expect(second.stdout.trim()).toBe("DatabaseBusyError");
    lock.release();
  });

  it("takes over from a zombie owner (dead, not yet reaped: kill(pid, 0) still succeeds)", async () => {
    const dir = tempDir();
    // A child whose parent (exec'd into sleep) never reaps it. The child exits only once its
    // parent has become sleep: had it exited while the shell still ran, the shell could reap it
    // before the exec and there would be no zombie to find (a race seen on a loaded CI machine).
    const child = `while [ "$(cat /proc/$PPID/comm)" != sleep ]; do sleep 0.02; done`;
    const parent = spawn("sh", ["-c", `sh -c '${child}' & echo $!; exec sleep 30`], { stdio: ["ignore", "pipe", "ignore"] });
    const zombiePid = Number(await new Promise<string>((resolve) => parent.stdout.once("data", (chunk: Buffer) => resolve(chunk.toString().trim()))));
    try {
      let stat = readProcessStat(zombiePid);
      // Up to 10 s: on a loaded machine the child may take a while to see the exec and exit.
      for (let i = 0; i < 500 && stat?.state !== "Z"; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        stat = readProcessStat(zombiePid);
      }
      expect(stat?.state).toBe("Z");
      expect(() => process.kill(zombiePid, 0)).not.toThrow();
      fs.writeFileSync(lockFile(dir), JSON.stringify({ pid: zombiePid, startTime: stat!.startTime, bootId: currentOwner().bootId }));
      const lock = acquireDirectoryLock(dir);
      expect(parseOwner(fs.readFileSync(lockFile(dir), "utf8"))?.pid).toBe(process.pid);
      lock.release();
    } finally {
      parent.kill("SIGKILL");
    }
  });

  it("takes over when the recorded pid now belongs to another process, or to this one in an earlier life", () => {
    const dir = tempDir();
    const me = currentOwner();
    // The parent of this process is alive, but started at another time than recorded.
    fs.writeFileSync(lockFile(dir), JSON.stringify({ pid: process.ppid, startTime: "1", bootId: me.bootId }));
    acquireDirectoryLock(dir).release();
    // Our own pid, recorded by a process that ran before a container restart.
    fs.writeFileSync(lockFile(dir), JSON.stringify({ pid: process.pid, startTime: "1", bootId: me.bootId }));
    acquireDirectoryLock(dir).release();
    // A live process with the right start time but from another boot is another process.
    fs.writeFileSync(lockFile(dir), JSON.stringify({ pid: process.ppid, startTime: readProcessStat(process.ppid)!.startTime, bootId: "another-boot" }));
    acquireDirectoryLock(dir).release();
    // The same record with this boot's id is a live owner.
    fs.writeFileSync(lockFile(dir), JSON.stringify({ pid: process.ppid, startTime: readProcessStat(process.ppid)!.startTime, bootId: me.bootId }));
    expect(() => acquireDirectoryLock(dir)).toThrow(DatabaseBusyError);
  });

  it("takes over a record torn by a kill while it was written, and still reads an older bare pid", () => {
    const dir = tempDir();
    fs.writeFileSync(lockFile(dir), "");
    acquireDirectoryLock(dir).release();
    fs.writeFileSync(lockFile(dir), '{"pid":12');
    acquireDirectoryLock(dir).release();
    expect(parseOwner(String(process.ppid))).toEqual({ pid: process.ppid, startTime: null, bootId: null });
    fs.writeFileSync(lockFile(dir), String(process.ppid));
    expect(() => acquireDirectoryLock(dir)).toThrow(DatabaseBusyError);
  });

  it("holds the same process to one lock", () => {
    const dir = tempDir();
    const lock = acquireDirectoryLock(dir);
    expect(() => acquireDirectoryLock(dir)).toThrow(/already holds/);
    lock.release();
  });
});
