import type { Db } from "@/db/client";
import { JOB_QUEUE_SCHEMA, quietLogger, WEBHOOK_DELIVERY_TASK } from "@/db/job-queue";
import { deliverWebhook, type DeliverOptions, type DeliveryOutcome } from "./webhooks";

/*
 * The graphile-worker runner that sends webhook deliveries on PostgreSQL (webhooks.ts says how
 * deliveries and their jobs are made). Every app instance runs one (server/runtime/job-queue.ts);
 * graphile locks each job for the worker that takes it, so however many instances run, each
 * attempt is made by one of them. It has a pg pool of its own (graphile-worker's driver): its
 * LISTEN connection hears new jobs at once, and jobs due later are found by polling.
 */

export interface WebhookWorkerOptions {
  /** The PostgreSQL database the jobs are in: the app's own (DATABASE_URL). */
  connectionString: string;
  /** Attempts in flight at once in this process; 4 by default. */
  concurrency?: number;
  /** How often jobs due later (retries) are looked for, in ms; graphile's 2 s by default. */
  pollIntervalMs?: number;
  /** What each attempt uses (tests inject a short retry schedule); the real fetch and RETRY_DELAYS_MS by default. */
  deliver?: Omit<DeliverOptions, "nowMs">;
  /** Told of each attempt's outcome. */
  onAttempt?: (deliveryId: string, outcome: DeliveryOutcome) => void;
}

export interface WebhookWorker {
  /** Stops taking jobs, waits for the attempts in flight and closes the pool (once; later calls share it). */
  stop(): Promise<void>;
  /** Settles when the runner has ended: after stop(), or rejected if it failed on its own. */
  readonly done: Promise<void>;
}

function deliveryIdOf(payload: unknown): string {
  const id = (payload as { deliveryId?: unknown } | null)?.deliveryId;
  if (typeof id !== "string" || id.length === 0) throw new Error(`${WEBHOOK_DELIVERY_TASK}: the payload names no delivery`);
  return id;
}

export async function startWebhookWorker(db: Db, options: WebhookWorkerOptions): Promise<WebhookWorker> {
  const { run, Logger } = await import("graphile-worker");
  const concurrency = options.concurrency ?? 4;
  const runner = await run({
    connectionString: options.connectionString,
    schema: JOB_QUEUE_SCHEMA,
    concurrency,
    // One connection listens for new jobs, one takes and completes them; graphile recommends concurrency + 2.
    maxPoolSize: concurrency + 2,
    ...(options.pollIntervalMs !== undefined ? { pollInterval: options.pollIntervalMs } : {}),
    // The process's shutdown is the runtime's (server/runtime/job-queue.ts), not graphile's signal handlers.
    noHandleSignals: true,
    logger: quietLogger(Logger),
    // No recurring jobs: the schedule (scheduler.ts) keeps those.
    crontab: "",
    // Completions go through graphile's batcher (delay 0: at once), which a stop flushes before
    // closing the pool; unbatched, a stop could close it under an attempt's completion and leave
    // the finished job locked until recoverStalledDeliveries released it (a second send).
    preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
    taskList: {
      [WEBHOOK_DELIVERY_TASK]: async (payload) => {
        const deliveryId = deliveryIdOf(payload);
        const outcome = await deliverWebhook(db, deliveryId, options.deliver ?? {});
        options.onAttempt?.(deliveryId, outcome);
      },
    },
  });
  let stopping: Promise<void> | null = null;
  return { stop: () => (stopping ??= runner.stop()), done: runner.promise };
}
