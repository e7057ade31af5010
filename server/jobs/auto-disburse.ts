import { disburseAutoFinancings, type AutoDisbursementRun } from "../services/auto-financing";
import { defineJob } from "./scheduler";

/*
 * The catch-up for auto-financing: an application under a policy is disbursed right after
 * it commits (services/ledger.ts); anything that missed that (a crash between the two
 * commits, a database hiccup) is disbursed here. The contract refuses a second
 * disbursement, so a run that overlaps the inline one is harmless.
 */

export function describeAutoDisbursementRun(run: AutoDisbursementRun): string {
  if (run.pending === 0) return "No auto-approved financing waiting for its disbursement.";
  const refused = run.refused.length === 0 ? "" : `; ${run.refused.length} refused (${run.refused.slice(0, 5).map((r) => `${r.financingId}: ${r.code}`).join(", ")})`;
  return `${run.disbursed} of ${run.pending} auto-approved financing(s) disbursed${refused}.`;
}

export const autoDisburseJob = defineJob({
  name: "auto-disburse",
  description: "Confirms, with the platform key, the disbursement of financings approved under a lender's policy that are still waiting for it.",
  intervalMs: 30_000,
  run: async (db, ctx) => describeAutoDisbursementRun(await disburseAutoFinancings(db, { clock: ctx.clock })),
});
