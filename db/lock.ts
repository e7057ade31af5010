import fs from "node:fs";
import path from "node:path";

export interface DirectoryLock {
  release(): void;
}

export class DatabaseBusyError extends Error {
  /** The same code for every "held by someone else": db/availability.ts answers it with 503. */
  readonly code = "DATABASE_LOCKED";
  constructor(
    readonly dataDir: string,
    readonly ownerPid: number,
  ) {
    super(
      `The embedded database in ${dataDir} is in use by process ${ownerPid} (probably "npm run dev" or "npm start"). ` +
        `Stop that process first, or point DATABASE_URL at a PostgreSQL server to share one database between processes.`,
    );
    this.name = "DatabaseBusyError";
  }
}

/**
 * Who holds a lock: the pid alone is not enough. Process ids repeat: after a container
 * restart the new server is often given the very pid of the old one (1, or a small number
 * in a fresh pid namespace), and a crashed owner may be a zombie that still answers
 * kill(pid, 0). So the owner is named by its pid, its start time (clock ticks since boot,
 * field 22 of /proc/<pid>/stat, the same from every pid namespace) and the boot id.
 */
export interface LockOwner {
  pid: number;
  /** null where there is no /proc (macOS): the pid alone is then trusted, as before. */
  startTime: string | null;
  bootId: string | null;
}

interface ProcessStat {
  state: string;
  startTime: string;
}

/** State and start time of a process from /proc, or null when it does not exist (or there is no /proc). */
export function readProcessStat(pid: number, procRoot = "/proc"): ProcessStat | null {
  let stat: string;
  try {
    stat = fs.readFileSync(path.join(procRoot, String(pid), "stat"), "utf8");
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may itself hold spaces or ')'.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const state = fields[0];
  const startTime = fields[19];
  return state && startTime ? { state, startTime } : null;
}

function readBootId(procRoot = "/proc"): string | null {
  try {
    return fs.readFileSync(path.join(procRoot, "sys", "kernel", "random", "boot_id"), "utf8").trim();
  } catch {
    return null;
  }
}

export function currentOwner(): LockOwner {
  return { pid: process.pid, startTime: readProcessStat(process.pid)?.startTime ?? null, bootId: readBootId() };
}

function pidAnswers(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * True when the recorded owner still runs: the same boot, a process with its pid, not a
 * zombie, started at the recorded time. A lock written before start times were recorded
 * (a bare pid) is judged by the pid and the zombie state.
 */
export function ownerAlive(owner: LockOwner, procRoot = "/proc"): boolean {
  const bootId = readBootId(procRoot);
  if (owner.bootId && bootId && owner.bootId !== bootId) return false;
  const stat = readProcessStat(owner.pid, procRoot);
  if (stat === null) return bootId === null ? pidAnswers(owner.pid) : false;
  if (stat.state === "Z" || stat.state === "X") return false;
  return owner.startTime === null || owner.startTime === stat.startTime;
}

/** The owner recorded in a lock file: JSON, or a bare pid (older versions); null when unreadable (a writer killed mid-write). */
export function parseOwner(text: string): LockOwner | null {
  if (/^\d+$/.test(text.trim())) return { pid: Number(text.trim()), startTime: null, bootId: null };
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (!Number.isSafeInteger(value.pid) || (value.pid as number) <= 0) return null;
    return { pid: value.pid as number, startTime: typeof value.startTime === "string" ? value.startTime : null, bootId: typeof value.bootId === "string" ? value.bootId : null };
  } catch {
    return null;
  }
}

const sameOwner = (a: LockOwner, b: LockOwner) => a.pid === b.pid && a.startTime === b.startTime && a.bootId === b.bootId;

/**
 * Takes an exclusive lock on a PGlite data folder: the lock file names its owner (above) and
 * is created with O_EXCL, so two processes can never both believe they own the folder. A
 * lock whose owner has died, is a zombie, or whose pid now belongs to another process (a
 * restarted container) is taken over.
 */
export function acquireDirectoryLock(dataDir: string): DirectoryLock {
  const lockPath = path.join(dataDir, "double-chain.lock");
  const me = currentOwner();
  const myRecord = JSON.stringify(me);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(lockPath, "wx");
      fs.writeSync(fd, myRecord);
      fs.closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          if (fs.readFileSync(lockPath, "utf8") === myRecord) fs.unlinkSync(lockPath);
        } catch {
          // The file is already gone: nothing to release.
        }
      };
      process.once("exit", release);
      return { release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = parseOwner(fs.readFileSync(lockPath, "utf8"));
      if (owner && sameOwner(owner, me)) throw new Error(`This process already holds ${lockPath}`);
      if (owner && owner.pid !== process.pid && ownerAlive(owner)) throw new DatabaseBusyError(dataDir, owner.pid);
      // The owner is gone (or was us in an earlier life: same pid, another start time).
      fs.rmSync(lockPath, { force: true });
    }
  }
  throw new Error(`Could not take the lock on ${dataDir}`);
}
