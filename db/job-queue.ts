import { sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";

/** A database or a transaction (client.ts's DbOrTx, named by what is used here: client.ts imports this file). */
type Executor = Pick<PgDatabase<PgQueryResultHKT>, "execute">;

/*
 * The PostgreSQL job queue: graphile-worker (https://worker.graphile.org), in its own schema
 * `graphile_worker` of the app's database. Its tables are installed and upgraded by graphile's
 * own migrations, run next to ours (Database.migrate in client.ts), not written into
 * db/migrations: they belong to the library's version, which checks them at every start.
 *
 * Jobs are added with graphile's SQL function add_job, on the caller's connection and in the
 * caller's transaction: a job exists exactly when the rows it is about were committed, so none
 * is lost to a crash after the commit and none runs for a write that rolled back. The runner
 * that works them (server/jobs/webhook-worker.ts) is started by the runtime on PostgreSQL only;
 * PGlite has no queue (its schedule carries the work, server/jobs/scheduler.ts).
 */

export const JOB_QUEUE_SCHEMA = "graphile_worker";

/** The task that sends one webhook delivery (one attempt). */
export const WEBHOOK_DELIVERY_TASK = "webhook-delivery";

/** A delivery's job key: at most one job waits per delivery, and adding one again replaces it. */
export const webhookDeliveryJobKey = (deliveryId: string) => `${WEBHOOK_DELIVERY_TASK}:${deliveryId}`;

/**
 * Times graphile-worker retries a job whose handler threw (the database away mid-run, not a
 * receiver's refusal: that is recorded and scheduled as a new job). Its own backoff is
 * exp(min(attempt, 10)) seconds, so five attempts span about two and a half minutes.
 */
export const JOB_MAX_ATTEMPTS = 5;

/** Whether webhook deliveries (and any later queued work) run on the job queue: on PostgreSQL, which is when DATABASE_URL is set. */
export function usesJobQueue(): boolean {
  return Boolean(process.env.DATABASE_URL);
}

/** Installs or upgrades graphile-worker's schema (idempotent; concurrent instances wait for each other). */
export async function migrateJobQueue(connectionString: string): Promise<void> {
  const { runMigrations, Logger } = await import("graphile-worker");
  await runMigrations({ connectionString, schema: JOB_QUEUE_SCHEMA, logger: quietLogger(Logger) });
}

/** Adds one delivery job per row, each due at its own time (null: at once), in the transaction of `db`. */
export async function enqueueWebhookDeliveries(db: Executor, deliveries: readonly { id: string; runAtMs: number | null }[]): Promise<void> {
  if (deliveries.length === 0) return;
  const rows = JSON.stringify(deliveries.map((d) => ({ id: d.id, run_at_ms: d.runAtMs })));
  await db.execute(sql`
    select ${sql.raw(JOB_QUEUE_SCHEMA)}.add_job(
      identifier => ${WEBHOOK_DELIVERY_TASK}::text,
      payload => json_build_object('deliveryId', d.id),
      run_at => coalesce(to_timestamp(d.run_at_ms / 1000.0), now()),
      max_attempts => ${JOB_MAX_ATTEMPTS}::int,
      job_key => ${`${WEBHOOK_DELIVERY_TASK}:`}::text || d.id
    )
    from json_to_recordset(${rows}::json) as d(id text, run_at_ms bigint)`);
}

type LoggerClass = typeof import("graphile-worker").Logger;

/** graphile-worker's messages: warnings and errors only, on the console. */
export function quietLogger(Logger: LoggerClass) {
  return new Logger(() => (level, message) => {
    if (level === "error") console.error(`[queue] ${message}`);
    else if (level === "warning") console.warn(`[queue] ${message}`);
  });
}
