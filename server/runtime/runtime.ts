import type { Db } from "@/db/client";
import type { BatchSignatureVerifier } from "@/contracts/signing";
import { RateLimiter, SIGN_IN_ATTEMPTS, submissionsPerMinute } from "../auth/rate-limit";
import { installNodeSha256 } from "../crypto/node-hash";
import { API_POST_COMMIT_HOOKS } from "../jobs/hooks";
import type { PostCommitHook } from "../ledger/hooks";
import { ProvenanceStore } from "../ledger/provenance";
import { createLedgerSubmitter, type LedgerSubmitter } from "../ledger/service";
import { createMailer, type MailSettings } from "../mail/mailer";

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
    readonly signIn: RateLimiter;
    /** Signed transactions submitted per organisation per minute. */
    readonly submissions: RateLimiter;
    readonly submissionsPerMinute: number;
  };
  /** The log's complete subtree hashes, for O(log n) inclusion proofs. */
  readonly provenance: ProvenanceStore;
  /** Email to people (invitations, password resets): SMTP_URL's transport and the app's address. */
  readonly mail: MailSettings;
}

export interface RuntimeOptions {
  clock?: () => number;
  /** Signature checks on worker threads (openVerifyPool's verifier); this thread without it. */
  batchVerifier?: BatchSignatureVerifier | null;
  /** Defaults to LEDGER_SUBMISSIONS_PER_MINUTE, else 120. */
  submissionsPerMinute?: number;
  /** The post-commit hooks of submissions through this runtime's ledger (the app's: jobs/hooks.ts API_POST_COMMIT_HOOKS). */
  afterCommit?: readonly PostCommitHook[];
  /** Defaults to SMTP_URL and MAIL_FROM (nothing sent without SMTP_URL), links to NEXTAUTH_URL. */
  mail?: MailSettings;
}

function mailFromEnvironment(): MailSettings {
  return {
    mailer: createMailer({ smtpUrl: process.env.SMTP_URL || undefined, from: process.env.MAIL_FROM || undefined }),
    baseUrl: (process.env.NEXTAUTH_URL ?? "http://localhost:3000").replace(/\/+$/, ""),
  };
}

export function createRuntime(db: Db, options: RuntimeOptions = {}): Runtime {
  // Hashing through node:crypto is a property of the server process, set here explicitly.
  installNodeSha256();
  const clock = options.clock ?? Date.now;
  const perMinute = options.submissionsPerMinute ?? submissionsPerMinute();
  return {
    db,
    clock,
    ledger: createLedgerSubmitter(db, {
      clock,
      ...(options.batchVerifier ? { batchVerifier: options.batchVerifier } : {}),
      ...(options.afterCommit ? { afterCommit: options.afterCommit } : {}),
    }),
    limits: {
      signIn: new RateLimiter(SIGN_IN_ATTEMPTS.limit, SIGN_IN_ATTEMPTS.windowMs),
      // A browser submits a handful a minute; this stops one organisation's runaway script
      // or stolen session from monopolising the ledger's append lock.
      submissions: new RateLimiter(perMinute, 60 * 1000),
      submissionsPerMinute: perMinute,
    },
    provenance: new ProvenanceStore(),
    mail: options.mail ?? mailFromEnvironment(),
  };
}

/** The app's runtime: createRuntime with the API's post-commit hooks (an application approved under a policy kicks auto-disbursement). */
export function createAppRuntime(db: Db, options: Omit<RuntimeOptions, "afterCommit"> = {}): Runtime {
  return createRuntime(db, { ...options, afterCommit: API_POST_COMMIT_HOOKS });
}
