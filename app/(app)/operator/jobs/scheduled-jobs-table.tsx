"use client";

import { useQuery } from "@tanstack/react-query";
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
        {rows.length > 0 ? (
          <div className="-mx-5 overflow-x-auto">
            <table className="min-w-full text-sm">
              <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
                <tr>
                  <th className="px-5 py-2 font-medium">Job</th>
                  <th className="px-5 py-2 font-medium">Status</th>
                  <th className="px-5 py-2 font-medium">Last run</th>
                  <th className="px-5 py-2 font-medium">Next run</th>
                  <th className="whitespace-nowrap px-5 py-2 text-right font-medium">Runs / failed</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {rows.map((job) => {
                  const status = statusOf(job);
                  return (
                    <tr key={job.name} data-testid={`job-${job.name}`} className="align-top">
                      <td className="px-5 py-3">
                        <div className="font-mono text-xs font-medium text-slate-900">{job.name}</div>
                        <div className="mt-0.5 max-w-sm text-xs text-slate-500">{job.description ?? "Not registered by this version of the app."}</div>
                        <div className="mt-0.5 text-xs text-slate-400">{every(job.intervalMs)}</div>
                      </td>
                      <td className="px-5 py-3">
                        <Badge tone={status.tone}>{status.label}</Badge>
                        {job.lockedBy ? <div className="mt-1 font-mono text-xs text-slate-400">{job.lockedBy}</div> : null}
                      </td>
                      <td className="px-5 py-3 text-slate-600">
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
                      </td>
                      <td className="whitespace-nowrap px-5 py-3 text-slate-600">{job.nextRunAtMs === null ? "when an instance starts" : at(job.nextRunAtMs)}</td>
                      <td className="whitespace-nowrap px-5 py-3 text-right tabular-nums text-slate-700">
                        {job.runs} / <span className={job.failures > 0 ? "text-rose-700" : undefined}>{job.failures}</span>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        ) : null}
      </div>
    </Card>
  );
}
