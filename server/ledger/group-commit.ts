/**
 * Group commit in the process: submissions that arrive while a commit is running wait for it
 * and then go together as the next commit, so N concurrent writers cost one lock, one commit
 * and one fsync instead of N in a row. There is no timer: a submission that finds nothing in
 * flight is committed at once, alone.
 *
 * A commit that throws (a database error, a broken invariant: a bug, never a refusal, which is
 * an answer) is retried one submission at a time, so the others still get their own answers
 * and only the culprit gets the error.
 */
interface Waiting<Item, Options, Result> {
  item: Item;
  options: Options;
  resolve(result: Result): void;
  reject(error: unknown): void;
}

export class GroupCommit<Item, Options extends object, Result> {
  private readonly waiting: Waiting<Item, Options, Result>[] = [];
  private draining = false;

  constructor(
    private readonly commit: (items: Item[], options: Options) => Promise<Result[]>,
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
    try {
      while (this.waiting.length > 0) await this.commitGroup(this.takeGroup());
    } finally {
      this.draining = false;
    }
  }

  /** The longest run of waiting submissions, in arrival order, that share the first one's options. */
  private takeGroup(): Waiting<Item, Options, Result>[] {
    const first = this.waiting[0] as Waiting<Item, Options, Result>;
    let length = 1;
    while (length < this.waiting.length && length < this.maxGroup && sameOptions((this.waiting[length] as Waiting<Item, Options, Result>).options, first.options)) length++;
    return this.waiting.splice(0, length);
  }

  private async commitGroup(group: Waiting<Item, Options, Result>[]): Promise<void> {
    const options = (group[0] as Waiting<Item, Options, Result>).options;
    try {
      const results = await this.commit(group.map((waiting) => waiting.item), options);
      group.forEach((waiting, i) => waiting.resolve(results[i] as Result));
    } catch (error) {
      if (group.length === 1 || this.failsEveryone(error)) return group.forEach((waiting) => waiting.reject(error));
      for (const waiting of group) await this.commitGroup([waiting]);
    }
  }
}

function sameOptions(left: object, right: object): boolean {
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  return [...keys].every((key) => (left as Record<string, unknown>)[key] === (right as Record<string, unknown>)[key]);
}
