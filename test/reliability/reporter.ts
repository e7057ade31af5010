import type { Reporter, TestModule } from "vitest/node";

/*
 * Prints what the reliability run did, from the figures each test records in its task
 * meta (see figures.ts), and ends with the one line CI and the README quote:
 * "N passed, N failed".
 */

type Figures = Record<string, number>;

const LABELS: Record<string, string> = {
  requestsRaced: "requests raced",
  raceAccepted: "  of which accepted",
  raceRefused: "  of which refused with a result code",
  raceDuplicates: "  of which the same transaction again (answered duplicate)",
  parallelIndependent: "independent submissions in parallel",
  crashesInjected: "crashes injected (SIGKILL)",
  crashSubmissions: "signed submissions sent under crash load",
  acknowledged: "transactions acknowledged before a crash",
  inFlightAtCrash: "submissions in flight at a kill",
  committedButUnanswered: "  of which committed before the kill (answer lost, retried)",
  retriedDuplicates: "retries answered duplicate: true",
  attackCells: "attack matrix cells (procedure x role)",
  tamperedRefused: "forged, replayed or tampered transactions refused",
  operatorAttacksRefused: "a malicious operator's transactions refused (keys, claims, network)",
  makerCheckerAttacksRefused: "maker-checker and key-role attacks refused (own approval, revoked key, other organisation, no approver)",
  inputsTried: "fuzzed inputs tried",
  webChecks: "HTTP hardening checks",
  dbCrashes: "PostgreSQL crashed under load (pg_ctl -m immediate stop)",
  dbCrashAcknowledged: "  transactions acknowledged",
  dbCrashFound: "  of which found in the log",
  dbCrash503: "  answers during the outages: 503 with Retry-After",
  dbCrashLongestAnswerMs: "  longest answer during an outage (ms)",
  dbCrashRecoverMs: "  last failure after PostgreSQL was back (ms)",
  startedDownFirstAnswerMs: "app started with PostgreSQL down: first answer, 503 (ms)",
  startedDownRecoverMs: "  served after PostgreSQL came up (ms)",
  startedDownSchedulerMs: "  jobs ran after PostgreSQL came up (ms)",
  exhaustionRequests: "requests of 100 clients, connection slots held full",
  exhaustion503: "  answered 503 while full",
  exhaustionLongestAnswerMs: "  longest answer while full (ms)",
  exhaustionRecoverMs: "  last failure after the slots were released (ms)",
  exhaustionAcknowledged: "  transactions acknowledged",
  exhaustionFound: "  of which found in the log",
  headLockReads: "reads while another session held the ledger head 20 s",
  headLockLongestReadMs: "  longest read (ms)",
  headLockLongestWriteMs: "  longest write (ms)",
  headLockWrites503: "  writes answered 503 (database_busy)",
  headLockRecoverMs: "  last failure after the release (ms)",
  headLockAcknowledged: "  transactions acknowledged",
  headLockFound: "  of which found in the log",
  firstRunKills: "embedded first run killed mid-run (then restarted)",
  firstRunTransactions: "  transactions in the completed demo (verified)",
  backupTransactionsRestored: "transactions restored from pg_dump and verified",
  transactionsChecked: "transactions re-checked by verifyDatabase (all runs)",
};

export default class ReliabilityReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const totals: Figures = {};
    let passed = 0;
    let failed = 0;
    for (const testModule of testModules) {
      for (const test of testModule.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") passed += 1;
        else if (state === "failed") failed += 1;
        const figures = (test.meta() as { figures?: Figures }).figures ?? {};
        for (const [key, value] of Object.entries(figures)) totals[key] = (totals[key] ?? 0) + value;
      }
      // A file that failed to load (or a failing hook) has no failed test but did fail.
      if (testModule.state() === "failed" && ![...testModule.children.allTests()].some((t) => t.result().state === "failed")) failed += 1;
    }
    const lines = ["", "--- Reliability figures"];
    const keys = [...Object.keys(LABELS).filter((k) => k in totals), ...Object.keys(totals).filter((k) => !(k in LABELS)).sort()];
    for (const key of keys) lines.push(`${(LABELS[key] ?? key).padEnd(62)} ${totals[key]}`);
    lines.push(`${passed} passed, ${failed} failed`);
    process.stdout.write(`${lines.join("\n")}\n`);
  }
}
