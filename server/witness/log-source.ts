/**
 * Reads the log's entries over HTTP from the app's entries endpoint:
 *
 *   GET <log url>/entries?start=A&end=B  ->  200 {"entries": [LogEntry, ...]}
 *
 * with the entries of leaf indexes [A, B) in order, in their wire form (amounts as decimal
 * strings), at most ENTRIES_PAGE_LIMIT per answer; the witness asks again from where an answer
 * stopped. Nothing an answer says is trusted: the witness replays the entries and compares
 * the roots with the signed checkpoint.
 *
 *   GET <log url>/checkpoint  ->  200 {"note": "<signed checkpoint note, cosignature lines>", ...}
 *
 * the log's latest checkpoint, which a following witness polls (404, or no note: none yet).
 */
import type { LogEntry } from "@/contracts/log";
import type { LogSource } from "./witness";

export const ENTRIES_PAGE_LIMIT = 1000;

export function httpLogSource(baseUrl: string, fetchImpl: typeof fetch = fetch): LogSource {
  const base = baseUrl.replace(/\/+$/, "");
  return {
    async entries(start, end) {
      const entries: LogEntry[] = [];
      while (start + entries.length < end) {
        const from = start + entries.length;
        const to = Math.min(end, from + ENTRIES_PAGE_LIMIT);
        const response = await fetchImpl(`${base}/entries?start=${from}&end=${to}`);
        if (!response.ok) throw new Error(`GET entries ${from}..${to} answered ${response.status}`);
        const page = ((await response.json()) as { entries?: unknown }).entries;
        if (!Array.isArray(page) || page.length === 0) throw new Error(`GET entries ${from}..${to} returned no entries`);
        entries.push(...(page.slice(0, to - from) as LogEntry[]));
      }
      return entries;
    },
    async latestCheckpoint() {
      const response = await fetchImpl(`${base}/checkpoint`);
      if (response.status === 404) return null;
      if (!response.ok) throw new Error(`GET checkpoint answered ${response.status}`);
      const note = ((await response.json()) as { note?: unknown }).note;
      return typeof note === "string" ? note : null;
    },
  };
}
