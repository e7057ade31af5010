import { sql } from "drizzle-orm";
import { bigint, check, integer, pgTable, text } from "drizzle-orm/pg-core";

const ms = (name: string) => bigint(name, { mode: "number" });

/**
 * Scheduled jobs, kept in PostgreSQL so that every app instance shares one schedule: an
 * instance takes a due job by leasing its row (locked_until_ms), runs it, and records the
 * outcome and the next run. A crashed instance's lease simply runs out.
 */
export const scheduledJobs = pgTable(
  "scheduled_jobs",
  {
    name: text("name").primaryKey(),
    intervalMs: ms("interval_ms").notNull(),
    nextRunAtMs: ms("next_run_at_ms").notNull(),
    lockedBy: text("locked_by"),
    lockedUntilMs: ms("locked_until_ms"),
    lastStartedAtMs: ms("last_started_at_ms"),
    lastFinishedAtMs: ms("last_finished_at_ms"),
    lastStatus: text("last_status"),
    lastSummary: text("last_summary"),
    runs: integer("runs").notNull().default(0),
    failures: integer("failures").notNull().default(0),
  },
  (t) => [
    check("scheduled_jobs_interval_positive", sql`${t.intervalMs} > 0`),
    check("scheduled_jobs_last_status_check", sql`${t.lastStatus} is null or ${t.lastStatus} in ('ok','failed')`),
    check("scheduled_jobs_lock_pair", sql`(${t.lockedBy} is null) = (${t.lockedUntilMs} is null)`),
  ],
);
