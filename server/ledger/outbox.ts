import type { DbOrTx } from "@/db/client";
import { ledgerOutbox } from "@/db/schema";
import type { LedgerEvent } from "@/contracts/ledger/types";
import { writeRows } from "./repository";

/** What the outbox needs of a block's results and entries (service.ts's SubmitResult and EntryRow; named here so the two files do not import each other). */
type Result = { status: "refused" } | { status: "accepted"; txId: string; leafIndex: number; acceptedAtMs: number; events: readonly LedgerEvent[]; duplicate: boolean };
type Entry = { txId: string; signerOrgId: string };

/*
 * The event outbox (db/schema/webhooks.ts ledgerOutbox), written inside the block's database
 * transaction, next to the log entries: a post-commit hook could be lost to a crash between
 * the commit and the hook, and a hook cannot see a rollback. Resubmissions wrote their events
 * when they first committed, so only new acceptances add rows.
 */
export async function writeOutbox(tx: DbOrTx, results: readonly Result[], entries: readonly Entry[]): Promise<void> {
  const byTxId = new Map(entries.map((entry) => [entry.txId, entry]));
  const rows = results.flatMap((result) => {
    if (result.status !== "accepted" || result.duplicate) return [];
    const entry = byTxId.get(result.txId);
    if (!entry) return [];
    return result.events.map((event, index) => ({
      id: `${result.txId}:${index}`,
      txId: result.txId,
      leafIndex: result.leafIndex,
      type: event.type,
      signerOrgId: entry.signerOrgId,
      payload: JSON.stringify(event, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value)),
      createdAtMs: result.acceptedAtMs,
      dispatchedAtMs: null,
    }));
  });
  await writeRows(tx, ledgerOutbox, rows);
}
