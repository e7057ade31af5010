import { describeDatabaseFailure } from "@/db/availability";
import { getDb } from "@/db/client";
import { usesJobQueue } from "@/db/job-queue";
import { startWebhookWorker, type WebhookWorker } from "../jobs/webhook-worker";

/*
 * This process's graphile-worker runner (server/jobs/webhook-worker.ts), on PostgreSQL only:
 * started once per process (kept on globalThis, like the runtime, across bundles and dev hot
 * reloads) by instrumentation.ts unless DISABLE_JOBS=1, and stopped on SIGTERM or SIGINT, when
 * `next start` closes its server: the runner stops taking jobs and finishes those in flight. If
 * the process ends first (next exits once its own server is closed, or a SIGKILL), its locked
 * jobs are taken back by the webhooks job's recoverStalledDeliveries. On PGlite nothing starts:
 * the schedule sends deliveries.
 */

const slot = globalThis as unknown as { __doubleChainJobQueue?: Promise<WebhookWorker | null> };

export function startJobQueue(options: { retryMs?: number } = {}): void {
  const { retryMs = 3_000 } = options;
  const connectionString = process.env.DATABASE_URL;
  if (!usesJobQueue() || !connectionString || slot.__doubleChainJobQueue) return;
  slot.__doubleChainJobQueue = getDb()
    .then((db) => startWebhookWorker(db, { connectionString }))
    .then(
      (worker) => {
        const stop = () => void stopJobQueue();
        for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, stop);
        // A runner that ends without being asked (graphile gave up on the database) is started again.
        worker.done.then(
          () => {},
          (error: unknown) => {
            console.error(`[queue] webhook worker stopped: ${describeDatabaseFailure(error)}; starting it again in ${retryMs / 1000} s`);
            for (const signal of ["SIGTERM", "SIGINT"] as const) process.off(signal, stop);
            setTimeout(() => {
              slot.__doubleChainJobQueue = undefined;
              startJobQueue(options);
            }, retryMs).unref();
          },
        );
        return worker;
      },
      (error: unknown) => {
        console.error(`[queue] webhook worker not started yet: ${describeDatabaseFailure(error)}; retrying in ${retryMs / 1000} s`);
        setTimeout(() => {
          slot.__doubleChainJobQueue = undefined;
          startJobQueue(options);
        }, retryMs).unref();
        return null;
      },
    );
}

/** Stops this process's runner, if one runs. */
export async function stopJobQueue(): Promise<void> {
  const worker = await slot.__doubleChainJobQueue;
  await worker?.stop();
}
