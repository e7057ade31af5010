import { setTimeout as sleep } from "node:timers/promises";
import type { Committed, FollowUp, PostCommitHook } from "../ledger/hooks";
import { describeAutoDisbursementRun, disburseAutoFinancings, type AutoDisbursementRun } from "./auto-disburse";
import { runJobNow } from "./registry";
import type { JobDefinition } from "./scheduler";

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

/**
 * An application approved under a policy kicks the auto-disburse job at once, under the
 * schedule's lease (runJobNow), so that the holder's answer comes back with the money on its
 * way. The kick disburses only the financings it names (one lease, one look at those rows, one
 * block, one release), and answers from what that run did, without another query. While
 * another run holds the lease (it may have looked before this commit), the kick is repeated
 * until that run ends, for at most PROMPT_DISBURSEMENT_MS; after that, or if the run fails or
 * a disbursement is refused, it is left to the job's next scheduled run and the answer says so.
 */
export const kickAutoDisbursement: PostCommitHook = {
  name: "auto-disburse",
  concerns: (committed) => autoApproved(committed).length > 0,
  async run(db, committed): Promise<FollowUp> {
    const financingIds = autoApproved(committed);
    const deadlineMs = Date.now() + PROMPT_DISBURSEMENT_MS;
    let disbursement: AutoDisbursementRun | null = null;
    const disburseNamed: JobDefinition["run"] = async (leased, ctx) => {
      disbursement = await disburseAutoFinancings(leased, { financingIds, clock: ctx.clock });
      return describeAutoDisbursementRun(disbursement);
    };
    for (;;) {
      disbursement = null;
      const run = await runJobNow(db, "auto-disburse", { work: disburseNamed });
      // Nothing refused: each named financing is disbursed, by this run or by one before it (pending 0).
      if (run.status === "ok" && (disbursement as AutoDisbursementRun | null)?.refused.length === 0) {
        return { hook: "auto-disburse", status: "done", summary: `Disbursed: ${financingIds.join(", ")}.` };
      }
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
