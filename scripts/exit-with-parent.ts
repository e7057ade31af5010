/**
 * A sidecar (a demo witness, the settlement agent) started by scripts/trust-sidecars.ts ends when
 * the process that started it is gone, however that one ended: a browser-test runner kills its
 * web server with SIGKILL, which no exit handler sees, and a witness left running would hold its
 * port and its data folder (and the CI's output) after the run.
 */
export function exitWithParent(): void {
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
