import { setTimeout as sleep } from "node:timers/promises";
import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { financings } from "@/db/schema";
import type { Committed, FollowUp, PostCommitHook } from "../ledger/hooks";
import { runJobNow } from "./registry";

/*
 * The engine's post-commit hooks that start jobs (server/ledger/hooks.ts says what a hook is).
 * API submissions run these (the ledger router passes them); the seed, the jobs' own
 * submissions and direct engine calls run none.
 */

/** How long an application's answer waits for its disbursement before leaving it to the schedule. */
const PROMPT_DISBURSEMENT_MS = 3_000;
/** Pause between kicks while another run of the job holds the lease. */
const BUSY_RETRY_MS = 20;

const autoApproved = (committed: Committed) => committed.events.flatMap((event) => (event.type === "financing.autoApproved" ? [event.financingId] : []));

async function stillAccepted(db: Db, financingIds: readonly string[]): Promise<number> {
  const rows = await db
    .select({ id: financings.id })
    .from(financings)
    .where(and(inArray(financings.id, [...financingIds]), eq(financings.status, "accepted")));
  return rows.length;
}

/**
 * An application approved under a policy kicks the auto-disburse job at once, under the
 * schedule's lease (runJobNow), so that the holder's answer comes back with the money on its
 * way. While another run holds the lease (it may have looked before this commit), the kick is
 * repeated until that run ends, for at most PROMPT_DISBURSEMENT_MS; after that, or if the run
 * fails, the disbursement is left to the job's next scheduled run and the answer says so.
 */
export const kickAutoDisbursement: PostCommitHook = {
  name: "auto-disburse",
  concerns: (committed) => autoApproved(committed).length > 0,
  async run(db, committed): Promise<FollowUp> {
    const financingIds = autoApproved(committed);
    const deadlineMs = Date.now() + PROMPT_DISBURSEMENT_MS;
    for (;;) {
      const run = await runJobNow(db, "auto-disburse");
      const waiting = await stillAccepted(db, financingIds);
      if (waiting === 0) return { hook: "auto-disburse", status: "done", summary: `Disbursed: ${financingIds.join(", ")}.` };
      if (run.status !== "busy" || Date.now() >= deadlineMs) {
        const why = run.status === "busy" ? "another run holds the job" : run.summary;
        return { hook: "auto-disburse", status: "deferred", summary: `Disbursement of ${financingIds.join(", ")} left to the scheduled job (${why}).` };
      }
      await sleep(BUSY_RETRY_MS);
    }
  },
};

/** The post-commit hooks of submissions made through the API. */
export const API_POST_COMMIT_HOOKS: readonly PostCommitHook[] = [kickAutoDisbursement];
