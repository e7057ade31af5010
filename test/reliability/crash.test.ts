import { describe, expect, it } from "vitest";
import { runCrashTest } from "@/scripts/crash-test";
import { SERVER_SECRET } from "@/scripts/app-server";
import { DEMO_PASSWORD } from "@/server/seed/demo-data";
import { addFigures } from "./figures";

/*
 * scripts/crash-test.ts: `next start` under load, SIGKILLed at random moments and
 * restarted (RELIABILITY_CRASHES times, 10 by default), with the bank's webhook receiver
 * listening to the pledges and releases; see the script for what is checked.
 */
const CRASHES = Number(process.env.RELIABILITY_CRASHES ?? 10);

describe("crashes", () => {
  it(`${CRASHES} SIGKILLs under load: every acknowledged transaction survives, once, verify passes, and each acknowledged pledge and release arrives as one verified webhook`, async ({ task }) => {
    const report = await runCrashTest({ serverUrl: process.env.DATABASE_URL!, crashes: CRASHES, log: (line) => console.log(`[crash] ${line}`) });
    addFigures(task, {
      crashesInjected: report.crashesInjected,
      crashSubmissions: report.submissions,
      acknowledged: report.acknowledged,
      inFlightAtCrash: report.inFlightAtKill,
      committedButUnanswered: report.committedButUnanswered,
      retriedDuplicates: report.retriedDuplicates,
      transactionsChecked: report.transactionsChecked,
      webhooksExpected: report.webhooksExpected,
      webhooksReceived: report.webhooksReceived,
      webhooksResentAfterKill: report.webhooksResent,
    });
    expect(report.failures).toEqual([]);
    expect(report.crashesInjected).toBe(CRASHES);
    expect(report.acknowledged).toBeGreaterThan(CRASHES);
    expect(report.retriedDuplicates).toBe(report.acknowledged);
    expect(report.webhooksExpected).toBeGreaterThan(0);
    expect(report.webhooksReceived).toBeGreaterThanOrEqual(report.webhooksExpected);
    // The server's own log through all of it: no passwords, no session secret.
    expect(report.output).not.toContain(DEMO_PASSWORD);
    expect(report.output).not.toContain(SERVER_SECRET);
    expect(report.output).not.toMatch(/\[trpc\] internal error/);
  }, 900_000);
});
