import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { classifyDatabaseFailure } from "@/db/availability";
import type { WriterSession } from "@/db/writer-session";
import { encodeSignedTransaction, type SealedTransaction } from "@/contracts/ledger/schema";
import { databaseUnavailable, DomainError } from "../errors";

/*
 * One ledger writer across app instances on one PostgreSQL database. Each instance has its own
 * group commit (service.ts); when several commit, their blocks queue on the head row lock one
 * by one, each waits up to the lock timeout, the pipelined block applied ahead is dropped
 * whenever another instance's block lands in between, and under load submissions fail with
 * database_busy. So one instance at a time is the writer (the holder of an advisory lock on a
 * session of its own, db/writer-session.ts) and commits what every instance submits: its
 * blocks grow with the load instead of instances queueing for the lock.
 *
 * - The writer commits its own submissions directly (no round trip), as a single instance does.
 * - Another instance hands its submission over in one INSERT into ledger_inbox with a NOTIFY,
 *   and waits for the answer. The writer takes the unanswered rows (wakened by the notification,
 *   or by its poll if one was lost), puts them into its group commit beside its own, writes each
 *   answer back, and notifies the submitter, which reads and deletes its answered rows. The
 *   answer is the one the local path gives: the same result, or the same typed failure.
 * - The submitter waits at most `answerTimeoutMs`, then answers database_busy (503: retry is
 *   safe, a resubmitted transaction that did commit is answered as the original) and deletes its
 *   row. A writer that dies mid-block leaves rows unanswered; the next writer takes them again,
 *   and idempotency answers those that had committed as they were.
 * - Failover: every instance asks for the lock every `pollMs`; when the writer's session ends,
 *   the next to ask becomes the writer and drains what is left.
 * - The head row lock stays the guard of correctness: a stray second writer (one whose session
 *   was lost but that has not noticed yet) only queues on it, as before; it cannot fork the log.
 *
 * Rejected: electing with a lease row (a clock and a renewal loop, where the session lock needs
 * neither), and forwarding over HTTP between instances (each instance would need to know the
 * others' addresses; the database is already shared by all). Without a writer session (PGlite,
 * tests, LEDGER_SINGLE_WRITER=off) the submitter commits locally as before.
 */

const INBOX_CHANNEL = "ledger_inbox";
const ANSWER_CHANNEL = "ledger_answer";
/** Rows the writer takes at once: more than one block (the group commit's 500), fewer than a long pause. */
const TAKE_LIMIT = 1000;

/** The edge's decoding again, on the writer's side (service.ts sealWire): a sealed transaction, or the answer (a refusal) for one that is not. */
export type Seal<Result> = (wire: unknown) => SealedTransaction | Result;

/** An answer in the inbox: a result, or the failure the local path would have thrown (kind and code). */
type Answer = { result: unknown } | { failure: { kind: DomainError["kind"]; code: string; message: string } | "busy" | "unavailable" | "internal" };

export interface WriterOptions {
  /** How long a submitter waits for the writer's answer before it answers database_busy. */
  answerTimeoutMs: number;
  /** How often every instance asks for the lock, and a waiting submitter or the writer looks at the inbox without a notification. */
  pollMs?: number;
}

type Commit<Result> = (transaction: SealedTransaction) => Promise<Result>;

interface Waiter<Result> {
  resolve(result: Result): void;
  reject(error: unknown): void;
  timer: NodeJS.Timeout;
}

export class LedgerWriter<Result> {
  readonly instanceId = randomUUID();
  private writer = false;
  private readonly firstClaim: Promise<void>;
  private commit: Commit<Result> | null = null;
  private readonly waiting = new Map<number, Waiter<Result>>();
  private draining = false;
  private drainAgain = false;
  private collecting = false;
  private collectAgain = false;
  private answers: { id: number; answer: string }[] = [];
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  private ticks = 0;

  constructor(
    private readonly db: Db,
    private readonly session: WriterSession,
    private readonly seal: Seal<Result>,
    private readonly options: WriterOptions,
  ) {
    const pollMs = options.pollMs ?? 250;
    this.timer = setInterval(() => void this.tick(), pollMs);
    this.timer.unref();
    void session.listen(INBOX_CHANNEL, () => void this.drain()).catch((error: unknown) => console.error("[ledger writer] LISTEN inbox failed; polling only:", describe(error)));
    void session.listen(ANSWER_CHANNEL, (payload) => payload === this.instanceId && void this.collect()).catch((error: unknown) => console.error("[ledger writer] LISTEN answers failed; polling only:", describe(error)));
    this.firstClaim = this.claim();
  }

  /** Where the writer commits (the group commit with the submitter's defaults); set once, before the first submission. */
  attach(commit: Commit<Result>): void {
    this.commit = commit;
  }

  /** Whether this instance was the writer when it last asked. */
  get isWriter(): boolean {
    return this.writer;
  }

  /** Commits locally when this instance is the writer; else hands the transaction to the writer and waits for its answer. */
  async submit(transaction: SealedTransaction, local: Commit<Result>): Promise<Result> {
    await this.firstClaim;
    if (this.writer) return local(transaction);
    return this.handOver(transaction);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.writer = false;
    clearInterval(this.timer);
    await this.session.close();
  }

  private async tick(): Promise<void> {
    if (this.closed) return;
    await this.claim();
    if (this.writer) {
      void this.drain();
      // Answered rows whose submitter never came back for them (it died or gave up): kept a minute.
      if (++this.ticks % 40 === 0) await this.db.execute(sql`delete from ledger_inbox where answered_at_ms < ${Date.now() - 60_000}`).catch(() => {});
    }
    if (this.waiting.size > 0) void this.collect();
  }

  private async claim(): Promise<void> {
    const was = this.writer;
    this.writer = await this.session.claim();
    // A new writer takes every unanswered row, those another writer had taken and not answered too.
    if (this.writer && !was) void this.drain();
  }

  private async handOver(transaction: SealedTransaction): Promise<Result> {
    const wire = JSON.stringify(encodeSignedTransaction(transaction));
    const rows = await this.db.execute<{ id: string | number }>(
      sql`with queued as (insert into ledger_inbox (submitter, transaction) values (${this.instanceId}, ${wire}) returning id) select id, pg_notify(${INBOX_CHANNEL}, '') from queued`,
    );
    const id = Number((rows as unknown as { id: string | number }[])[0]!.id);
    return new Promise<Result>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        // The writer may still commit it: the caller's retry is then answered as the original.
        void this.db.execute(sql`delete from ledger_inbox where id = ${id}`).catch(() => {});
        reject(databaseUnavailable("busy"));
      }, this.options.answerTimeoutMs);
      this.waiting.set(id, { resolve, reject, timer });
    });
  }

  /** Reads and deletes this instance's answered rows, and gives each waiting submission its answer. */
  private async collect(): Promise<void> {
    if (this.collecting) return void (this.collectAgain = true);
    this.collecting = true;
    try {
      do {
        this.collectAgain = false;
        const ids = [...this.waiting.keys()];
        if (ids.length === 0) break;
        const rows = (await this.db.execute<{ id: string | number; answer: string }>(
          sql`delete from ledger_inbox where id in (${sql.join(ids.map((id) => sql`${id}`), sql`, `)}) and answer is not null returning id, answer`,
        )) as unknown as { id: string | number; answer: string }[];
        for (const row of rows) this.settle(Number(row.id), JSON.parse(row.answer, revive) as Answer);
      } while (this.collectAgain);
    } catch (error) {
      console.error("[ledger writer] reading answers failed; polling again:", describe(error));
    } finally {
      this.collecting = false;
    }
  }

  private settle(id: number, answer: Answer): void {
    const waiter = this.waiting.get(id);
    if (waiter === undefined) return;
    this.waiting.delete(id);
    clearTimeout(waiter.timer);
    if ("result" in answer) return waiter.resolve(answer.result as Result);
    const { failure } = answer;
    if (failure === "busy" || failure === "unavailable") return waiter.reject(databaseUnavailable(failure));
    if (failure === "internal") return waiter.reject(new Error("The ledger writer failed to commit the transaction (see the writer's log)."));
    waiter.reject(new DomainError(failure.kind, failure.code, failure.message));
  }

  /** The writer takes the unanswered rows another writer does not hold for itself and commits them. */
  private async drain(): Promise<void> {
    if (!this.writer || this.commit === null || this.closed) return;
    if (this.draining) return void (this.drainAgain = true);
    this.draining = true;
    try {
      do {
        this.drainAgain = false;
        const rows = (await this.db.execute<{ id: string | number; transaction: string }>(
          sql`update ledger_inbox set taken_by = ${this.instanceId} where id in (
                select id from ledger_inbox where answer is null and taken_by is distinct from ${this.instanceId} order by id limit ${TAKE_LIMIT} for update skip locked
              ) returning id, transaction`,
        )) as unknown as { id: string | number; transaction: string }[];
        rows.sort((a, b) => Number(a.id) - Number(b.id));
        for (const row of rows) this.judge(Number(row.id), row.transaction, this.commit);
        if (rows.length === TAKE_LIMIT) this.drainAgain = true;
      } while (this.drainAgain && this.writer);
    } catch (error) {
      console.error("[ledger writer] taking the inbox failed; trying again at the next poll:", describe(error));
    } finally {
      this.draining = false;
    }
  }

  private judge(id: number, text: string, commit: Commit<Result>): void {
    let sealed: SealedTransaction | Result;
    try {
      sealed = this.seal(JSON.parse(text));
    } catch {
      return this.answer(id, { failure: "internal" });
    }
    if (typeof sealed === "object" && sealed !== null && "status" in sealed) return this.answer(id, { result: sealed });
    commit(sealed as SealedTransaction).then(
      (result) => this.answer(id, { result }),
      (error: unknown) => this.answer(id, { failure: failureOf(error) }),
    );
  }

  /** Answers are written in one statement per turn of the event loop: a block's answers resolve together. */
  private answer(id: number, answer: Answer): void {
    this.answers.push({ id, answer: JSON.stringify(answer, tag) });
    if (this.answers.length === 1) setImmediate(() => void this.flushAnswers());
  }

  private async flushAnswers(): Promise<void> {
    const batch = this.answers;
    this.answers = [];
    try {
      await this.db.execute(
        sql`with answered as (
              update ledger_inbox i set answer = a.answer, answered_at_ms = ${Date.now()}
              from jsonb_to_recordset(${JSON.stringify(batch)}::jsonb) as a(id bigint, answer text)
              where i.id = a.id and i.answer is null returning i.submitter
            ) select pg_notify(${ANSWER_CHANNEL}, s.submitter) from (select distinct submitter from answered) s`,
      );
    } catch (error) {
      // The submitters wait out their bound and answer database_busy; their retries are answered from the log.
      console.error("[ledger writer] writing answers failed:", describe(error));
    }
  }
}

function failureOf(error: unknown): Exclude<Answer, { result: unknown }>["failure"] {
  if (error instanceof DomainError) return { kind: error.kind, code: error.code, message: error.message };
  return classifyDatabaseFailure(error) ?? "internal";
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** bigint amounts in events cross the database as {"$bigint": "123"}. */
function tag(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? { $bigint: value.toString() } : value;
}

function revive(_key: string, value: unknown): unknown {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === "$bigint") return BigInt((value as { $bigint: string }).$bigint);
  }
  return value;
}
