/**
 * Group commit in the process: submissions that arrive while a commit is running wait for it
 * and then go together as the next commit, so N concurrent writers cost one lock, one commit
 * and one fsync instead of N in a row. There is no timer: a submission that finds nothing in
 * flight is committed at once, alone.
 *
 * Pipelined: a commit may hand on a tail (the ledger's: the state its block leaves) once it
 * knows it, before its statements run; the next group then starts at once with that tail, so
 * it can be applied while the one before is written (service.ts commitAhead). At most two
 * groups are in flight: the one being written and the one being applied on it. A commit that
 * hands nothing on is followed only once it settled, as without pipelining.
 *
 * A commit that throws (a database error, a broken invariant: a bug, never a refusal, which is
 * an answer) is retried one submission at a time, so the others still get their own answers
 * and only the culprit gets the error; the group after it learns that the tail it was handed
 * did not commit, and waits for those retries before it goes on.
 */
interface Waiting<Item, Options, Result> {
  item: Item;
  options: Options;
  resolve(result: Result): void;
  reject(error: unknown): void;
}

/** The group before, as the next commit sees it. */
export interface Previous<Tail> {
  tail: Tail;
  /** Whether the commit that handed the tail on committed; false: it failed, and the tail is void. */
  committed: Promise<boolean>;
  /** When the group before has all its answers (after its one-by-one retries, if it failed). */
  settled: Promise<void>;
}

export type Commit<Item, Options, Result, Tail> = (items: Item[], options: Options, previous: Previous<Tail> | null, handOn: (tail: Tail) => void) => Promise<Result[]>;

/** A group in flight. */
interface Flight<Tail> {
  /** Resolves with the tail once handed on, or with null once the group settled without. */
  handedOn: Promise<Tail | null>;
  committed: Promise<boolean>;
  settled: Promise<void>;
}

export class GroupCommit<Item, Options extends object, Result, Tail = never> {
  private readonly waiting: Waiting<Item, Options, Result>[] = [];
  private draining = false;

  constructor(
    private readonly commit: Commit<Item, Options, Result, Tail>,
    private readonly maxGroup = 500,
    /** A failure that is nobody's fault (the database away, a lock timeout) fails the whole group: retrying one by one would only wait N times. */
    private readonly failsEveryone: (error: unknown) => boolean = () => false,
  ) {}

  submit(item: Item, options: Options): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, options, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    let previous: { flight: Flight<Tail>; tail: Tail | null } | null = null;
    try {
      while (this.waiting.length > 0 || previous !== null) {
        if (this.waiting.length === 0) {
          await previous?.flight.settled;
          previous = null;
          continue;
        }
        const link = previous === null || previous.tail === null ? null : { tail: previous.tail, committed: previous.flight.committed, settled: previous.flight.settled };
        const flight = this.launch(this.takeGroup(), link);
        const tail = await flight.handedOn;
        // The group before must have settled before a third one starts: it applies on what this one leaves, and only this one's overlay.
        await previous?.flight.settled;
        previous = { flight, tail };
      }
    } finally {
      this.draining = false;
    }
  }

  private launch(group: Waiting<Item, Options, Result>[], previous: Previous<Tail> | null): Flight<Tail> {
    let handOn: (tail: Tail | null) => void = () => {};
    const handedOn = new Promise<Tail | null>((resolve) => (handOn = resolve));
    let reportCommitted: (committed: boolean) => void = () => {};
    const committed = new Promise<boolean>((resolve) => (reportCommitted = resolve));
    const settled = this.commitGroup(group, previous, handOn, reportCommitted).finally(() => {
      handOn(null);
      reportCommitted(false);
    });
    return { handedOn, committed, settled };
  }

  /** The longest run of waiting submissions, in arrival order, that share the first one's options. */
  private takeGroup(): Waiting<Item, Options, Result>[] {
    const first = this.waiting[0] as Waiting<Item, Options, Result>;
    let length = 1;
    while (length < this.waiting.length && length < this.maxGroup && sameOptions((this.waiting[length] as Waiting<Item, Options, Result>).options, first.options)) length++;
    return this.waiting.splice(0, length);
  }

  private async commitGroup(
    group: Waiting<Item, Options, Result>[],
    previous: Previous<Tail> | null,
    handOn: (tail: Tail) => void,
    reportCommitted: (committed: boolean) => void,
  ): Promise<void> {
    const options = (group[0] as Waiting<Item, Options, Result>).options;
    try {
      const results = await this.commit(
        group.map((waiting) => waiting.item),
        options,
        previous,
        handOn,
      );
      reportCommitted(true);
      group.forEach((waiting, i) => waiting.resolve(results[i] as Result));
    } catch (error) {
      reportCommitted(false);
      if (group.length === 1 || this.failsEveryone(error)) return group.forEach((waiting) => waiting.reject(error));
      // One by one, each under the lock on its own: nothing is applied ahead of a failure.
      for (const waiting of group) await this.commitGroup([waiting], null, () => {}, () => {});
    }
  }
}

function sameOptions(left: object, right: object): boolean {
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  return [...keys].every((key) => (left as Record<string, unknown>)[key] === (right as Record<string, unknown>)[key]);
}
