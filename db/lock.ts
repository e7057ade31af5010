import fs from "node:fs";
import path from "node:path";

export interface DirectoryLock {
  release(): void;
}

export class DatabaseBusyError extends Error {
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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes an exclusive lock on a PGlite data folder: the lock file holds the owner's pid and
 * is created with O_EXCL, so two processes can never both believe they own the folder.
 * A lock left by a process that has died is taken over.
 */
export function acquireDirectoryLock(dataDir: string): DirectoryLock {
  const lockPath = path.join(dataDir, "double-chain.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(lockPath, "wx");
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          if (fs.readFileSync(lockPath, "utf8") === String(process.pid)) fs.unlinkSync(lockPath);
        } catch {
          // The file is already gone: nothing to release.
        }
      };
      process.once("exit", release);
      return { release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const ownerPid = Number(fs.readFileSync(lockPath, "utf8"));
      if (ownerPid === process.pid) throw new Error(`This process already holds ${lockPath}`);
      if (Number.isInteger(ownerPid) && ownerPid > 0 && isAlive(ownerPid)) throw new DatabaseBusyError(dataDir, ownerPid);
      fs.rmSync(lockPath, { force: true });
    }
  }
  throw new Error(`Could not take the lock on ${dataDir}`);
}
