import type { PostCommitHook } from "../ledger/hooks";

/*
 * The engine's post-commit hooks that start jobs (server/ledger/hooks.ts says what a hook is).
 * API submissions run these (the ledger router passes them); the seed, the jobs' own
 * submissions and direct engine calls run none.
 *
 * An application approved under a policy used to kick the platform's auto-disburse job here,
 * which confirmed the disbursement with the platform key. Issue 13 moved that decision to the
 * lender: its own settlement agent (server/witness/lender-agent.ts) follows the log, waits for
 * the application's block to be cosigned, replays it, and signs the disbursement with the
 * lender's key; the contract refuses one signed by the operator. Nothing is left to kick.
 */

/** The post-commit hooks of submissions made through the API. */
export const API_POST_COMMIT_HOOKS: readonly PostCommitHook[] = [];
