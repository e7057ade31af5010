// At start-up of a Node.js server (never in the Edge runtime, never during `next build`):
//  - checks the environment (database pool and timeouts included) once, before anything opens;
//  - in production (unless DEMO_DEPLOYMENT=1), refuses to start with the operator's key in the
//    database or not from the environment, demo keys, the demo seed or the demo's network id
//    (server/seed/production-guard.ts), exiting with EX_CONFIG so that `npm start` does not
//    start it again;
//  - makes the process's runtime (server/runtime/process.ts);
//  - opens the runtime at once (provenance proofs need no warm-up: the log's subtree hashes
//    are kept in the database, server/ledger/log-tree.ts);
//  - starts this server's part of the shared job schedule kept in PostgreSQL
//    (server/jobs/registry.ts), and on PostgreSQL this process's job queue runner, graphile-worker,
//    which sends webhook deliveries (server/runtime/job-queue.ts); neither with DISABLE_JOBS=1.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  (await import("./server/env")).serverEnv();
  const [{ processRuntime }, { describeDatabaseFailure, isDatabaseFailure }] = await Promise.all([import("./server/runtime/process"), import("./db/availability")]);
  const guard = await import("./server/seed/production-guard");
  if (guard.productionGuardApplies()) {
    const refusals = await guard.productionRefusals((await processRuntime()).db);
    if (refusals.length > 0) {
      console.error(guard.describeProductionRefusals(refusals));
      process.exit(guard.EXIT_CONFIG);
    }
  }
  // The runtime opens now, not with the first request. Provenance proofs need nothing filled:
  // the log's subtree hashes are in the database (log_subtree_hashes), shared by every instance.
  void processRuntime().catch((error: unknown) =>
    console.error("[runtime] did not open at start-up; requests answer 503 until it does:", isDatabaseFailure(error) ? describeDatabaseFailure(error) : error instanceof Error ? error.message : error),
  );
  if (process.env.DISABLE_JOBS === "1") return;
  const [{ startScheduler }, { startJobQueue }] = await Promise.all([import("./server/jobs/registry"), import("./server/runtime/job-queue")]);
  // Counted in the runtime's metrics; a run happens only once the database has opened, so the runtime is there by then.
  // Each run also asks the witnesses to cosign the last checkpoint if they have not: blocks a
  // job committed (overdue marks) and blocks committed beside the API's submit (a disable's
  // revocations) are cosigned within a run's interval, and a witness that was down is asked
  // again though nothing new was submitted. A round for a checkpoint all have cosigned is one query each.
  startScheduler({
    onRun: (run) =>
      void processRuntime().then(
        (runtime) => {
          runtime.signals.metrics.jobRuns.inc({ job: run.name, status: run.status });
          runtime.cosigner.kick();
        },
        () => {},
      ),
  });
  startJobQueue();
}
