import { getDb } from "@/db/client";
import { overdueTick } from "./overdue";

const EVERY_MS = 60_000;
const globalForJobs = globalThis as unknown as { __doubleChainJobs?: NodeJS.Timeout };

/** One timer per process, even across dev hot reloads. */
export function startScheduler(): void {
  if (globalForJobs.__doubleChainJobs) return;
  const tick = async () => {
    try {
      const run = await overdueTick(await getDb());
      if (run.accepted > 0) console.log(`[jobs] marked ${run.accepted} matured issuance(s) overdue`);
    } catch (error) {
      console.error("[jobs] overdue job failed:", error instanceof Error ? error.message : error);
    }
  };
  globalForJobs.__doubleChainJobs = setInterval(() => void tick(), EVERY_MS);
  globalForJobs.__doubleChainJobs.unref();
}
