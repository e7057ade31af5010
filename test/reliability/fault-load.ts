/*
 * Steady load on the built app for the fault scenarios: writers submit signed issuances
 * (retrying the same signed bytes until the server answers, as a client should on 503),
 * readers load credit lines and the dashboard. Every answer is recorded with its start,
 * duration and status, so a scenario can say what happened during its fault window.
 */
import { inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { ledgerEntries } from "@/db/schema";
import { sleep } from "@/scripts/app-server";
import { addDays, buildSigned, freshDocuments, ids, nonce, toWire } from "./support";

export interface Sample {
  kind: "submit" | "read";
  startMs: number;
  endMs: number;
  /** HTTP status, or 0 when the request failed without an answer (connection refused or reset, our timeout). */
  status: number;
  retryAfter: string | null;
  domainCode: string | null;
  message: string | null;
}

export interface LoadOptions {
  baseUrl: string;
  /** Session cookies: the core enterprise signs issuances, the reader reads. */
  coreCookie: string;
  readerCookie: string;
  bankLineId: string;
  writers: number;
  readers: number;
  /** Pause between a reader's requests. */
  readPauseMs?: number;
}

export interface Load {
  samples: Sample[];
  acknowledged: string[];
  /** Answers that are neither success nor a retryable 503: each is a finding. */
  unexpected: string[];
  stop(): Promise<void>;
}

const REQUEST_TIMEOUT_MS = 60_000;

async function trpcQuery(baseUrl: string, procedure: string, cookie: string) {
  const res = await fetch(`${baseUrl}/api/trpc/${procedure}`, { headers: { cookie }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const body = (await res.json()) as { error?: { json?: { message: string; data: { domainCode: string | null } } } };
  return { status: res.status, retryAfter: res.headers.get("retry-after"), error: body.error?.json };
}

export function startLoad(options: LoadOptions): Load {
  const samples: Sample[] = [];
  const acknowledged: string[] = [];
  const unexpected: string[] = [];
  let running = true;

  async function writer(): Promise<void> {
    while (running) {
      const wire = toWire(
        buildSigned(
          ids.core,
          "claim.issue",
          { creditLineId: options.bankLineId, toOrgId: ids.tier1.orgId, amountMinor: 100n, currency: "CNY", maturityDate: addDays(Date.now(), 90), documents: freshDocuments() },
          { nonce: nonce(), createdAtMs: Date.now() },
        ),
      );
      // The same signed transaction until it is answered: submissions are idempotent.
      for (;;) {
        const startMs = Date.now();
        let sample: Sample;
        let txId: string | null = null;
        try {
          const res = await fetch(`${options.baseUrl}/api/trpc/ledger.submit`, {
            method: "POST",
            headers: { "content-type": "application/json", cookie: options.coreCookie },
            body: JSON.stringify({ json: wire }),
            signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
          });
          const body = (await res.json()) as { result?: { data?: { json?: { status: string; txId: string } } }; error?: { json?: { message: string; data: { domainCode: string | null } } } };
          const data = body.result?.data?.json;
          if (res.status === 200 && data?.status === "accepted") txId = data.txId;
          else if (res.status === 200) unexpected.push(`submit refused: ${JSON.stringify(data)}`);
          sample = { kind: "submit", startMs, endMs: Date.now(), status: res.status, retryAfter: res.headers.get("retry-after"), domainCode: body.error?.json?.data.domainCode ?? null, message: body.error?.json?.message ?? null };
        } catch {
          sample = { kind: "submit", startMs, endMs: Date.now(), status: 0, retryAfter: null, domainCode: null, message: null };
        }
        samples.push(sample);
        if (sample.status !== 0 && sample.status !== 200 && sample.status !== 503) unexpected.push(`submit answered ${sample.status}: ${sample.domainCode} ${sample.message}`);
        if (txId) {
          acknowledged.push(txId);
          break;
        }
        if (sample.status === 200) break;
        await sleep(200);
      }
    }
  }

  async function reader(index: number): Promise<void> {
    const procedures = ["ledger.creditLines", "ledger.dashboard"];
    for (let i = index; running; i++) {
      const startMs = Date.now();
      let sample: Sample;
      try {
        const answer = await trpcQuery(options.baseUrl, procedures[i % procedures.length]!, options.readerCookie);
        sample = { kind: "read", startMs, endMs: Date.now(), status: answer.status, retryAfter: answer.retryAfter, domainCode: answer.error?.data.domainCode ?? null, message: answer.error?.message ?? null };
      } catch {
        sample = { kind: "read", startMs, endMs: Date.now(), status: 0, retryAfter: null, domainCode: null, message: null };
      }
      samples.push(sample);
      if (sample.status !== 0 && sample.status !== 200 && sample.status !== 503) unexpected.push(`read answered ${sample.status}: ${sample.domainCode} ${sample.message}`);
      await sleep(sample.status === 200 ? (options.readPauseMs ?? 50) : 200);
    }
  }

  const lanes = [...Array.from({ length: options.writers }, () => writer()), ...Array.from({ length: options.readers }, (_, i) => reader(i))];
  return {
    samples,
    acknowledged,
    unexpected,
    stop: async () => {
      running = false;
      await Promise.all(lanes);
    },
  };
}

export interface FaultFigures {
  /** Requests started from the fault until the database was back. */
  duringFault: number;
  answered503: number;
  /** The longest time any request started during the fault took to be answered. */
  longestAnswerMs: number;
  /** From the database being back to the end of the last failed request started after it (0: none failed). */
  recoverMs: number;
  /** 503 answers without a Retry-After header. */
  withoutRetryAfter: number;
}

/**
 * What the samples say about one fault: [faultStartMs, backMs) the database was away (or
 * held); recovery is judged on the requests started from backMs and answered before untilMs
 * (the next fault).
 */
export function faultFigures(
  samples: readonly Sample[],
  faultStartMs: number,
  backMs: number,
  kinds: Sample["kind"][] = ["submit", "read"],
  untilMs = Number.POSITIVE_INFINITY,
): FaultFigures {
  const relevant = samples.filter((s) => kinds.includes(s.kind));
  const during = relevant.filter((s) => s.startMs >= faultStartMs && s.startMs < backMs);
  // Requests cut off by the next fault are that fault's, not this one's.
  const failedAfter = relevant.filter((s) => s.startMs >= backMs && s.endMs < untilMs && s.status !== 200);
  return {
    duringFault: during.length,
    answered503: during.filter((s) => s.status === 503).length,
    longestAnswerMs: Math.max(0, ...during.map((s) => s.endMs - s.startMs)),
    recoverMs: Math.max(0, ...failedAfter.map((s) => s.endMs - backMs)),
    withoutRetryAfter: relevant.filter((s) => s.status === 503 && !s.retryAfter).length,
  };
}

/** How many of the acknowledged transactions are in the log (each must be). */
export async function countFound(db: Db, txIds: readonly string[]): Promise<number> {
  let found = 0;
  for (let i = 0; i < txIds.length; i += 500) {
    const rows = await db.select({ txId: ledgerEntries.txId }).from(ledgerEntries).where(inArray(ledgerEntries.txId, txIds.slice(i, i + 500)));
    found += new Set(rows.map((row) => row.txId)).size;
  }
  return found;
}

/** A few lines on the slowest and the failed answers around a fault, for the log of a failing run. */
export function describeSamples(samples: readonly Sample[], fromMs: number, toMs: number): string {
  const window = samples.filter((s) => s.startMs >= fromMs && s.startMs < toMs);
  const line = (s: Sample) => `${s.kind} +${s.startMs - fromMs}ms ${s.endMs - s.startMs}ms ${s.status} ${s.domainCode ?? ""}`;
  const slowest = [...window].sort((a, b) => b.endMs - b.startMs - (a.endMs - a.startMs)).slice(0, 5);
  const failed = window.filter((s) => s.status !== 200).slice(-5);
  return `slowest: ${slowest.map(line).join("; ")} | last failed: ${failed.map(line).join("; ")}`;
}
