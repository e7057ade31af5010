import type { Db } from "@/db/client";
import type { LedgerEvent } from "@/contracts/ledger/types";

/*
 * Post-commit hooks: what happens because a transaction committed, kept out of the commit
 * itself. A submission names its hooks (LedgerOptions.afterCommit); once its transaction is
 * in the log, each hook that the transaction concerns runs, outside the database
 * transaction, and says what came of it. A hook never changes the answer's status: the
 * transaction is committed whatever the hook does, and work a hook could not finish is left
 * to a scheduled job (jobs/), which is why hooks start jobs rather than doing the work.
 */

/** What a hook did after a commit, reported in the submission's answer. */
export interface FollowUp {
  hook: string;
  /** done: the follow-up work is finished; deferred: a scheduled job will finish it. */
  status: "done" | "deferred";
  summary: string;
}

export interface Committed {
  txId: string;
  events: readonly LedgerEvent[];
}

export interface PostCommitHook {
  name: string;
  /** Whether a committed transaction concerns this hook: cheap, from its events alone. */
  concerns(committed: Committed): boolean;
  run(db: Db, committed: Committed): Promise<FollowUp>;
}

/** Runs the hooks a committed transaction concerns, one after the other; a hook that throws is reported as deferred. */
export async function runPostCommitHooks(db: Db, hooks: readonly PostCommitHook[], committed: Committed): Promise<FollowUp[]> {
  const followUps: FollowUp[] = [];
  for (const hook of hooks) {
    if (!hook.concerns(committed)) continue;
    try {
      followUps.push(await hook.run(db, committed));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      console.error(`[ledger] post-commit hook ${hook.name} after ${committed.txId} failed; its job catches up:`, reason);
      followUps.push({ hook: hook.name, status: "deferred", summary: "Left to the scheduled job." });
    }
  }
  return followUps;
}
