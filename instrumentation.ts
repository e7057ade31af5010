// Starts the in-app scheduler of the Node.js server: the overdue job, once a minute.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.DISABLE_JOBS === "1" || process.env.NEXT_PHASE === "phase-production-build") return;
  const { startScheduler } = await import("./server/jobs/scheduler");
  startScheduler();
}
