// The stream bus of one run: every producer (model adapters, writers, the superstep loop) pushes here,
// and the caller's `for await` pulls from here. One queue hop from a model chunk to the consumer.
import { WeftError } from "../errors.js";
import { keepShape } from "../core/keep-shape.js";

export type StreamMode = "values" | "updates" | "messages" | "custom" | "debug" | "tools";
export const STREAM_MODES: readonly StreamMode[] = ["values", "updates", "messages", "custom", "debug", "tools"];

export interface RunStreamOptions {
  modes: readonly StreamMode[];
  /** Output shape: yield `[mode, chunk]` instead of `chunk`. */
  modeTuples: boolean;
  /** Include values/updates/debug of subgraphs, and yield `[namespace, ...]`. */
  subgraphs: boolean;
  /** Buffered events above which async producers wait for the consumer. */
  highWaterMark?: number;
}

type Resolve = (result: IteratorResult<unknown>) => void;
type Reject = (error: unknown) => void;

const DONE: IteratorResult<unknown> = Object.freeze({ value: undefined, done: true }) as IteratorResult<unknown>;
const NO_NAMESPACE: readonly string[] = Object.freeze([]);

/**
 * A bounded single-consumer queue with backpressure.
 *
 * Policy: async producers (model adapters, `await`ing loops) check `mustWait` after a push and await
 * `drained()`; they resume once the consumer has taken the buffer down to half the high-water mark.
 * Synchronous producers (a `writer` called in a tight loop) cannot be paused; their events are kept,
 * never dropped, and the next async producer waits until the consumer catches up.
 */
export class RunStream implements AsyncIterator<unknown> {
  readonly wantsValues: boolean;
  readonly wantsUpdates: boolean;
  readonly wantsMessages: boolean;
  readonly wantsCustom: boolean;
  readonly wantsDebug: boolean;
  readonly wantsTools: boolean;
  readonly subgraphs: boolean;
  private readonly modeTuples: boolean;
  private readonly highWaterMark: number;
  private readonly lowWaterMark: number;

  // Ring buffer of formatted events.
  private buffer: unknown[];
  private mask: number;
  private head = 0;
  private size = 0;

  private waitingConsumer: Resolve | undefined;
  private waitingConsumerReject: Reject | undefined;
  /** Further next() calls made before the waiting one was answered (allowed by the async-iterator protocol). */
  private queuedConsumers: Array<[Resolve, Reject]> = [];
  private drainWaiters: Array<() => void> = [];
  private closed = false;
  private failure: { error: unknown } | undefined;
  /** Ids of the messages this run has streamed (as chunks or whole), so none is streamed twice. Made on first use. */
  private streamedMessageIds: Set<string> | undefined;
  /** Called when the consumer leaves early (`return()`), so the run can be aborted. */
  onCancel: ((reason: unknown) => void) | undefined;

  constructor(options: RunStreamOptions) {
    const modes = options.modes;
    this.wantsValues = modes.includes("values");
    this.wantsUpdates = modes.includes("updates");
    this.wantsMessages = modes.includes("messages");
    this.wantsCustom = modes.includes("custom");
    this.wantsDebug = modes.includes("debug");
    this.wantsTools = modes.includes("tools");
    this.subgraphs = options.subgraphs;
    this.modeTuples = options.modeTuples;
    this.highWaterMark = Math.max(2, options.highWaterMark ?? 1024);
    this.lowWaterMark = Math.floor(this.highWaterMark / 2);
    // Start at most at 1024 slots; grow() doubles on demand (a huge highWaterMark must not allocate or loop up front).
    let capacity = 16;
    while (capacity < Math.min(this.highWaterMark, 1024)) capacity <<= 1;
    this.buffer = new Array(capacity);
    this.mask = capacity - 1;
  }

  /** True once the buffer is at the high-water mark: an async producer should `await drained()`. */
  get mustWait(): boolean {
    return this.size >= this.highWaterMark && this.waitingConsumer === undefined && !this.closed;
  }

  /** Events buffered and not yet taken by the consumer. */
  get buffered(): number {
    return this.size;
  }

  /**
   * Queue an event. The caller has already checked that its mode is wanted (the `wants*` flags),
   * so nothing is built for modes nobody reads. Namespaced events other than messages, custom and
   * tools are dropped unless `subgraphs` was asked for.
   */
  push(mode: StreamMode, namespace: readonly string[], payload: unknown): void {
    if (this.closed) return;
    let item: unknown = payload;
    if (this.subgraphs) {
      item = this.modeTuples ? [namespace, mode, payload] : [namespace, payload];
    } else {
      if (namespace.length > 0 && mode !== "messages" && mode !== "custom" && mode !== "tools") return;
      if (this.modeTuples) item = [mode, payload];
    }
    const consumer = this.waitingConsumer;
    if (consumer !== undefined) {
      this.waitingConsumer = undefined;
      this.waitingConsumerReject = undefined;
      if (this.queuedConsumers.length > 0) this.promoteQueuedConsumer();
      consumer({ value: item, done: false });
      return;
    }
    if (this.size > this.mask) this.grow();
    this.buffer[(this.head + this.size) & this.mask] = item;
    this.size++;
  }

  /** Remember that the message with this id reached `messages` mode (once per model call, not per token). */
  markStreamed(messageId: string): void {
    (this.streamedMessageIds ??= new Set()).add(messageId);
  }

  /** True when the message with this id already reached `messages` mode in this run. */
  wasStreamed(messageId: string): boolean {
    return this.streamedMessageIds !== undefined && this.streamedMessageIds.has(messageId);
  }

  /** Resolves when the consumer has taken the buffer below the low-water mark (or the stream closed). */
  drained(): Promise<void> {
    if (!this.mustWait) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** The run finished: the consumer gets what is buffered, then `done`. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.releaseProducers();
    const resolve = this.waitingConsumer;
    const reject = this.waitingConsumerReject;
    if (resolve !== undefined && this.size === 0) {
      this.waitingConsumer = undefined;
      this.waitingConsumerReject = undefined;
      if (this.failure) {
        const error = this.failure.error;
        this.failure = undefined;
        reject!(error);
      } else {
        resolve(DONE);
      }
      this.endQueuedConsumers();
    }
  }

  /** The run failed: the consumer gets what is buffered, then the error is thrown. */
  fail(error: unknown): void {
    if (this.closed) return;
    this.failure = { error };
    this.close();
  }

  next(): Promise<IteratorResult<unknown>> {
    // A next() while another is still waiting (e.g. Promise.all of two next() calls): queue it in order.
    if (this.waitingConsumer !== undefined) return new Promise((resolve, reject) => this.queuedConsumers.push([resolve, reject]));
    if (this.size > 0) {
      const index = this.head;
      const value = this.buffer[index];
      this.buffer[index] = undefined;
      this.head = (index + 1) & this.mask;
      this.size--;
      if (this.drainWaiters.length > 0 && this.size <= this.lowWaterMark) this.releaseProducers();
      return Promise.resolve({ value, done: false });
    }
    if (this.closed) {
      if (this.failure) {
        const error = this.failure.error;
        this.failure = undefined; // thrown once; later calls see `done`
        return Promise.reject(error);
      }
      return Promise.resolve(DONE);
    }
    if (this.drainWaiters.length > 0) this.releaseProducers();
    return new Promise(this.parkConsumer);
  }

  // Created once: a fresh executor closure per awaited chunk is measurable garbage on the hot path.
  private readonly parkConsumer = (resolve: Resolve, reject: Reject): void => {
    this.waitingConsumer = resolve;
    this.waitingConsumerReject = reject;
  };

  /** The consumer left the loop early: cancel the run. */
  return(): Promise<IteratorResult<unknown>> {
    if (!this.closed) {
      this.onCancel?.(new WeftError("ABORTED", "The consumer stopped reading the stream; the run was cancelled."));
    }
    this.discard();
    return Promise.resolve(DONE);
  }

  throw(error?: unknown): Promise<IteratorResult<unknown>> {
    if (!this.closed) this.onCancel?.(error);
    this.discard();
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private discard(): void {
    this.closed = true;
    this.failure = undefined;
    this.buffer.fill(undefined);
    this.size = 0;
    this.releaseProducers();
    const consumer = this.waitingConsumer;
    this.waitingConsumer = undefined;
    this.waitingConsumerReject = undefined;
    consumer?.(DONE);
    this.endQueuedConsumers();
  }

  private promoteQueuedConsumer(): void {
    const [resolve, reject] = this.queuedConsumers.shift()!;
    this.waitingConsumer = resolve;
    this.waitingConsumerReject = reject;
  }

  /** The stream ended: queued next() calls see `done` (an error is thrown once, to the first caller). */
  private endQueuedConsumers(): void {
    const queued = this.queuedConsumers;
    this.queuedConsumers = [];
    for (const [resolve] of queued) resolve(DONE);
  }

  private releaseProducers(): void {
    const waiters = this.drainWaiters;
    if (waiters.length === 0) return;
    this.drainWaiters = [];
    for (const wake of waiters) wake();
  }

  private grow(): void {
    const old = this.buffer;
    const capacity = old.length * 2;
    const next = new Array(capacity);
    for (let i = 0; i < this.size; i++) next[i] = old[(this.head + i) & this.mask];
    this.buffer = next;
    this.head = 0;
    this.mask = capacity - 1;
  }
}

// The anchor also runs the token path's methods once: V8 compiles a function on its first call, and
// on a process's first run that call would fall between the first token and its delivery.
const anchor = keepShape(new RunStream({ modes: [], modeTuples: false, subgraphs: false }));
anchor.push("custom", NO_NAMESPACE, undefined);
void anchor.mustWait;
void anchor.next();

export { NO_NAMESPACE };
