import type { Db } from "@/db/client";
import { getDb } from "@/db/client";
import { describeDatabaseFailure } from "@/db/availability";
import { overdueJob } from "./overdue";
import { webhooksJob } from "./webhooks";
import { notificationsJob } from "./notifications";
import { rateLimitsJob } from "./rate-limits";
import { createScheduler, newInstanceId, type JobDefinition, type RunResult, type Scheduler, type SchedulerOptions } from "./scheduler";

/*
 * The jobs of this app. Registering one is a line in JOBS; the scheduler creates its row
 * on the next start and runs it on its interval, once across all instances. A job that
 * should also run right after something happens is kicked with runJobNow, which takes the
 * same lease, so never two runs at once (through an engine post-commit hook, hooks.ts).
 */
export const JOBS: readonly JobDefinition[] = [overdueJob, webhooksJob, notificationsJob, rateLimitsJob];

/** How often each instance looks for due jobs: one cheap UPDATE per job. */
export const TICK_MS = 10_000;

const globalForJobs = globalThis as unknown as { __doubleChainInstanceId?: string; __doubleChainScheduler?: Promise<Scheduler | null> };

/** This process's name in scheduled_jobs.locked_by; kept across dev hot reloads. */
export function processInstanceId(): string {
  globalForJobs.__doubleChainInstanceId ??= newInstanceId();
  return globalForJobs.__doubleChainInstanceId;
}

/**
 * Starts this process's scheduler on the process-wide database: once per process, even across
 * dev hot reloads. When the database cannot be opened yet (PostgreSQL still down at start-up),
 * it tries again every few seconds until it can; once started, a tick that fails is simply retried
 * at the next one, so the schedule resumes by itself when the database returns. `onRun` is told
 * of every run (the runtime's job metrics).
 */
export function startScheduler(options: { retryMs?: number; onRun?: SchedulerOptions["onRun"] } = {}): void {
  const { retryMs = 3_000, onRun } = options;
  globalForJobs.__doubleChainScheduler ??= getDb().then(
    (db) => {
      const scheduler = createScheduler(db, JOBS, { instanceId: processInstanceId(), ...(onRun ? { onRun } : {}) });
      scheduler.start(TICK_MS);
      return scheduler;
    },
    (error: unknown) => {
      console.error(`[jobs] not started yet: ${describeDatabaseFailure(error)}; retrying in ${retryMs / 1000} s`);
      setTimeout(() => {
        globalForJobs.__doubleChainScheduler = undefined;
        startScheduler(options);
      }, retryMs).unref();
      return null;
    },
  );
}

/**
 * Runs a registered job now (awaiting its outcome), due or not, under the same lease as
 * the schedule (with `work`, doing that instead of the job's whole run; see Scheduler.runNow).
 * When another run is in progress it answers `busy` and marks the job due, so
 * it runs again as soon as that run ends: a kick is never lost. A caller that must not wait
 * for the job (a submission's response) starts it with `void runJobNow(...).catch(log)`.
 */
export function runJobNow(db: Db, name: string, options: Omit<SchedulerOptions, "instanceId"> & { work?: JobDefinition["run"] } = {}): Promise<RunResult> {
  const { work, ...schedulerOptions } = options;
  return createScheduler(db, JOBS, { ...schedulerOptions, instanceId: processInstanceId() }).runNow(name, work);
}
