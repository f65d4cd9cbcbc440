// An append-only log that any number of readers iterate, each from its own position, while it grows:
// what lets a run's projections (messages, values, lifecycle, ...) be read in any order, even late.
const DONE: IteratorResult<never> = Object.freeze({ value: undefined, done: true }) as IteratorResult<never>;

export class EventLog<Item> {
  private readonly items: Item[] = [];
  private ended = false;
  private failure: { error: unknown } | undefined;
  private waiters: Array<() => void> = [];

  get size(): number {
    return this.items.length;
  }

  get done(): boolean {
    return this.ended;
  }

  push(item: Item): void {
    if (this.ended) return;
    this.items.push(item);
    this.wake();
  }

  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.wake();
  }

  /** End the log with an error: readers get every item, then the error. */
  fail(error: unknown): void {
    if (this.ended) return;
    this.failure = { error };
    this.close();
  }

  /** Items from `start` on, waiting for more until the log ends; `keep` filters them. */
  iterate<Kept extends Item = Item>(start?: number, keep?: (item: Item) => item is Kept): AsyncIterator<Kept>;
  iterate(start = 0, keep?: (item: Item) => boolean): AsyncIterator<Item> {
    let position = start;
    let stopped = false;
    return {
      next: async (): Promise<IteratorResult<Item>> => {
        for (;;) {
          if (stopped) return DONE;
          while (position < this.items.length) {
            const item = this.items[position++]!;
            if (keep === undefined || keep(item)) return { value: item, done: false };
          }
          if (this.ended) {
            stopped = true;
            if (this.failure !== undefined) throw this.failure.error;
            return DONE;
          }
          await new Promise<void>((resolve) => this.waiters.push(resolve));
        }
      },
      return: async (): Promise<IteratorResult<Item>> => {
        stopped = true;
        return DONE;
      },
    };
  }

  /** An async iterable over the log (each `for await` starts at `start`). */
  view<Kept extends Item = Item>(start = 0, keep?: (item: Item) => item is Kept): AsyncIterable<Kept> {
    return { [Symbol.asyncIterator]: () => this.iterate(start, keep) };
  }

  private wake(): void {
    const waiters = this.waiters;
    if (waiters.length === 0) return;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
