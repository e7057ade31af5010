"use client";

import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/trpc/root";
import { DataTable, type Column } from "../../../_components/data-table";
import { Alert, Badge, Card, EmptyState } from "../../../_components/ui";
import { Skeleton } from "../../../_components/status-page";
import { useErrorMessage } from "../../../_lib/errors";
import { useFormatters } from "../../../_lib/use-formatters";
import type { Formatters } from "../../../_lib/localized-format";
import { useTRPC } from "../../../_trpc/client";
import { BEIJING_OFFSET_MS } from "@/contracts/ledger/maturity";

type Tone = "slate" | "green" | "amber" | "red" | "blue";
type Translate = ReturnType<typeof useTranslations<"jobs">>;

function every(t: Translate, intervalMs: number): string {
  if (intervalMs % 3_600_000 === 0) return t("everyHours", { count: intervalMs / 3_600_000 });
  if (intervalMs % 60_000 === 0) return t("everyMinutes", { count: intervalMs / 60_000 });
  return t("everySeconds", { count: Math.round(intervalMs / 1000) });
}

/** To the second, in Beijing time (the platform's business clock): a job running every minute needs it. */
function at(t: Translate, format: Formatters, ms: number): string {
  return t("at", { date: format.day(ms), time: new Date(ms + BEIJING_OFFSET_MS).toISOString().slice(11, 19) });
}

function took(t: Translate, startedAtMs: number, finishedAtMs: number): string {
  const ms = finishedAtMs - startedAtMs;
  return ms < 1000 ? t("tookMs", { ms }) : t("tookSeconds", { seconds: (ms / 1000).toFixed(1) });
}

function statusOf(job: { state: "idle" | "running" | "stalled"; lastStatus: "ok" | "failed" | null }): { tone: Tone; key: "running" | "stalled" | "failed" | "ok" | "notRun" } {
  if (job.state === "running") return { tone: "blue", key: "running" };
  if (job.state === "stalled") return { tone: "amber", key: "stalled" };
  if (job.lastStatus === "failed") return { tone: "red", key: "failed" };
  if (job.lastStatus === "ok") return { tone: "green", key: "ok" };
  return { tone: "slate", key: "notRun" };
}

type Job = inferRouterOutputs<AppRouter>["jobs"]["list"][number];

function columnsFor(t: Translate, format: Formatters): Column<Job>[] {
  // A job this version knows is described in the reader's language; one it does not know keeps the server's words.
  const description = (job: Job) => (t.has(`descriptions.${job.name}`) ? t(`descriptions.${job.name}`) : (job.description ?? t("notRegistered")));
  return [
    {
      header: t("job"),
      cell: (job) => (
        <>
          <div className="font-mono text-xs font-medium text-slate-900">{job.name}</div>
          <div className="mt-0.5 max-w-sm text-xs text-slate-500">{description(job)}</div>
          <div className="mt-0.5 text-xs text-slate-400">{every(t, job.intervalMs)}</div>
        </>
      ),
    },
    {
      header: t("statusHeader"),
      cell: (job) => {
        const status = statusOf(job);
        return (
          <>
            <Badge tone={status.tone} wrap={status.key === "stalled"}>
              {t(`status.${status.key}`)}
            </Badge>
            {job.lockedBy ? <div className="mt-1 font-mono text-xs text-slate-400">{job.lockedBy}</div> : null}
          </>
        );
      },
    },
    {
      header: t("lastRun"),
      className: "text-slate-600",
      cell: (job) => (
        <>
          {job.lastStartedAtMs === null ? (
            "—"
          ) : (
            <>
              <div className="whitespace-nowrap">{at(t, format, job.lastStartedAtMs)}</div>
              {job.lastFinishedAtMs !== null && job.lastFinishedAtMs >= job.lastStartedAtMs ? (
                <div className="text-xs text-slate-400">{t("took", { duration: took(t, job.lastStartedAtMs, job.lastFinishedAtMs) })}</div>
              ) : null}
            </>
          )}
          {job.lastSummary ? <div className={`mt-1 max-w-md text-xs ${job.lastStatus === "failed" ? "text-rose-700" : "text-slate-700"}`}>{job.lastSummary}</div> : null}
        </>
      ),
    },
    { header: t("nextRun"), className: "whitespace-nowrap text-slate-600", cell: (job) => (job.nextRunAtMs === null ? t("whenStarts") : at(t, format, job.nextRunAtMs)) },
    {
      header: t("runsFailed"),
      align: "right",
      className: "whitespace-nowrap text-slate-700",
      cell: (job) => (
        <>
          {job.runs} / <span className={job.failures > 0 ? "text-rose-700" : undefined}>{job.failures}</span>
        </>
      ),
    },
  ];
}

/** Each job's last run, outcome and next run; refreshed every 15 seconds. */
export function ScheduledJobsTable() {
  const t = useTranslations("jobs");
  const errorMessage = useErrorMessage();
  const format = useFormatters();
  const trpc = useTRPC();
  const jobs = useQuery({ ...trpc.jobs.list.queryOptions(), refetchInterval: 15_000 });
  const rows = jobs.data ?? [];

  return (
    <Card title={t("card")}>
      <div className="space-y-4">
        {jobs.error ? <Alert>{errorMessage(jobs.error)}</Alert> : null}
        {jobs.isPending ? <Skeleton label={t("loading")} /> : null}
        {jobs.data && rows.length === 0 ? <EmptyState title={t("none")}>{t("noneBody")}</EmptyState> : null}
        {rows.length > 0 ? <DataTable columns={columnsFor(t, format)} rows={rows} rowKey={(job) => job.name} rowTestId={(job) => `job-${job.name}`} caption={t("caption")} stack /> : null}
      </div>
    </Card>
  );
}
