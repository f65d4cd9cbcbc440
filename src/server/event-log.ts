// The contract between the instances of a Weft server: each run's events in order with ids, the
// small thread/run records every instance must see, and cancel requests that reach the instance
// running the run. In-process by default (memory-event-log.ts); SQLite for `weft serve`'s embedded
// default (sqlite-event-log.ts); Redis or Postgres for several instances.

/**
 * One logged event: its id (usable as SSE `Last-Event-ID`), its SSE name, and its JSON data. The logs
 * give a SerializedEvent (serialized-event.ts), whose `json` is the data as stored, sent on the wire as
 * is, and whose `data` is a getter that parses it: copy one as `{ id, event, data }`, not by spreading.
 */
export interface LoggedEvent {
  readonly id: string;
  readonly event: string;
  readonly data: unknown;
  /** The data's JSON (eventDataJson), when the log holds it serialized. */
  readonly json?: string;
}

/** Where a reader starts: the first event, only events appended from now on, or after an id. */
export type ReadFrom = { start: true } | { now: true } | { after: string };

export type RecordKind = "thread" | "run";

/**
 * What `onCancelRequest` returns: call it to unsubscribe; await `ready` before relying on hearing
 * requests made elsewhere.
 *
 * @example
 * const stop = eventLog.onCancelRequest((runId) => abortRun(runId));
 * await stop.ready;
 */
export interface CancelSubscription {
  (): void;
  readonly ready: Promise<void>;
}

/** An event to append: its SSE name and its JSON data (the log gives it its id). */
export interface NewEvent {
  event: string;
  data: unknown;
  /**
   * The data's JSON (eventDataJson: one line), when the appender made it: the log stores it as is,
   * and must then not read `data`, which may be a getter that builds it (a server's message events).
   */
  json?: string;
}

export interface EventLog {
  /** Add an event to the run's log; resolves to its id. Ids increase within a run. */
  append(runId: string, event: string, data: unknown): Promise<string>;
  /**
   * Add events to the run's log in order, in one write (one round trip to Redis, one SQLite
   * transaction); resolves to their ids. Readers see all of them or, until it resolves, none.
   */
  appendMany(runId: string, events: readonly NewEvent[]): Promise<string[]>;
  /** The run's log is complete: readers end after its last event; it is kept for the log's TTL. */
  end(runId: string): Promise<void>;
  /**
   * The run's events from `from`, following the log until it ends or `signal` aborts.
   * Throws a WeftError SERVER (details.status 400/404/410) when `after` is not an id of this log
   * or its events are gone.
   */
  read(runId: string, from: ReadFrom, signal?: AbortSignal): AsyncIterable<LoggedEvent>;
  /**
   * What `read` gives, in batches: each one the events the log has at hand at once (up to READ_BATCH:
   * a page of rows, one XREAD, what a live run appended since the last batch), so a reader such as the
   * SSE writer takes a run's events with one await per batch instead of one per event. Optional for
   * a log of your own: without it, readers take `read`'s events one by one (batchesOf).
   */
  readBatches?(runId: string, from: ReadFrom, signal?: AbortSignal): AsyncIterable<readonly LoggedEvent[]>;
  /** Throws what `read` would throw for `from` (unknown run 404, bad id 400, dropped events 410), without reading. */
  check(runId: string, from: ReadFrom): Promise<void>;
  /** Save a thread or run record (JSON) for every instance to read. */
  putRecord(kind: RecordKind, id: string, value: Record<string, unknown>): Promise<void>;
  getRecord<Value extends Record<string, unknown>>(kind: RecordKind, id: string): Promise<Value | undefined>;
  /** Ask whichever instance runs `runId` to cancel it. */
  requestCancel(runId: string): Promise<void>;
  /**
   * Called with the run id of every cancel request; returns a function that unsubscribes, whose
   * `ready` resolves once requests reach the listener (a Redis log has subscribed) and rejects with
   * a WeftError SERVER when the subscription failed.
   */
  onCancelRequest(listener: (runId: string) => void): CancelSubscription;
  /** Release timers and connections. */
  close(): Promise<void>;
}

/** The bounds every event log takes: how long and how much of each run's log it keeps. */
export interface EventLogBounds {
  /** Milliseconds a run's log (and its record) is kept after the run ends. Default 10 minutes. */
  ttlMs?: number;
  /** Events kept per run; older ones are dropped (a resume before them gets 410). Default 10,000. */
  maxEventsPerRun?: number;
  /**
   * Bytes of event data (as JSON) kept per run; older events are dropped past it, and a reader that
   * falls behind them gets an explicit EVENTS_LOST error event naming the lost ids. Default 8 MiB.
   */
  maxBytesPerRun?: number;
}

/** A run's log whose process died without ending it is dropped this long after its last event. */
export const ABANDONED_MS = 86_400_000;
/** Events one read takes from a stored log at a time. */
export const READ_BATCH = 256;

/** A run's events from `log` in batches: its `readBatches`, or each event of its `read` alone. */
export function batchesOf(log: EventLog, runId: string, from: ReadFrom, signal?: AbortSignal): AsyncIterable<readonly LoggedEvent[]> {
  return log.readBatches?.(runId, from, signal) ?? singles(log.read(runId, from, signal));
}

async function* singles(events: AsyncIterable<LoggedEvent>): AsyncIterable<readonly LoggedEvent[]> {
  for await (const event of events) yield [event];
}

/** The events of `batches` one by one: `read` for a log that implements `readBatches`. */
export async function* eventsOf(batches: AsyncIterable<readonly LoggedEvent[]>): AsyncIterable<LoggedEvent> {
  for await (const batch of batches) yield* batch;
}
