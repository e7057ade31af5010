import type { Sql, TransactionSql } from "postgres";
import { classifyDatabaseFailure } from "./availability";

/*
 * A guard around a postgres.js 3.4.9 bug that wedges a pooled connection (its issues #1154
 * and #1208; the fix proposed in its PR #1209 is not released: 3.4.9 is the newest version).
 *
 * When the socket of a transaction closes (the server crashed or was stopped), the query in
 * flight fails, and `sql.begin` then sends ROLLBACK on that same, now closed, connection. A
 * small write is deferred with setImmediate; the deferred write finds no socket and throws
 * a TypeError no caller can catch (an uncaughtException), and the write scheduler is left
 * marked as busy forever: every later use of that connection buffers its start-up message
 * without sending it and fails after connect_timeout, until enough garbage accumulates to
 * be flushed (about ten times). One wedged connection in a pool of ten fails a tenth of the
 * requests, for minutes, after the database is back.
 *
 * The guard keeps `begin` from ever sending that ROLLBACK: when the transaction's callback
 * fails because the connection is gone, the callback's promise is left pending instead of
 * rejected, so `begin`'s rollback path never runs. `begin` still settles: it races the
 * callback against the connection's close, and the close rejects it with CONNECTION_CLOSED.
 * The server rolls the transaction back itself when the session ends. Should the close
 * somehow not come, the failure is passed on after CLOSE_GRACE_MS (the old behaviour).
 *
 * Patching node_modules in place was rejected: the patch would not survive `npm ci`, and a
 * postinstall patcher edits files that worktrees share through hard links.
 */

const CLOSE_GRACE_MS = 10_000;

/** The failure means this transaction's connection is gone, so there is nothing to roll back. */
function connectionLost(error: unknown): boolean {
  return classifyDatabaseFailure(error) === "unavailable";
}

const never = new Promise<never>(() => {});

/** Installs the guard on a postgres.js instance (drizzle's transactions call its `begin`). */
export function guardTransactions(sql: Sql): Sql {
  const begin = sql.begin.bind(sql) as (...args: unknown[]) => Promise<unknown>;
  const guarded = (...args: unknown[]) => {
    let markSettled: () => void = () => {};
    const settled = new Promise<void>((resolve) => (markSettled = resolve));
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === "function") {
      args[last] = async (tx: TransactionSql) => {
        try {
          return await (callback as (tx: TransactionSql) => unknown)(tx);
        } catch (error) {
          if (!connectionLost(error)) throw error;
          // Once begin has settled (rejected by the close), a rejection here would only send
          // the fatal ROLLBACK: the callback stays pending for good.
          let timer: NodeJS.Timeout | undefined;
          const closedInTime = await Promise.race([settled.then(() => true), new Promise<false>((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS, false)))]);
          clearTimeout(timer);
          if (closedInTime) return never;
          throw error;
        }
      };
    }
    const result = begin(...args);
    result.then(markSettled, markSettled);
    return result;
  };
  (sql as unknown as { begin: typeof guarded }).begin = guarded;
  return sql;
}
