/**
 * A sidecar (a demo witness, the settlement agent) started by scripts/trust-sidecars.ts ends when
 * the process that started it is gone, however that one ended: a browser-test runner kills its
 * web server with SIGKILL, which no exit handler sees, and a witness left running would hold its
 * port and its data folder (and the CI's output) after the run. Once the parent is gone, its end
 * of the sidecar's output pipe is too: a line written then fails with EPIPE, which is the same
 * news, not a crash worth a stack trace in the run's log.
 */
export function exitWithParent(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(0);
      throw error;
    });
  }
  const parentPid = Number(process.env.SIDECAR_PARENT_PID);
  if (!Number.isInteger(parentPid) || parentPid <= 0) return;
  setInterval(() => {
    try {
      process.kill(parentPid, 0);
    } catch {
      process.exit(0);
    }
  }, 1_000).unref();
}
