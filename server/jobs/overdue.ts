import { randomBytes } from "node:crypto";
import { and, inArray, lte, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { claims } from "@/db/schema";
import { buildSigned, toWire } from "@/contracts/client";
import { loadPlatformKey } from "../ledger/platform-key";
import { submitBatch, type LedgerOptions } from "../ledger/service";

/*
 * The overdue job: at maturity, unpaid pieces of an issuance become overdue through a
 * claim.markOverdue transaction signed by the operator's platform key. It runs inside the
 * app on a timer (instrumentation.ts; no extra server). The contract refuses anything not
 * yet matured or already overdue, so running twice is harmless.
 */

export interface OverdueRun {
  roots: number;
  accepted: number;
  refused: { rootId: string; code: string }[];
}

function todayUtc(nowMs: number): string {
  return new Date(nowMs).toISOString().slice(0, 10);
}

/** Marks every matured issuance with unpaid live pieces overdue. */
export async function markOverdueClaims(db: Db, options: LedgerOptions = {}): Promise<OverdueRun> {
  const nowMs = (options.clock ?? Date.now)();
  const due = await db
    .selectDistinct({ rootId: claims.rootId })
    .from(claims)
    .where(and(lte(claims.maturityDate, todayUtc(nowMs)), inArray(claims.state, ["offered", "held", "pledged", "financed"]), sql`${claims.amountMinor} > ${claims.settledMinor}`));
  if (due.length === 0) return { roots: 0, accepted: 0, refused: [] };
  const platform = await loadPlatformKey(db);
  const operator = { orgId: "org_operator", keyId: platform.keyId, privateKey: platform.privateKey };
  const txs = due.map((d) => toWire(buildSigned(operator, "claim.markOverdue", { rootClaimId: d.rootId }, { nonce: randomBytes(16).toString("hex"), createdAtMs: nowMs })));
  const results = await submitBatch(db, txs, options);
  const refused = results.flatMap((r, i) => (r.status === "refused" ? [{ rootId: due[i]?.rootId ?? "", code: r.code }] : []));
  return { roots: due.length, accepted: results.length - refused.length, refused };
}

/**
 * One tick of the scheduler. Several app instances may tick at once: the ledger serialises
 * their submissions and the contract refuses the second markOverdue of an issuance
 * (nothing_overdue), so no lock is needed for correctness.
 */
export async function overdueTick(db: Db): Promise<OverdueRun> {
  return markOverdueClaims(db);
}
