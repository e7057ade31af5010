// At start-up of a Node.js server (never in the Edge runtime, never during `next build`):
//  - makes the process's runtime (server/runtime/process.ts);
//  - fills the provenance subtree store in the background (server/ledger/provenance.ts), so
//    the first provenance request does not pay for reading and hashing every leaf;
//  - starts this server's part of the shared job schedule kept in PostgreSQL
//    (server/jobs/registry.ts), unless DISABLE_JOBS=1.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  const [{ processRuntime }, { warmProvenanceStore }] = await Promise.all([import("./server/runtime/process"), import("./server/ledger/provenance")]);
  const started = Date.now();
  void processRuntime()
    .then((runtime) => warmProvenanceStore(runtime.db, runtime.provenance))
    .then(
      (size) => console.log(`[provenance] subtree store holds the log's ${size} leaves (${Date.now() - started} ms)`),
      (error: unknown) => console.error("[provenance] subtree store not filled at start-up; the first request fills it:", error instanceof Error ? error.message : error),
    );
  if (process.env.DISABLE_JOBS === "1") return;
  const { startScheduler } = await import("./server/jobs/registry");
  const runtime = await processRuntime().catch(() => null);
  startScheduler(runtime ? (run) => runtime.signals.metrics.jobRuns.inc({ job: run.name, status: run.status }) : undefined);
}
