// The default event log: in this process, bounded per run and in number of runs, with a TTL
// after a run ends so late joiners can still resume.
import { WeftError } from "../errors.js";
import { BlockPool, EventBlocks } from "./event-blocks.js";
import { eventDataJson } from "./event-json.js";
import { type CancelSubscription, type EventLog, type EventLogBounds, type LoggedEvent, type NewEvent, type ReadFrom, type RecordKind, READ_BATCH, eventsOf } from "./event-log.js";
import { SerializedEvent } from "./serialized-event.js";
import { checkKept, positiveOption, runNotFound, startSequence } from "./sequence-ids.js";

export interface MemoryEventLogOptions extends EventLogBounds {
  /** Runs whose logs are kept; the oldest ended runs are dropped first. Default 1,000. */
  maxRuns?: number;
  /** Thread records kept; the least recently written are dropped. Default 10,000. */
  maxThreads?: number;
  /**
   * Bytes of memory the logs of all runs take (the blocks their events are stored in); past it the
   * logs of ended runs are dropped, oldest first. Default 256 MiB.
   */
  maxBytes?: number;
}

/** Spare 64 KiB event blocks a log keeps for reuse (4 MiB). */
const SPARE_BLOCKS = 64;

interface RunLog {
  /** The kept events, serialized, outside the heap (event-blocks.ts). */
  events: EventBlocks;
  /** Sequence number of the oldest kept event. */
  firstSequence: number;
  nextSequence: number;
  ended: boolean;
  wake: Set<() => void>;
  expiry: ReturnType<typeof setTimeout> | undefined;
}

/**
 * An EventLog held in this process. Ids are decimal sequence numbers starting at 1. Events are kept
 * as the UTF-8 of their JSON in blocks outside the JavaScript heap, so the bytes it counts against
 * its bounds are the memory it holds.
 *
 * @example
 * const handler = createHandler({ graphs: { agent }, eventLog: new MemoryEventLog({ ttlMs: 60_000 }) });
 */
export class MemoryEventLog implements EventLog {
  private readonly logs = new Map<string, RunLog>();
  private readonly threads = new Map<string, Record<string, unknown>>();
  private readonly runs = new Map<string, Record<string, unknown>>();
  private readonly cancelListeners = new Set<(runId: string) => void>();
  private readonly maxEventsPerRun: number;
  private readonly maxRuns: number;
  private readonly maxThreads: number;
  private readonly ttlMs: number;
  private readonly maxBytesPerRun: number;
  private readonly maxBytes: number;
  private totalBytes = 0;
  private readonly blocks = new BlockPool(SPARE_BLOCKS);

  constructor(options: MemoryEventLogOptions = {}) {
    this.maxEventsPerRun = positiveOption(options.maxEventsPerRun, 10_000, "maxEventsPerRun", "MemoryEventLog");
    this.maxRuns = positiveOption(options.maxRuns, 1_000, "maxRuns", "MemoryEventLog");
    this.maxThreads = positiveOption(options.maxThreads, 10_000, "maxThreads", "MemoryEventLog");
    this.ttlMs = positiveOption(options.ttlMs, 600_000, "ttlMs", "MemoryEventLog");
    this.maxBytesPerRun = positiveOption(options.maxBytesPerRun, 8 * 1024 * 1024, "maxBytesPerRun", "MemoryEventLog");
    this.maxBytes = positiveOption(options.maxBytes, 256 * 1024 * 1024, "maxBytes", "MemoryEventLog");
  }

  async append(runId: string, event: string, data: unknown): Promise<string> {
    return this.add(runId, event, eventDataJson(event, data));
  }

  async appendMany(runId: string, events: readonly NewEvent[]): Promise<string[]> {
    // `data` is read only when there is no `json`: a server's message events make it on demand.
    return events.map((each) => this.add(runId, each.event, each.json ?? eventDataJson(each.event, each.data)));
  }

  private add(runId: string, event: string, json: string): string {
    const log = this.logOf(runId, true)!;
    if (log.ended) throw new WeftError("SERVER", `Run ${runId} has ended; its log takes no more events.`);
    const id = String(log.nextSequence++);
    const held = log.events.held;
    log.events.push(event, json);
    // The newest event always stays, so a live reader never loses one.
    while (log.events.count > 1 && (log.events.count > this.maxEventsPerRun || log.events.size > this.maxBytesPerRun)) {
      log.events.shift();
      log.firstSequence++;
    }
    this.totalBytes += log.events.held - held;
    if (this.totalBytes > this.maxBytes) this.evictBytes();
    this.wakeReaders(log);
    return id;
  }

  async end(runId: string): Promise<void> {
    const log = this.logOf(runId, true)!;
    if (log.ended) return;
    log.ended = true;
    log.expiry = setTimeout(() => this.forget(runId), this.ttlMs);
    log.expiry.unref?.();
    this.wakeReaders(log);
  }

  async check(runId: string, from: ReadFrom): Promise<void> {
    const log = this.logOf(runId, false);
    if (log === undefined) throw runNotFound(runId);
    const next = this.startSequence(log, from);
    if ("after" in from) this.checkKept(runId, log, next);
  }

  read(runId: string, from: ReadFrom, signal?: AbortSignal): AsyncIterable<LoggedEvent> {
    return eventsOf(this.readBatches(runId, from, signal));
  }

  async *readBatches(runId: string, from: ReadFrom, signal?: AbortSignal): AsyncIterable<readonly LoggedEvent[]> {
    const log = this.logOf(runId, false);
    if (log === undefined) throw runNotFound(runId);
    let next = this.startSequence(log, from);
    if ("after" in from) this.checkKept(runId, log, next);
    while (!signal?.aborted) {
      if (next < log.firstSequence) {
        // The reader fell behind what the log keeps: say so, with the ids it lost, and stop.
        yield [eventsLost(runId, String(next - 1), String(log.firstSequence - 1))];
        return;
      }
      const index = next - log.firstSequence;
      if (index < log.events.count) {
        const end = Math.min(log.events.count, index + READ_BATCH);
        const batch: LoggedEvent[] = [];
        for (let at = index; at < end; at++) {
          const { name, json } = log.events.at(at);
          batch.push(new SerializedEvent(String(next++), name, json));
        }
        yield batch;
        continue;
      }
      if (log.ended) return;
      await new Promise<void>((resolve) => {
        const done = () => {
          log.wake.delete(done);
          signal?.removeEventListener("abort", done);
          resolve();
        };
        log.wake.add(done);
        signal?.addEventListener("abort", done, { once: true });
      });
    }
  }

  async putRecord(kind: RecordKind, id: string, value: Record<string, unknown>): Promise<void> {
    const map = kind === "thread" ? this.threads : this.runs;
    map.delete(id);
    map.set(id, structuredClone(value));
    if (kind === "thread" && map.size > this.maxThreads) map.delete(map.keys().next().value!);
  }

  async getRecord<Value extends Record<string, unknown>>(kind: RecordKind, id: string): Promise<Value | undefined> {
    const value = (kind === "thread" ? this.threads : this.runs).get(id);
    return value === undefined ? undefined : (structuredClone(value) as Value);
  }

  async requestCancel(runId: string): Promise<void> {
    for (const listener of this.cancelListeners) listener(runId);
  }

  onCancelRequest(listener: (runId: string) => void): CancelSubscription {
    this.cancelListeners.add(listener);
    return Object.assign(() => void this.cancelListeners.delete(listener), { ready: Promise.resolve() });
  }

  async close(): Promise<void> {
    for (const [runId, log] of this.logs) {
      if (log.expiry !== undefined) clearTimeout(log.expiry);
      this.wakeReaders(log);
      log.events.clear();
      this.logs.delete(runId);
    }
    this.totalBytes = 0;
    this.cancelListeners.clear();
  }

  private checkKept(runId: string, log: RunLog, next: number): void {
    checkKept(runId, next, log.firstSequence, { maxEventsPerRun: this.maxEventsPerRun, maxBytesPerRun: this.maxBytesPerRun });
  }

  private startSequence(log: RunLog, from: ReadFrom): number {
    return startSequence(log.nextSequence, from);
  }

  private logOf(runId: string, create: boolean): RunLog | undefined {
    let log = this.logs.get(runId);
    if (log === undefined && create) {
      log = { events: new EventBlocks(this.blocks), firstSequence: 1, nextSequence: 1, ended: false, wake: new Set(), expiry: undefined };
      this.logs.set(runId, log);
      this.evictRuns();
    }
    return log;
  }

  /** Over the run limit: drop the oldest ended runs (running runs are never dropped). */
  private evictRuns(): void {
    if (this.logs.size <= this.maxRuns) return;
    for (const [runId, log] of this.logs) {
      if (this.logs.size <= this.maxRuns) break;
      if (log.ended) this.forget(runId);
    }
  }

  /** Over the byte limit of all runs: drop the logs of ended runs, oldest first. */
  private evictBytes(): void {
    for (const [runId, log] of this.logs) {
      if (this.totalBytes <= this.maxBytes) break;
      if (log.ended) this.forget(runId);
    }
  }

  private forget(runId: string): void {
    const log = this.logs.get(runId);
    if (log?.expiry !== undefined) clearTimeout(log.expiry);
    if (log !== undefined) {
      this.totalBytes -= log.events.held;
      log.events.clear();
      // A reader still on this log has lost what it had not read: it says so (EVENTS_LOST), never ends quietly.
      log.firstSequence = log.nextSequence;
      this.wakeReaders(log);
    }
    this.logs.delete(runId);
    this.runs.delete(runId);
  }

  private wakeReaders(log: RunLog): void {
    for (const wake of [...log.wake]) wake();
  }
}

/**
 * The event a reader gets instead of events that were dropped: it names them, and its id is the last
 * lost one, so resuming with it as Last-Event-ID continues with the first event still kept.
 */
export function eventsLost(runId: string, lostAfterId: string, lastLostId: string): LoggedEvent {
  return {
    id: lastLostId,
    event: "error",
    data: {
      error: "EVENTS_LOST",
      message: `The events of run ${runId} after id ${lostAfterId} up to id ${lastLostId} were dropped before this client read them (the server keeps a bounded log per run). Resume with Last-Event-ID ${lastLostId} for the events after them, and read the thread's state (GET /threads/{thread_id}/state) for what they changed.`,
      run_id: runId,
      lost_after_id: lostAfterId,
      last_lost_id: lastLostId,
    },
  };
}
