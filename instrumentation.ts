// At start-up of a Node.js server (never in the Edge runtime, never during `next build`):
//  - checks the environment (database pool and timeouts included) once, before anything opens;
//  - in production (unless DEMO_DEPLOYMENT=1), refuses to start with the operator's key in the
//    database or not from the environment, demo keys, the demo seed or the demo's network id
//    (server/seed/production-guard.ts), exiting with EX_CONFIG so that `npm start` does not
//    start it again;
//  - makes the process's runtime (server/runtime/process.ts);
//  - fills the provenance subtree store in the background (server/ledger/provenance.ts), so
//    the first provenance request does not pay for reading and hashing every leaf;
//  - starts this server's part of the shared job schedule kept in PostgreSQL
//    (server/jobs/registry.ts), and on PostgreSQL this process's job queue runner, graphile-worker,
//    which sends webhook deliveries (server/runtime/job-queue.ts); neither with DISABLE_JOBS=1.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  (await import("./server/env")).serverEnv();
  const [{ processRuntime }, { warmProvenanceStore }, { describeDatabaseFailure, isDatabaseFailure }] = await Promise.all([
    import("./server/runtime/process"),
    import("./server/ledger/provenance"),
    import("./db/availability"),
  ]);
  const guard = await import("./server/seed/production-guard");
  if (guard.productionGuardApplies()) {
    const refusals = await guard.productionRefusals((await processRuntime()).db);
    if (refusals.length > 0) {
      console.error(guard.describeProductionRefusals(refusals));
      process.exit(guard.EXIT_CONFIG);
    }
  }
  const started = Date.now();
  void processRuntime()
    .then((runtime) => warmProvenanceStore(runtime.db, runtime.provenance))
    .then(
      (size) => console.log(`[provenance] subtree store holds the log's ${size} leaves (${Date.now() - started} ms)`),
      (error: unknown) =>
        console.error("[provenance] subtree store not filled at start-up; the first request fills it:", isDatabaseFailure(error) ? describeDatabaseFailure(error) : error instanceof Error ? error.message : error),
    );
  if (process.env.DISABLE_JOBS === "1") return;
  const [{ startScheduler }, { startJobQueue }] = await Promise.all([import("./server/jobs/registry"), import("./server/runtime/job-queue")]);
  // Counted in the runtime's metrics; a run happens only once the database has opened, so the runtime is there by then.
  startScheduler({ onRun: (run) => void processRuntime().then((runtime) => runtime.signals.metrics.jobRuns.inc({ job: run.name, status: run.status }), () => {}) });
  startJobQueue();
}
