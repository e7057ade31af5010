import type { Db } from "@/db/client";
import type { Actor } from "../actor";
import { assertAllowed, canSeeScheduledJobs } from "../authz";
import { JOBS } from "./registry";
import { loadJobRows } from "./scheduler";

export interface ScheduledJobDto {
  name: string;
  /** From the code; null for a row no job of this version registers (removed, or added by a newer version). */
  description: string | null;
  intervalMs: number;
  /** Null until an instance has registered the job. */
  nextRunAtMs: number | null;
  /** running: an instance holds the lease; stalled: the lease ran out (its instance died) and the next tick takes it over. */
  state: "idle" | "running" | "stalled";
  lockedBy: string | null;
  lastStartedAtMs: number | null;
  lastFinishedAtMs: number | null;
  lastStatus: "ok" | "failed" | null;
  lastSummary: string | null;
  runs: number;
  failures: number;
}

type JobRow = Awaited<ReturnType<typeof loadJobRows>>[number];

/** Every job of the shared schedule with its last run and next run: the operator's view. */
export async function listScheduledJobs(db: Db, actor: Actor, options: { clock?: () => number } = {}): Promise<ScheduledJobDto[]> {
  assertAllowed(canSeeScheduledJobs(actor), "Only the platform operator sees the scheduled jobs.");
  const nowMs = (options.clock ?? Date.now)();
  const rows = new Map((await loadJobRows(db)).map((row) => [row.name, row]));
  const unregistered = [...rows.values()].filter((row) => !JOBS.some((job) => job.name === row.name));
  return [
    ...JOBS.map((job) => toDto(rows.get(job.name), job.name, job.description, job.intervalMs, nowMs)),
    ...unregistered.map((row) => toDto(row, row.name, null, row.intervalMs, nowMs)),
  ];
}

function toDto(row: JobRow | undefined, name: string, description: string | null, intervalMs: number, nowMs: number): ScheduledJobDto {
  const lockedUntilMs = row?.lockedUntilMs ?? null;
  return {
    name,
    description,
    // The interval in effect is the row's: the last instance to start wrote it from its code.
    intervalMs: row?.intervalMs ?? intervalMs,
    nextRunAtMs: row?.nextRunAtMs ?? null,
    state: lockedUntilMs === null ? "idle" : lockedUntilMs >= nowMs ? "running" : "stalled",
    lockedBy: row?.lockedBy ?? null,
    lastStartedAtMs: row?.lastStartedAtMs ?? null,
    lastFinishedAtMs: row?.lastFinishedAtMs ?? null,
    lastStatus: (row?.lastStatus ?? null) as ScheduledJobDto["lastStatus"],
    lastSummary: row?.lastSummary ?? null,
    runs: row?.runs ?? 0,
    failures: row?.failures ?? 0,
  };
}
