import type { Db } from "@/db/client";
import type { BatchSignatureVerifier } from "@/contracts/signing";
import { DatabaseRateLimiter, MemoryLimiter, SIGN_IN_ATTEMPTS, submissionsPerMinute, type Limiter } from "../auth/rate-limit";
import { installNodeSha256 } from "../crypto/node-hash";
import { API_POST_COMMIT_HOOKS } from "../jobs/hooks";
import type { PostCommitHook } from "../ledger/hooks";
import { ProvenanceStore } from "../ledger/provenance";
import { createLedgerSubmitter, type LedgerSubmitter } from "../ledger/service";

/**
 * The state a server process keeps in memory, in one object made at start-up and handed to
 * what needs it (the tRPC context carries it), instead of module globals and import side
 * effects: the ledger's group commit, the rate limiters, the provenance subtree store, and
 * where signature checks run. The app makes one per process (server/runtime/process.ts);
 * a test or a script makes its own, and two runtimes share nothing.
 */
export interface Runtime {
  readonly db: Db;
  readonly clock: () => number;
  /** Submissions committed in groups: one queue per runtime. */
  readonly ledger: LedgerSubmitter;
  readonly limits: {
    /** Sign-in attempts per email. */
    readonly signIn: Limiter;
    /** Signed transactions submitted per organisation per minute. */
    readonly submissions: Limiter;
    readonly submissionsPerMinute: number;
  };
  /** The log's complete subtree hashes, for O(log n) inclusion proofs. */
  readonly provenance: ProvenanceStore;
}

export interface RuntimeOptions {
  clock?: () => number;
  /** Signature checks on worker threads (openVerifyPool's verifier); this thread without it. */
  batchVerifier?: BatchSignatureVerifier | null;
  /** Defaults to LEDGER_SUBMISSIONS_PER_MINUTE, else 120. */
  submissionsPerMinute?: number;
  /** The post-commit hooks of submissions through this runtime's ledger (the app's: jobs/hooks.ts API_POST_COMMIT_HOOKS). */
  afterCommit?: readonly PostCommitHook[];
  /**
   * Where the rate limits count: "database" shares them with every instance on the database
   * (the rate_limit_windows table), "memory" keeps them in this process. Defaults to
   * "database" when DATABASE_URL is set (instances behind a balancer), else "memory".
   */
  limits?: "database" | "memory";
}

export function createRuntime(db: Db, options: RuntimeOptions = {}): Runtime {
  // Hashing through node:crypto is a property of the server process, set here explicitly.
  installNodeSha256();
  const clock = options.clock ?? Date.now;
  const perMinute = options.submissionsPerMinute ?? submissionsPerMinute();
  const shared = (options.limits ?? (process.env.DATABASE_URL ? "database" : "memory")) === "database";
  const limiter = (name: string, limit: number, windowMs: number): Limiter =>
    shared ? new DatabaseRateLimiter(db, name, limit, windowMs, clock) : new MemoryLimiter(limit, windowMs, clock);
  return {
    db,
    clock,
    ledger: createLedgerSubmitter(db, {
      clock,
      ...(options.batchVerifier ? { batchVerifier: options.batchVerifier } : {}),
      ...(options.afterCommit ? { afterCommit: options.afterCommit } : {}),
    }),
    limits: {
      signIn: limiter("sign-in", SIGN_IN_ATTEMPTS.limit, SIGN_IN_ATTEMPTS.windowMs),
      // A browser submits a handful a minute; this stops one organisation's runaway script
      // or stolen session from monopolising the ledger's append lock.
      submissions: limiter("submissions", perMinute, 60 * 1000),
      submissionsPerMinute: perMinute,
    },
    provenance: new ProvenanceStore(),
  };
}

/** The app's runtime: createRuntime with the API's post-commit hooks (an application approved under a policy kicks auto-disbursement). */
export function createAppRuntime(db: Db, options: Omit<RuntimeOptions, "afterCommit"> = {}): Runtime {
  return createRuntime(db, { ...options, afterCommit: API_POST_COMMIT_HOOKS });
}
