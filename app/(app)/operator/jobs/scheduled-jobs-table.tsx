"use client";

import { useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/trpc/root";
import { DataTable, type Column } from "../../../_components/data-table";
import { Alert, Badge, Card, EmptyState } from "../../../_components/ui";
import { errorMessage } from "../../../_lib/errors";
import { useTRPC } from "../../../_trpc/client";

type Tone = "slate" | "green" | "amber" | "red" | "blue";

function every(intervalMs: number): string {
  if (intervalMs % 3_600_000 === 0) return `every ${intervalMs / 3_600_000} h`;
  if (intervalMs % 60_000 === 0) return `every ${intervalMs / 60_000} min`;
  return `every ${Math.round(intervalMs / 1000)} s`;
}

/** To the second: a job running every minute needs it. */
function at(ms: number): string {
  return `${new Date(ms).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" })} UTC`;
}

function took(startedAtMs: number, finishedAtMs: number): string {
  const ms = finishedAtMs - startedAtMs;
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function statusOf(job: { state: "idle" | "running" | "stalled"; lastStatus: "ok" | "failed" | null }): { tone: Tone; label: string } {
  if (job.state === "running") return { tone: "blue", label: "running" };
  if (job.state === "stalled") return { tone: "amber", label: "lease ran out: waiting for another instance" };
  if (job.lastStatus === "failed") return { tone: "red", label: "failed" };
  if (job.lastStatus === "ok") return { tone: "green", label: "ok" };
  return { tone: "slate", label: "not run yet" };
}

type Job = inferRouterOutputs<AppRouter>["jobs"]["list"][number];

const COLUMNS: Column<Job>[] = [
  {
    header: "Job",
    cell: (job) => (
      <>
        <div className="font-mono text-xs font-medium text-slate-900">{job.name}</div>
        <div className="mt-0.5 max-w-sm text-xs text-slate-500">{job.description ?? "Not registered by this version of the app."}</div>
        <div className="mt-0.5 text-xs text-slate-400">{every(job.intervalMs)}</div>
      </>
    ),
  },
  {
    header: "Status",
    cell: (job) => {
      const status = statusOf(job);
      return (
        <>
          <Badge tone={status.tone}>{status.label}</Badge>
          {job.lockedBy ? <div className="mt-1 font-mono text-xs text-slate-400">{job.lockedBy}</div> : null}
        </>
      );
    },
  },
  {
    header: "Last run",
    className: "text-slate-600",
    cell: (job) => (
      <>
        {job.lastStartedAtMs === null ? (
          "—"
        ) : (
          <>
            <div className="whitespace-nowrap">{at(job.lastStartedAtMs)}</div>
            {job.lastFinishedAtMs !== null && job.lastFinishedAtMs >= job.lastStartedAtMs ? (
              <div className="text-xs text-slate-400">took {took(job.lastStartedAtMs, job.lastFinishedAtMs)}</div>
            ) : null}
          </>
        )}
        {job.lastSummary ? <div className={`mt-1 max-w-md text-xs ${job.lastStatus === "failed" ? "text-rose-700" : "text-slate-700"}`}>{job.lastSummary}</div> : null}
      </>
    ),
  },
  { header: "Next run", className: "whitespace-nowrap text-slate-600", cell: (job) => (job.nextRunAtMs === null ? "when an instance starts" : at(job.nextRunAtMs)) },
  {
    header: "Runs / failed",
    align: "right",
    className: "whitespace-nowrap text-slate-700",
    cell: (job) => (
      <>
        {job.runs} / <span className={job.failures > 0 ? "text-rose-700" : undefined}>{job.failures}</span>
      </>
    ),
  },
];

/** Each job's last run, outcome and next run; refreshed every 15 seconds. */
export function ScheduledJobsTable() {
  const trpc = useTRPC();
  const jobs = useQuery({ ...trpc.jobs.list.queryOptions(), refetchInterval: 15_000 });
  const rows = jobs.data ?? [];

  return (
    <Card title="Jobs">
      <div className="space-y-4">
        {jobs.error ? <Alert>{errorMessage(jobs.error)}</Alert> : null}
        {jobs.isPending ? <p className="text-sm text-slate-500">Loading jobs…</p> : null}
        {jobs.data && rows.length === 0 ? <EmptyState title="No jobs">This version of the app registers no background jobs.</EmptyState> : null}
        {rows.length > 0 ? <DataTable columns={COLUMNS} rows={rows} rowKey={(job) => job.name} rowTestId={(job) => `job-${job.name}`} caption="Scheduled jobs" stack /> : null}
      </div>
    </Card>
  );
}
