import { bigint, bigserial, index, pgTable, text } from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";

/**
 * Submissions an app instance that is not the ledger writer hands to the one that is
 * (server/ledger/writer.ts): one short INSERT by the submitter, the writer's answer written
 * back into the row, the row deleted by the submitter once it has read the answer. Transient:
 * nothing here is part of the ledger (the log and the state are), and an unanswered row is
 * judged again by the next writer, which idempotency makes safe.
 */
export const ledgerInbox = pgTable(
  "ledger_inbox",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    /** The instance waiting for the answer: the payload of its answer notification. */
    submitter: text("submitter").notNull(),
    /** The signed transaction, as wire JSON (encodeSignedTransaction). */
    transaction: text("transaction").notNull(),
    /** The writer (instance id) judging it; another writer takes it again. */
    takenBy: text("taken_by"),
    /** The answer as tagged JSON (a result, or the failure the local path would have thrown); null until answered. */
    answer: text("answer"),
    answeredAtMs: bigint("answered_at_ms", { mode: "number" }),
  },
  (table) => [index("ledger_inbox_unanswered").on(table.id).where(sql`${table.answer} is null`)],
);
