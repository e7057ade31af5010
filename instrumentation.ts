// Starts this Node.js server's part of the shared job schedule kept in PostgreSQL (server/jobs/registry.ts):
// never in the Edge runtime, never during `next build`, and not at all with DISABLE_JOBS=1.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.DISABLE_JOBS === "1" || process.env.NEXT_PHASE === "phase-production-build") return;
  const { startScheduler } = await import("./server/jobs/registry");
  startScheduler();
}
