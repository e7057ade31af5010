import postgres from "postgres";
import { reconnectDelaySeconds } from "./client";

/*
 * The ledger writer's election on a PostgreSQL server (server/ledger/writer.ts): the writer is
 * the instance whose dedicated connection holds a session-level advisory lock. The lock needs
 * no lease and no clock: it is held exactly as long as that session lives, so a writer that
 * dies (SIGKILL, a lost network) frees it the moment PostgreSQL sees its connection close.
 * LISTEN runs on a second connection postgres.js keeps for itself (and listens again after a
 * reconnect).
 */

/** The advisory lock's two keys ('DC', 'ledger writer'); the two-key form cannot meet a one-key (bigint) lock. */
const LOCK_KEYS = [0x4443, 0x57] as const;

/**
 * Whether this session holds the lock, taking it if it is free. Asked through pg_locks first:
 * pg_try_advisory_lock stacks on a lock already held, and a session that reconnected silently
 * (postgres.js does) holds nothing, so "held" is read from the server, never remembered.
 */
const CLAIM = `select case when exists (
    select 1 from pg_locks where locktype = 'advisory' and pid = pg_backend_pid() and granted
      and classid = ${LOCK_KEYS[0]} and objid = ${LOCK_KEYS[1]} and objsubid = 2
  ) then true else pg_try_advisory_lock(${LOCK_KEYS[0]}, ${LOCK_KEYS[1]}) end as held`;

export interface WriterSession {
  /** Whether this instance is the writer now (taking the lock if nobody holds it); false when the server is away. */
  claim(): Promise<boolean>;
  /** Calls `onNotify` with each notification's payload on `channel`. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<void>;
  /** Ends the sessions: the lock is free for another instance at once. */
  close(): Promise<void>;
}

export function openWriterSession(url: string): WriterSession {
  // One connection, never recycled: postgres.js would otherwise close it after 30-60 minutes and hand the lock to whoever asks first.
  const client = postgres(url, { max: 1, max_lifetime: null, idle_timeout: 0, connect_timeout: 5, backoff: reconnectDelaySeconds, onnotice: () => {} });
  return {
    async claim() {
      try {
        const [row] = await client.unsafe<{ held: boolean }[]>(CLAIM);
        return row?.held === true;
      } catch {
        return false;
      }
    },
    async listen(channel, onNotify) {
      await client.listen(channel, onNotify);
    },
    close: () => client.end({ timeout: 2 }),
  };
}
