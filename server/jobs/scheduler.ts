import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { and, eq, inArray, isNull, lt, lte, or, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { describeDatabaseFailure, isDatabaseFailure } from "@/db/availability";
import { scheduledJobs } from "@/db/schema";

/*
 * A schedule kept in PostgreSQL (the scheduled_jobs table), shared by every app instance:
 * no extra server and no per-process timetable. Jobs are registered in code; each instance
 * upserts their rows on start, and on every tick leases the due ones with one conditional
 * UPDATE ... RETURNING. That statement is atomic on PostgreSQL (a concurrent writer waits for
 * the row, then re-checks the condition against the committed lease and finds nothing) and on
 * PGlite (one connection, statements run one at a time), so a due job runs exactly once
 * however many instances tick. The holder runs it, records the outcome and releases the
 * lease; an instance that dies mid-run leaves a lease that simply runs out, after which the
 * next instance to tick runs the job again. Jobs must therefore be idempotent (the ledger's
 * contracts make a second markOverdue or disbursement a refusal, not a double effect).
 *
 * pg-boss was considered: it needs the `pg` driver (we use postgres.js and, embedded, PGlite,
 * which it cannot drive), creates and migrates its own schema outside our committed
 * migrations, and brings a queue we do not need for a handful of periodic jobs.
 */

export interface JobContext {
  /** The instance holding the lease (host:pid:random). */
  instanceId: string;
  /** When this run leased the job, from the scheduler's clock. */
  startedAtMs: number;
  /** The scheduler's clock (tests freeze it); pass it on as the ledger's clock. */
  clock: () => number;
}

export interface JobDefinition {
  /** Stable name: the row's primary key. */
  name: string;
  /** What the job does, for the operator's page. */
  description: string;
  /** Time from one run's start to the next. */
  intervalMs: number;
  /** How long a run may take before another instance may take the job over. */
  leaseMs: number;
  /** Does the work; returns a one-line summary. Throwing records the run as failed. */
  run(db: Db, ctx: JobContext): Promise<string>;
}

export const DEFAULT_LEASE_MS = 5 * 60_000;
/** Summaries and error messages are cut to this length before they are stored. */
const SUMMARY_MAX_LENGTH = 2_000;
const ABANDONED = "Abandoned: the run by";

/** A job definition with defaults filled in and its numbers checked. */
export function defineJob(job: Omit<JobDefinition, "leaseMs"> & { leaseMs?: number }): JobDefinition {
  const leaseMs = job.leaseMs ?? DEFAULT_LEASE_MS;
  if (!/^[a-z][a-z0-9-]{0,62}$/.test(job.name)) throw new Error(`job name "${job.name}": lower-case letters, digits and dashes`);
  if (!Number.isSafeInteger(job.intervalMs) || job.intervalMs <= 0) throw new Error(`job ${job.name}: intervalMs must be a positive integer`);
  if (!Number.isSafeInteger(leaseMs) || leaseMs <= 0) throw new Error(`job ${job.name}: leaseMs must be a positive integer`);
  return { ...job, leaseMs };
}

/** Names this process in locked_by: host, pid and a random suffix (two processes may share a pid across hosts or restarts). */
export function newInstanceId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
}

export interface Lease {
  name: string;
  instanceId: string;
  startedAtMs: number;
  lockedUntilMs: number;
  /** The previous holder's lease had run out: its run never finished. */
  tookOver: boolean;
}

export type RunResult =
  | { name: string; status: "ok" | "failed"; summary: string; startedAtMs: number; finishedAtMs: number; tookOver: boolean; recorded: boolean }
  /** runNow only: another instance holds the lease; the job is marked due, so it runs again once that run ends. */
  | { name: string; status: "busy" };

/**
 * Creates the rows of jobs that have none (first run due at once) and updates the interval
 * of existing ones from the code, leaving their history alone. A shortened interval pulls an
 * overly distant next run in.
 */
export async function ensureJobRows(db: Db, jobs: readonly JobDefinition[], nowMs: number): Promise<void> {
  if (jobs.length === 0) return;
  await db
    .insert(scheduledJobs)
    .values(jobs.map((job) => ({ name: job.name, intervalMs: job.intervalMs, nextRunAtMs: nowMs })))
    .onConflictDoUpdate({
      target: scheduledJobs.name,
      set: { intervalMs: sql`excluded.interval_ms`, nextRunAtMs: sql`least(${scheduledJobs.nextRunAtMs}, ${nowMs}::bigint + excluded.interval_ms)` },
    });
}

/**
 * Leases a job in one statement: when it is due and free (`due`), or whenever it is free
 * (`now`, for runNow). Free means no lease, or a lease that ran out, in which case the
 * previous run is counted as a failed run and said so in the summary until this run ends.
 * The next run is scheduled from this start, so a runNow request made while this run is
 * in progress (which pulls next_run_at_ms in) survives it.
 */
export async function leaseJob(db: Db, job: JobDefinition, instanceId: string, nowMs: number, when: "due" | "now"): Promise<Lease | null> {
  const t = scheduledJobs;
  const expired = lt(t.lockedUntilMs, nowMs);
  const free = when === "due" ? or(and(isNull(t.lockedUntilMs), lte(t.nextRunAtMs, nowMs)), expired) : or(isNull(t.lockedUntilMs), expired);
  const lockedUntilMs = nowMs + job.leaseMs;
  const abandonedSummary = sql`${`${ABANDONED} `}::text || ${t.lockedBy} || ${" did not finish within its lease; another instance took the job over."}::text`;
  const [row] = await db
    .update(t)
    .set({
      lockedBy: instanceId,
      lockedUntilMs,
      lastStartedAtMs: nowMs,
      nextRunAtMs: nowMs + job.intervalMs,
      // Every right-hand side reads the row as it was: a non-null locked_by here is a run that never finished.
      runs: sql`${t.runs} + case when ${t.lockedBy} is null then 0 else 1 end`,
      failures: sql`${t.failures} + case when ${t.lockedBy} is null then 0 else 1 end`,
      lastStatus: sql`case when ${t.lockedBy} is null then ${t.lastStatus} else 'failed' end`,
      lastSummary: sql`case when ${t.lockedBy} is null then ${t.lastSummary} else ${abandonedSummary} end`,
      lastFinishedAtMs: sql`case when ${t.lockedBy} is null then ${t.lastFinishedAtMs} else ${nowMs}::bigint end`,
    })
    .where(and(eq(t.name, job.name), free))
    .returning({ lastSummary: t.lastSummary, lastFinishedAtMs: t.lastFinishedAtMs });
  if (!row) return null;
  const tookOver = row.lastFinishedAtMs === nowMs && (row.lastSummary ?? "").startsWith(ABANDONED);
  return { name: job.name, instanceId, startedAtMs: nowMs, lockedUntilMs, tookOver };
}

/**
 * Records a run's outcome and releases the lease, only if this run still holds it: a run
 * that outlived its lease finds the job taken over and leaves the new holder's row alone.
 */
export async function finishRun(db: Db, lease: Lease, outcome: { status: "ok" | "failed"; summary: string; finishedAtMs: number }): Promise<boolean> {
  const t = scheduledJobs;
  const released = await db
    .update(t)
    .set({
      lockedBy: null,
      lockedUntilMs: null,
      lastFinishedAtMs: outcome.finishedAtMs,
      lastStatus: outcome.status,
      lastSummary: outcome.summary.slice(0, SUMMARY_MAX_LENGTH),
      runs: sql`${t.runs} + 1`,
      failures: sql`${t.failures} + ${outcome.status === "failed" ? 1 : 0}`,
    })
    .where(and(eq(t.name, lease.name), eq(t.lockedBy, lease.instanceId), eq(t.lockedUntilMs, lease.lockedUntilMs)))
    .returning({ name: t.name });
  return released.length === 1;
}

/** Asks for a run as soon as the current one ends (runNow while another instance holds the lease). */
async function requestRun(db: Db, name: string, nowMs: number): Promise<void> {
  await db
    .update(scheduledJobs)
    .set({ nextRunAtMs: sql`least(${scheduledJobs.nextRunAtMs}, ${nowMs}::bigint)` })
    .where(eq(scheduledJobs.name, name));
}

/**
 * A failure as the operator may see it: each error of the cause chain (a failed query's
 * cause is the database's own message), never the parameters a failed SQL statement ran with.
 */
function failureMessage(error: unknown): string {
  const parts: string[] = [];
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 4; depth += 1) {
    if (!(current instanceof Error)) {
      parts.push(String(current));
      break;
    }
    const name = current.name === "Error" ? "" : `${current.name}: `;
    // A failed query's message is its SQL (and drizzle appends its parameters): never logged, the cause says what went wrong.
    const message = current.message.startsWith("Failed query") ? "a database query failed" : current.message.split(/\nparams:/)[0]!.trim();
    parts.push(`${name}${message}`);
    current = current.cause;
  }
  return parts.filter(Boolean).join("; caused by ") || "failed without a message";
}

export interface SchedulerOptions {
  instanceId?: string;
  /** The clock of leases, schedules and jobs (tests freeze it). */
  clock?: () => number;
  /** Where failures and take-overs are reported; console by default. */
  log?: { info(line: string): void; error(line: string): void };
  /** Told of every run this scheduler makes (the runtime's job metrics). */
  onRun?: (result: RunResult) => void;
}

export interface Scheduler {
  readonly instanceId: string;
  /** Upserts the job rows (once; every tick and runNow does it first if it has not succeeded yet). */
  register(): Promise<void>;
  /** Runs every due, free job once; returns what ran. */
  tick(): Promise<RunResult[]>;
  /**
   * Runs a job now under the same lease, due or not, unless another run of it is in progress.
   * `work`, when given, does this run's work instead of the job's whole run: a kick that names
   * what it needs done (a post-commit hook's own rows) spends no query on the rest.
   */
  runNow(name: string, work?: JobDefinition["run"]): Promise<RunResult>;
  /** Ticks every `everyMs` in this process (timer unref'd); ticks never overlap. */
  start(everyMs: number): void;
  /** Stops the timer and waits for a tick in progress. */
  stop(): Promise<void>;
}

export function createScheduler(db: Db, jobs: readonly JobDefinition[], options: SchedulerOptions = {}): Scheduler {
  const instanceId = options.instanceId ?? newInstanceId();
  const clock = options.clock ?? Date.now;
  const log = options.log ?? { info: (line: string) => console.log(line), error: (line: string) => console.error(line) };
  const byName = new Map(jobs.map((job) => [job.name, job]));
  if (byName.size !== jobs.length) throw new Error("two jobs share a name");
  let registered: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let ticking: Promise<unknown> | null = null;

  const register = () => {
    registered ??= ensureJobRows(db, jobs, clock()).catch((error: unknown) => {
      registered = null;
      throw error;
    });
    return registered;
  };

  async function runLeased(job: JobDefinition, lease: Lease, work: JobDefinition["run"] = job.run): Promise<RunResult> {
    if (lease.tookOver) log.info(`[jobs] ${job.name}: the previous run's lease ran out; ${instanceId} took the job over`);
    let outcome: { status: "ok" | "failed"; summary: string };
    try {
      outcome = { status: "ok", summary: await work(db, { instanceId, startedAtMs: lease.startedAtMs, clock }) };
    } catch (error) {
      outcome = { status: "failed", summary: isDatabaseFailure(error) ? describeDatabaseFailure(error) : failureMessage(error) };
      log.error(`[jobs] ${job.name} failed: ${outcome.summary}`);
    }
    const finishedAtMs = clock();
    const recorded = await finishRun(db, lease, { ...outcome, finishedAtMs });
    if (!recorded) log.error(`[jobs] ${job.name}: the run outlived its lease and another instance took over; its outcome (${outcome.status}) was not recorded`);
    const result = { name: job.name, ...outcome, startedAtMs: lease.startedAtMs, finishedAtMs, tookOver: lease.tookOver, recorded };
    options.onRun?.(result);
    return result;
  }

  async function tick(): Promise<RunResult[]> {
    await register();
    const results: RunResult[] = [];
    for (const job of jobs) {
      const lease = await leaseJob(db, job, instanceId, clock(), "due");
      if (lease) results.push(await runLeased(job, lease));
    }
    return results;
  }

  async function runNow(name: string, work?: JobDefinition["run"]): Promise<RunResult> {
    const job = byName.get(name);
    if (!job) throw new Error(`no job named "${name}" is registered`);
    const nowMs = clock();
    const lease = (await leaseJob(db, job, instanceId, nowMs, "now")) ?? (await register().then(() => leaseJob(db, job, instanceId, nowMs, "now")));
    if (lease) return runLeased(job, lease, work);
    await requestRun(db, name, nowMs);
    return { name, status: "busy" };
  }

  function start(everyMs: number): void {
    if (timer) return;
    const safeTick = () => {
      if (ticking) return;
      ticking = tick()
        .catch((error: unknown) => log.error(isDatabaseFailure(error) ? `[jobs] tick skipped: ${describeDatabaseFailure(error)}` : `[jobs] tick failed: ${failureMessage(error)}`))
        .finally(() => {
          ticking = null;
        });
    };
    timer = setInterval(safeTick, everyMs);
    timer.unref();
    safeTick();
  }

  async function stop(): Promise<void> {
    if (timer) clearInterval(timer);
    timer = null;
    await ticking;
  }

  return { instanceId, register, tick, runNow, start, stop };
}

/** The rows of the given jobs, or of all jobs (the operator's view). */
export async function loadJobRows(db: Db, names?: readonly string[]) {
  return db
    .select()
    .from(scheduledJobs)
    .where(names ? inArray(scheduledJobs.name, [...names]) : undefined)
    .orderBy(scheduledJobs.name);
}
