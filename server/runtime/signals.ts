import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { pino, type DestinationStream, type Logger } from "pino";
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { describeInternalError } from "../errors";

/*
 * What a process tells its operators: Prometheus metrics (prom-client) in a registry of the
 * runtime's own, and structured JSON log lines (pino) that carry the id of the request they
 * were written for. Both live in the runtime, so two runtimes (tests) never mix their counts.
 */

export interface RequestScope {
  readonly requestId: string;
}

export interface Signals {
  readonly registry: Registry;
  readonly logger: Logger;
  readonly metrics: {
    /** tRPC procedure calls by procedure and outcome (ok or the tRPC error code). */
    readonly requests: Counter<"procedure" | "outcome">;
    readonly requestSeconds: Histogram<"procedure">;
    /** Signed transactions through the group commit, by result (accepted, refused, failed). */
    readonly ledgerTransactions: Counter<"result">;
    /** One block: its statements and commit under the head lock, from the group's start. */
    readonly blockSeconds: Histogram;
    /** Submissions committed together in one block. */
    readonly groupSize: Histogram;
    /** Scheduled job runs by job and status (ok, failed). */
    readonly jobRuns: Counter<"job" | "status">;
  };
  /** The request being served: set by the HTTP entry, read by every log line below it. */
  readonly scope: AsyncLocalStorage<RequestScope>;
  currentRequestId(): string | undefined;
}

export interface SignalsOptions {
  /** Where log lines go (tests collect them); stdout by default. */
  logDestination?: DestinationStream;
  /** pino level; LOG_LEVEL, else warn (the app's runtime passes info: server/runtime/process.ts). */
  logLevel?: string;
  /** Process metrics (CPU, memory, event loop lag) too; on in the app, off in tests. */
  processMetrics?: boolean;
}

/**
 * Keys whose values never reach a log line: credentials, session material, keys, and SQL
 * parameters (a database error's `parameters`/`params` hold what a user typed).
 */
export const REDACTED_KEYS = ["password", "passphrase", "secret", "token", "cookie", "authorization", "privateKey", "parameters", "params", "query"] as const;

const REDACT_PATHS = REDACTED_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

export function createSignals(options: SignalsOptions = {}): Signals {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  const scope = new AsyncLocalStorage<RequestScope>();
  const logger = pino(
    {
      level: options.logLevel ?? process.env.LOG_LEVEL ?? "warn",
      base: { pid: process.pid },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      // An error is logged as its message chain only (server/errors.ts): never a query's text or parameters.
      serializers: { err: (error: unknown) => ({ message: describeInternalError(error) }) },
      mixin: () => {
        const current = scope.getStore();
        return current ? { requestId: current.requestId } : {};
      },
    },
    options.logDestination,
  );
  const seconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
  return {
    registry,
    logger,
    scope,
    currentRequestId: () => scope.getStore()?.requestId,
    metrics: {
      requests: new Counter({ name: "dc_trpc_requests_total", help: "tRPC procedure calls by procedure and outcome", labelNames: ["procedure", "outcome"], registers: [registry] }),
      requestSeconds: new Histogram({ name: "dc_trpc_request_duration_seconds", help: "tRPC procedure latency", labelNames: ["procedure"], buckets: seconds, registers: [registry] }),
      ledgerTransactions: new Counter({ name: "dc_ledger_transactions_total", help: "Signed transactions through the group commit by result", labelNames: ["result"], registers: [registry] }),
      blockSeconds: new Histogram({ name: "dc_ledger_block_duration_seconds", help: "Time to commit one block of grouped submissions", buckets: seconds, registers: [registry] }),
      groupSize: new Histogram({ name: "dc_ledger_group_size", help: "Submissions committed together in one block", buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256], registers: [registry] }),
      jobRuns: new Counter({ name: "dc_job_runs_total", help: "Scheduled job runs by job and status", labelNames: ["job", "status"], registers: [registry] }),
    },
  };
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** The request id from the balancer's X-Request-Id when it is well-formed (it goes into log lines), else a fresh one. */
export function requestIdFrom(headers: Pick<Headers, "get">): string {
  const given = headers.get("x-request-id");
  return given !== null && REQUEST_ID.test(given) ? given : randomUUID();
}
