import { and, inArray, lte, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { claims } from "@/db/schema";
import { beijingDate } from "@/contracts/ledger/maturity";
import { submitBatch, type LedgerOptions } from "../ledger/service";
import { operatorSigner } from "../platform/signer";
import { defineJob } from "./scheduler";

/*
 * The overdue job: at maturity, unpaid pieces of an issuance become overdue through a
 * claim.markOverdue transaction signed by the operator's platform key. It runs inside the
 * app on the schedule kept in PostgreSQL (scheduler.ts, registry.ts; no extra server), once
 * across all instances. The contract refuses anything not yet matured or already overdue, so
 * a second run (a lease taken over from a crashed instance) is harmless.
 */

export interface OverdueRun {
  roots: number;
  accepted: number;
  refused: { rootId: string; code: string }[];
}

/** Marks every matured issuance with unpaid live pieces overdue. */
/** The states of an unpaid piece that a matured issuance's overdue run turns into "overdue". */
export const DUE_STATES = ["offered", "held", "pledged", "financed"] as const;

export async function markOverdueClaims(db: Db, options: LedgerOptions = {}): Promise<OverdueRun> {
  const nowMs = (options.clock ?? Date.now)();
  const due = await db
    .selectDistinct({ rootId: claims.rootId })
    .from(claims)
    .where(and(lte(claims.maturityDate, beijingDate(nowMs)), inArray(claims.state, [...DUE_STATES]), sql`${claims.amountMinor} > ${claims.settledMinor}`));
  if (due.length === 0) return { roots: 0, accepted: 0, refused: [] };
  // The operator's overdue key (its admin key while the ledger holds none).
  const platform = await operatorSigner(db, "overdue");
  const txs = due.map((d) => platform.sign("claim.markOverdue", { rootClaimId: d.rootId }, nowMs));
  const results = await submitBatch(db, txs, options);
  const refused = results.flatMap((r, i) => (r.status === "refused" ? [{ rootId: due[i]?.rootId ?? "", code: r.code }] : []));
  return { roots: due.length, accepted: results.length - refused.length, refused };
}

export function describeOverdueRun(run: OverdueRun): string {
  if (run.roots === 0) return "No matured issuance with unpaid pieces.";
  const named = run.refused.slice(0, 5).map((r) => `${r.rootId}: ${r.code}`);
  if (run.refused.length > named.length) named.push("…");
  const refused = run.refused.length === 0 ? "" : `; ${run.refused.length} refused (${named.join(", ")})`;
  return `${run.accepted} of ${run.roots} matured issuance(s) marked overdue${refused}.`;
}

export const overdueJob = defineJob({
  name: "overdue",
  description: "Marks the unpaid pieces of every matured issuance overdue (claim.markOverdue, signed with the platform key).",
  intervalMs: 60_000,
  run: async (db, ctx) => {
    const run = await markOverdueClaims(db, { clock: ctx.clock });
    if (run.accepted > 0) console.log(`[jobs] marked ${run.accepted} matured issuance(s) overdue`);
    return describeOverdueRun(run);
  },
});
