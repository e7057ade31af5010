import { and, asc, eq, inArray, isNotNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { financings } from "@/db/schema";
import { latestCheckpointTextHash, submitBatch, type LedgerOptions } from "../ledger/service";
import { platformSigner } from "../platform/signer";
import { defineJob } from "./scheduler";

/*
 * Auto-disbursement. A financing the contract approved under a lender's policy is accepted
 * when the application commits; the platform, as the lender's settlement agent, confirms
 * its disbursement with the platform key. This job does that: kicked by the engine's
 * post-commit hook right after such an application commits (hooks.ts, under the schedule's
 * lease, so never two runs at once), and every 30 s for anything a crash or a busy lease
 * left behind. The contract refuses a second disbursement, so a repeated run is harmless.
 */

/**
 * The platform's settlement reference for an automatic disbursement: stable per financing.
 * Wiring a lender's payment API in would replace this with that API's reference.
 */
export function settlementReference(financingId: string): string {
  return `DC-AUTO-${financingId.slice(4, 16).toUpperCase()}`;
}

export interface AutoDisbursementRun {
  pending: number;
  disbursed: number;
  refused: { financingId: string; code: string }[];
}

/**
 * Confirms, with the operator's platform key, the disbursement of every accepted financing
 * approved under a policy (or only `financingIds`). The contract allows the operator to
 * sign exactly these and refuses a second disbursement, so concurrent runs are harmless.
 */
export async function disburseAutoFinancings(db: Db, options: LedgerOptions & { financingIds?: string[] } = {}): Promise<AutoDisbursementRun> {
  const nowMs = (options.clock ?? Date.now)();
  const pending = await db
    .select({ id: financings.id })
    .from(financings)
    .where(
      and(
        eq(financings.status, "accepted"),
        isNotNull(financings.policyId),
        options.financingIds ? inArray(financings.id, options.financingIds) : undefined,
      ),
    )
    .orderBy(asc(financings.id));
  if (pending.length === 0) return { pending: 0, disbursed: 0, refused: [] };
  const platform = await platformSigner(db);
  const checkpointHash = await latestCheckpointTextHash(db);
  if (checkpointHash === null) return { pending: pending.length, disbursed: 0, refused: pending.map((f) => ({ financingId: f.id, code: "checkpoint_unknown" })) };
  const txs = pending.map((f) => platform.sign("financing.disburse", { financingId: f.id, paymentReference: settlementReference(f.id), checkpointHash }, nowMs));
  const results = await submitBatch(db, txs, options);
  const refused = results.flatMap((r, i) => (r.status === "refused" ? [{ financingId: pending[i]?.id ?? "", code: r.code }] : []));
  return { pending: pending.length, disbursed: results.length - refused.length, refused };
}

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
