import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { scheduledJobs } from "@/db/schema";
import { createScheduler, defineJob, finishRun, leaseJob, type JobDefinition, type RunResult } from "@/server/jobs/scheduler";
import type { Actor } from "@/server/actor";
import { DomainError } from "@/server/errors";
import { listScheduledJobs } from "@/server/jobs/overview";
import { createTestDatabase } from "../helpers/db";

/*
 * The schedule kept in PostgreSQL, on a real database (PGlite, or the server named by
 * DATABASE_URL) with a frozen clock: several instances ticking at once, a crashed
 * instance's lease, a failing job, a run requested while another is in progress.
 */

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.close());

const START_MS = Date.parse("2027-03-01T08:00:00Z");
const INTERVAL_MS = 60_000;
const LEASE_MS = 30_000;
let nowMs = START_MS;
const clock = () => nowMs;
const lines: string[] = [];
const quiet = { info: (line: string) => void lines.push(line), error: (line: string) => void lines.push(line) };

/** A job that counts its runs and takes a little real time, so that concurrent ticks overlap. */
function countingJob(name: string, behaviour: (run: number) => string = (run) => `run ${run}`) {
  const calls = { count: 0 };
  const job = defineJob({
    name,
    description: "test job",
    intervalMs: INTERVAL_MS,
    leaseMs: LEASE_MS,
    run: async (_db, ctx) => {
      calls.count += 1;
      expect(ctx.clock()).toBe(nowMs);
      await new Promise((resolve) => setTimeout(resolve, 15));
      return behaviour(calls.count);
    },
  });
  return { job, calls };
}

const schedulerOf = (instanceId: string, jobs: JobDefinition[]) => createScheduler(database.db, jobs, { instanceId, clock, log: quiet });

async function rowOf(name: string) {
  const [row] = await database.db.select().from(scheduledJobs).where(eq(scheduledJobs.name, name));
  if (!row) throw new Error(`no row for ${name}`);
  return row;
}

const ran = (results: RunResult[][]) => results.flat().filter((r) => r.status !== "busy");

describe("the schedule in PostgreSQL", () => {
  it("instances ticking at the same moment run a due job exactly once, and again only at the next interval", async () => {
    nowMs = START_MS;
    const { job, calls } = countingJob("probe-concurrent");
    const instances = ["a", "b", "c", "d", "e", "f"].map((id) => schedulerOf(`instance-${id}`, [job]));
    await Promise.all(instances.map((s) => s.register()));
    for (let round = 1; round <= 4; round += 1) {
      const results = await Promise.all(instances.map((s) => s.tick()));
      expect(ran(results)).toHaveLength(1);
      expect(calls.count).toBe(round);
      // Not yet due: nobody runs it.
      nowMs += INTERVAL_MS - 1;
      expect(ran(await Promise.all(instances.map((s) => s.tick())))).toHaveLength(0);
      nowMs += 1;
    }
    const row = await rowOf(job.name);
    expect(row).toMatchObject({ runs: 4, failures: 0, lastStatus: "ok", lastSummary: "run 4", lockedBy: null, lockedUntilMs: null, nextRunAtMs: nowMs });
  });

  it("a crashed instance's lease runs out and another instance takes the job over", async () => {
    nowMs = START_MS;
    const { job, calls } = countingJob("probe-takeover");
    const survivor = schedulerOf("survivor", [job]);
    await survivor.register();
    // The crashed instance leased the job, then died before recording anything.
    const crashed = await leaseJob(database.db, job, "crashed", nowMs, "due");
    expect(crashed).not.toBeNull();

    nowMs += LEASE_MS; // the lease still holds at its last millisecond
    expect(await survivor.tick()).toEqual([]);
    expect(await survivor.runNow(job.name)).toEqual({ name: job.name, status: "busy" });
    expect(calls.count).toBe(0);

    nowMs += 1;
    const [result] = await survivor.tick();
    expect(result).toMatchObject({ name: job.name, status: "ok", tookOver: true, recorded: true });
    expect(calls.count).toBe(1);
    const row = await rowOf(job.name);
    // The abandoned run counts as a failed run.
    expect(row).toMatchObject({ runs: 2, failures: 1, lastStatus: "ok", lastSummary: "run 1", lockedBy: null });
    expect(lines.some((line) => line.includes("probe-takeover") && line.includes("took the job over"))).toBe(true);

    // The crashed instance coming back to record its run finds the job taken over.
    expect(await finishRun(database.db, crashed!, { status: "ok", summary: "late", finishedAtMs: nowMs })).toBe(false);
    expect(await rowOf(job.name)).toEqual(row);
  });

  it("while a lease is taken over, the row says that the previous run was abandoned", async () => {
    nowMs = START_MS;
    const { job } = countingJob("probe-abandoned");
    await schedulerOf("x", [job]).register();
    await leaseJob(database.db, job, "gone-instance", nowMs, "due");
    nowMs += LEASE_MS + 1;
    const lease = await leaseJob(database.db, job, "heir", nowMs, "due");
    expect(lease).toMatchObject({ instanceId: "heir", tookOver: true, lockedUntilMs: nowMs + LEASE_MS });
    const row = await rowOf(job.name);
    expect(row).toMatchObject({ lockedBy: "heir", lastStatus: "failed", runs: 1, failures: 1, lastFinishedAtMs: nowMs });
    expect(row.lastSummary).toContain("gone-instance did not finish within its lease");
  });

  it("a failing job records failed with the error message, releases the lease and is retried at the next interval", async () => {
    nowMs = START_MS;
    const { job, calls } = countingJob("probe-failing", (run) => {
      if (run === 1) throw new Error("The bank's payment API answered 503");
      return "recovered";
    });
    const told: string[] = [];
    const scheduler = createScheduler(database.db, [job], { instanceId: "only", clock, log: quiet, onRun: (run) => told.push(`${run.name} ${run.status}`) });
    const [failed] = await scheduler.tick();
    expect(failed).toMatchObject({ status: "failed", summary: "The bank's payment API answered 503", recorded: true });
    expect(await rowOf(job.name)).toMatchObject({
      lastStatus: "failed",
      lastSummary: "The bank's payment API answered 503",
      runs: 1,
      failures: 1,
      lockedBy: null,
      lockedUntilMs: null,
      lastStartedAtMs: START_MS,
      lastFinishedAtMs: START_MS,
      nextRunAtMs: START_MS + INTERVAL_MS,
    });
    expect(lines).toContain("[jobs] probe-failing failed: The bank's payment API answered 503");

    nowMs = START_MS + INTERVAL_MS - 1;
    expect(await scheduler.tick()).toEqual([]);
    nowMs += 1;
    const [retried] = await scheduler.tick();
    expect(retried).toMatchObject({ status: "ok", summary: "recovered" });
    expect(calls.count).toBe(2);
    expect(await rowOf(job.name)).toMatchObject({ lastStatus: "ok", lastSummary: "recovered", runs: 2, failures: 1 });
    // What the runtime's job metrics count (instrumentation.ts): one report per run, with its status.
    expect(told).toEqual(["probe-failing failed", "probe-failing ok"]);
  });

  it("a failed query is recorded with the database's message, never with the values it ran with", async () => {
    nowMs = START_MS;
    const job = defineJob({
      name: "probe-sql",
      description: "test job",
      intervalMs: INTERVAL_MS,
      run: async (db) => {
        await db.execute(sql`select 1 / 0 where ${"a-secret-value"}::text <> ''`);
        return "unreachable";
      },
    });
    const [result] = await schedulerOf("sql", [job]).tick();
    expect(result).toMatchObject({ status: "failed" });
    const { lastSummary } = await rowOf(job.name);
    expect(lastSummary).toMatch(/division by zero/);
    expect(lastSummary).not.toContain("a-secret-value");
  });

  it("runNow runs a job that is not due, and a run requested during another instance's run happens right after it", async () => {
    nowMs = START_MS;
    const { job, calls } = countingJob("probe-kick");
    const app = schedulerOf("app", [job]);
    await app.tick();
    expect(calls.count).toBe(1);

    nowMs += 1_000; // next run is 59 s away
    expect(await app.runNow(job.name)).toMatchObject({ status: "ok", summary: "run 2" });
    expect(await rowOf(job.name)).toMatchObject({ runs: 2, nextRunAtMs: nowMs + INTERVAL_MS });

    // Another instance is running the job when the kick arrives: nothing runs twice at once...
    nowMs += 1_000;
    const other = await leaseJob(database.db, job, "other", nowMs, "now");
    expect(await app.runNow(job.name)).toEqual({ name: job.name, status: "busy" });
    expect(calls.count).toBe(2);
    // ...and once that run ends, the next tick runs the job for the kick.
    nowMs += 500;
    expect(await finishRun(database.db, other!, { status: "ok", summary: "other's run", finishedAtMs: nowMs })).toBe(true);
    expect(await app.tick()).toMatchObject([{ status: "ok", summary: "run 3" }]);
    expect(await rowOf(job.name)).toMatchObject({ runs: 4, failures: 0, nextRunAtMs: nowMs + INTERVAL_MS });
    await expect(app.runNow("no-such-job")).rejects.toThrow(/no job named/);
  });

  it("registering keeps the history and takes the interval from the code", async () => {
    nowMs = START_MS;
    const { job } = countingJob("probe-interval");
    await schedulerOf("first", [job]).tick();
    const shorter = { ...job, intervalMs: 10_000 };
    await schedulerOf("second", [shorter]).register();
    expect(await rowOf(job.name)).toMatchObject({ intervalMs: 10_000, nextRunAtMs: START_MS + 10_000, runs: 1 });
    expect(() => defineJob({ ...job, intervalMs: 0 })).toThrow(/intervalMs/);
    expect(() => createScheduler(database.db, [job, job])).toThrow(/share a name/);
  });

  it("the operator's view lists the registered jobs and every row, with running and stalled leases", async () => {
    nowMs = START_MS;
    const { job } = countingJob("probe-view");
    await schedulerOf("viewer", [job]).register();
    await leaseJob(database.db, job, "busy-instance", nowMs, "due");
    const operator: Actor = { userId: "u", email: "op@x.cn", name: "Op", permission: "viewer", orgId: "org_operator", orgName: "Ops", orgRole: "operator", orgStatus: "approved" };

    const view = await listScheduledJobs(database.db, operator, { clock });
    // The app's own overdue job is listed before any instance registered it.
    expect(view[0]).toMatchObject({ name: "overdue", nextRunAtMs: null, runs: 0, lastStatus: null, state: "idle" });
    expect(view[0]?.description).toMatch(/overdue/);
    expect(view.find((j) => j.name === "probe-view")).toMatchObject({ description: null, state: "running", lockedBy: "busy-instance", intervalMs: INTERVAL_MS });
    expect(view.find((j) => j.name === "probe-failing")).toMatchObject({ lastStatus: "ok", failures: 1, state: "idle" });
    nowMs += LEASE_MS + 1;
    expect((await listScheduledJobs(database.db, operator, { clock })).find((j) => j.name === "probe-view")?.state).toBe("stalled");

    await expect(listScheduledJobs(database.db, { ...operator, orgRole: "auditor" })).rejects.toBeInstanceOf(DomainError);
  });
});
