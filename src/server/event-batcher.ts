// A run's events on their way to the event log: while one write is in flight, the events the run
// produces meanwhile gather, and go in the next write with one `appendMany` (one Redis round trip
// for all of them), so a log across the network costs a round trip per batch, not per token.
import type { EventLog, NewEvent } from "./event-log.js";

/** Events gathered before `add` waits for the log to take them (the run's backpressure). Default 512. */
const MAX_PENDING = 512;

/**
 * Batches the appends of one run, in order. `add` takes an event at once unless `maxPending` events
 * wait, then gives a promise of the log taking them; a failed write fails the next `add` and `flush`.
 *
 * @example
 * const batcher = new EventBatcher(log, runId);
 * for await (const item of stream) await batcher.add({ event: "messages", data: item }); // or skip the await when it gives undefined
 * await batcher.flush();
 */
export class EventBatcher {
  private pending: NewEvent[] = [];
  private writing: Promise<void> | undefined;
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly log: EventLog,
    private readonly runId: string,
    private readonly maxPending = MAX_PENDING,
  ) {}

  /**
   * Queue an event. Returns undefined when it was taken at once (no promise, no await per token on a
   * run's hot path), else a promise that settles once the log has taken the pending events.
   */
  add(event: NewEvent): Promise<void> | undefined {
    if (this.failure !== undefined) return Promise.reject(this.failure.error);
    this.pending.push(event);
    this.writing ??= this.write();
    return this.pending.length >= this.maxPending ? this.flush() : undefined;
  }

  /** Resolves once every event added so far is in the log; rejects with the write's error if one failed. */
  async flush(): Promise<void> {
    while (this.writing !== undefined) await this.writing;
    if (this.failure !== undefined) throw this.failure.error;
  }

  /** Writes what is pending, then what gathered during that write, until nothing is left; never rejects. */
  private async write(): Promise<void> {
    // Started by `add`: begin on the next turn of the event loop, with everything the run produced
    // until then (a log that answers at once, as memory and SQLite do, would otherwise take one event per write).
    await new Promise((resolve) => setImmediate(resolve));
    try {
      while (this.pending.length > 0 && this.failure === undefined) {
        const batch = this.pending;
        this.pending = [];
        await this.log.appendMany(this.runId, batch);
      }
    } catch (error) {
      this.failure = { error };
    } finally {
      this.writing = undefined;
    }
  }
}
