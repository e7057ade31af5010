import { describeDatabaseFailure, isDatabaseFailure } from "@/db/availability";
import type { Db } from "@/db/client";
import type { BatchSignatureVerifier } from "@/contracts/signing";
import { DatabaseRateLimiter, MemoryLimiter, PASSKEY_SIGN_IN_CHALLENGES, SIGN_IN_ATTEMPTS, submissionsPerMinute, type Limiter } from "../auth/rate-limit";
import { installNodeSha256 } from "../crypto/node-hash";
import { API_POST_COMMIT_HOOKS } from "../jobs/hooks";
import type { PostCommitHook } from "../ledger/hooks";
import { ProvenanceStore } from "../ledger/provenance";
import { createLedgerSubmitter, sealWire, type BlockObserver, type LedgerSubmitter, type SubmitResult } from "../ledger/service";
import { LedgerWriter } from "../ledger/writer";
import type { WriterSession } from "@/db/writer-session";
import { WitnessCosigner } from "../ledger/cosign";
import { witnessConfig, type WitnessConfig } from "../env";
import { createSignals, type Signals, type SignalsOptions } from "./signals";
import { createMailer, type MailSettings } from "../mail/mailer";

/**
 * The state a server process keeps in memory, in one object made at start-up and handed to
 * what needs it (the tRPC context carries it), instead of module globals and import side
 * effects: the ledger's group commit, the rate limiters, the provenance store's cache, and
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
    /** Public voucher verifications (/api/verify/<token>) per client address per minute. */
    readonly publicVerify: Limiter;
    /** Passkey sign-in challenges (auth.passkeySignInOptions, public) per client address per minute. */
    readonly passkeySignIn: Limiter;
  };
  /** Log proofs from the subtree hashes in the database (log_subtree_hashes), with a cache of the upper ones read. */
  readonly provenance: ProvenanceStore;
  /** Asks the configured witnesses to cosign the last checkpoint after each accepted submission (never blocking it). */
  readonly cosigner: WitnessCosigner;
  /** Metrics (prom-client registry) and the structured logger (pino), this runtime's own. */
  readonly signals: Signals;
  /** Email to people (invitations, password resets): SMTP_URL's transport and the app's address. */
  readonly mail: MailSettings;
  /** The election of one ledger writer among the instances on the database (ledger/writer.ts); null: this process commits its own. */
  readonly writer: LedgerWriter<SubmitResult> | null;
}

export interface RuntimeOptions {
  clock?: () => number;
  /** Signature checks on worker threads (openVerifyPool's verifier); this thread without it. */
  batchVerifier?: BatchSignatureVerifier | null;
  /** Defaults to LEDGER_SUBMISSIONS_PER_MINUTE, else 120. */
  submissionsPerMinute?: number;
  /** The post-commit hooks of submissions through this runtime's ledger (the app's: jobs/hooks.ts API_POST_COMMIT_HOOKS). */
  afterCommit?: readonly PostCommitHook[];
  /** The witnesses to ask for cosignatures; defaults to LEDGER_WITNESSES / LEDGER_WITNESS_QUORUM (none: no cosigning). */
  witnesses?: { witnesses: readonly WitnessConfig[]; quorum: number };
  /**
   * Where the rate limits count: "database" shares them with every instance on the database
   * (the rate_limit_windows table), "memory" keeps them in this process. Defaults to
   * "database" when DATABASE_URL is set (instances behind a balancer), else "memory".
   */
  limits?: "database" | "memory";
  /** The logger's destination and level, process metrics (server/runtime/signals.ts). */
  signals?: SignalsOptions;
  /** Defaults to SMTP_URL and MAIL_FROM (nothing sent without SMTP_URL), links to NEXTAUTH_URL. */
  mail?: MailSettings;
  /**
   * A session for the ledger writer's election (db/writer-session.ts): with it, one instance at
   * a time commits what all submit (ledger/writer.ts). Without it (PGlite, tests), this runtime
   * commits its own submissions, as a single process does.
   */
  writer?: { session: WriterSession; answerTimeoutMs: number; pollMs?: number };
}

function mailFromEnvironment(): MailSettings {
  return {
    mailer: createMailer({ smtpUrl: process.env.SMTP_URL || undefined, from: process.env.MAIL_FROM || undefined }),
    baseUrl: (process.env.NEXTAUTH_URL ?? "http://localhost:3000").replace(/\/+$/, ""),
  };
}

/** Public voucher verifications one client address may ask for in a minute. */
export const PUBLIC_VERIFY_PER_MINUTE = 30;

export function createRuntime(db: Db, options: RuntimeOptions = {}): Runtime {
  // Hashing through node:crypto is a property of the server process, set here explicitly.
  installNodeSha256();
  const clock = options.clock ?? Date.now;
  const perMinute = options.submissionsPerMinute ?? submissionsPerMinute();
  const shared = (options.limits ?? (process.env.DATABASE_URL ? "database" : "memory")) === "database";
  const limiter = (name: string, limit: number, windowMs: number): Limiter =>
    shared ? new DatabaseRateLimiter(db, name, limit, windowMs, clock) : new MemoryLimiter(limit, windowMs, clock);
  const signals = createSignals(options.signals);
  const provenance = new ProvenanceStore();
  const { witnesses, quorum } = options.witnesses ?? witnessConfig();
  const cosigner = new WitnessCosigner(db, provenance, witnesses, quorum);
  const writer = options.writer ? new LedgerWriter<SubmitResult>(db, options.writer.session, sealWire, options.writer) : null;
  const submitter = createLedgerSubmitter(
    db,
    {
      clock,
      ...(options.batchVerifier ? { batchVerifier: options.batchVerifier } : {}),
      ...(options.afterCommit ? { afterCommit: options.afterCommit } : {}),
    },
    blockSignals(signals),
    writer,
  );
  return {
    db,
    clock,
    signals,
    ledger: {
      async submit(wire, submitOptions) {
        const result = await submitter.submit(wire, submitOptions);
        // After the commit, beside the answer: a witness's delay or failure never reaches the submitter.
        if (result.status === "accepted" && !result.duplicate) cosigner.kick();
        return result;
      },
    },
    limits: {
      signIn: limiter("sign-in", SIGN_IN_ATTEMPTS.limit, SIGN_IN_ATTEMPTS.windowMs),
      // A browser submits a handful a minute; this stops one organisation's runaway script
      // or stolen session from monopolising the ledger's append lock.
      submissions: limiter("submissions", perMinute, 60 * 1000),
      submissionsPerMinute: perMinute,
      // A person checking vouchers opens a few a minute; this stops a script walking tokens or
      // making the server build bundles in a loop. Keyed by the balancer's client address.
      publicVerify: limiter("public-verify", PUBLIC_VERIFY_PER_MINUTE, 60 * 1000),
      passkeySignIn: limiter("passkey-sign-in", PASSKEY_SIGN_IN_CHALLENGES.limit, PASSKEY_SIGN_IN_CHALLENGES.windowMs),
    },
    provenance,
    cosigner,
    mail: options.mail ?? mailFromEnvironment(),
    writer,
  };
}

/** The app's runtime: createRuntime with the API's post-commit hooks (none at present: jobs/hooks.ts). */
export function createAppRuntime(db: Db, options: Omit<RuntimeOptions, "afterCommit"> = {}): Runtime {
  return createRuntime(db, { ...options, afterCommit: API_POST_COMMIT_HOOKS });
}

/** Each block the runtime's group commit closes: its metrics, and one log line naming the requests in it. */
function blockSignals(signals: Signals): BlockObserver {
  const { metrics, logger } = signals;
  return {
    requestId: signals.currentRequestId,
    block({ size, ms, requestIds, results, error }) {
      metrics.groupSize.observe(size);
      metrics.blockSeconds.observe(ms / 1000);
      if (error !== null) {
        metrics.ledgerTransactions.inc({ result: "failed" }, size);
        // The database away or busy is not a fault of ours: named by its codes (a query's text never reaches the log).
        if (isDatabaseFailure(error)) logger.warn({ requestIds, size, ms: Math.round(ms), failure: describeDatabaseFailure(error) }, "ledger block not committed");
        else logger.error({ requestIds, size, ms: Math.round(ms), err: error }, "ledger block failed");
        return;
      }
      const accepted = results.filter((result) => result.status === "accepted").length;
      if (accepted > 0) metrics.ledgerTransactions.inc({ result: "accepted" }, accepted);
      if (size - accepted > 0) metrics.ledgerTransactions.inc({ result: "refused" }, size - accepted);
      logger.info({ requestIds, size, accepted, refused: size - accepted, ms: Math.round(ms) }, "ledger block committed");
    },
  };
}
