// An EventLog in Redis Streams, so several server processes share runs: a run executing on one
// instance streams to clients connected to any other, and they can resume there by event id.
import type { Redis, RedisOptions } from "ioredis";
import { WeftError, describeError } from "../errors.js";
import type { CancelSubscription, EventLog, LoggedEvent, ReadFrom, RecordKind } from "./event-log.js";
import { eventsLost } from "./memory-event-log.js";

export interface RedisEventLogOptions {
  /** A `redis://` URL (default "redis://127.0.0.1:6379"), or ioredis options. */
  url?: string;
  redis?: RedisOptions;
  /** Prefix of every key and channel, so several apps or test runs share one Redis. Default "weft:". */
  keyPrefix?: string;
  /** Milliseconds a run's log and record are kept after it ends. Default 10 minutes. */
  ttlMs?: number;
  /** Approximate cap on events per run (XADD MAXLEN ~). Default 10,000. */
  maxEventsPerRun?: number;
  /** Milliseconds one blocking read waits before checking the signal again. Default 5,000. */
  blockMs?: number;
}

const END_FIELD = "end";
const EVENT_FIELD = "e";

/**
 * Create an EventLog on Redis Streams (`ioredis` is an optional peer dependency, loaded here).
 *
 * @example
 * const eventLog = await createRedisEventLog({ url: "redis://127.0.0.1:6379", keyPrefix: "myapp:" });
 * const handler = createHandler({ graphs: { agent }, eventLog });
 */
export async function createRedisEventLog(options: RedisEventLogOptions = {}): Promise<EventLog> {
  let RedisClass: typeof import("ioredis").Redis;
  try {
    RedisClass = (await import("ioredis")).Redis;
  } catch (error) {
    throw new WeftError("MISSING_DEPENDENCY", "The Redis event log needs the `ioredis` package: npm install ioredis.", { cause: error });
  }
  const url = options.url ?? "redis://127.0.0.1:6379";
  const connect = () =>
    new RedisClass(url, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true, ...options.redis });
  const client = connect();
  try {
    await client.ping();
  } catch (error) {
    client.disconnect();
    throw new WeftError("SERVER", `Cannot reach Redis at ${url}: ${describeError(error)}. Start Redis or pass another url.`, { cause: error });
  }
  return new RedisEventLog(client, connect, options);
}

class RedisEventLog implements EventLog {
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly maxEvents: number;
  private readonly blockMs: number;
  private readonly readers = new Set<Redis>();
  private readonly cancelListeners = new Set<(runId: string) => void>();
  private subscriber: Redis | undefined;
  /** Settles once the subscriber listens on the cancel channel (shared by every listener). */
  private subscribed: Promise<void> | undefined;
  /** Runs appended here whose key already has its safety expiry. */
  private readonly expiring = new Set<string>();

  constructor(
    private readonly client: Redis,
    private readonly connect: () => Redis,
    options: RedisEventLogOptions,
  ) {
    this.prefix = options.keyPrefix ?? "weft:";
    this.ttlMs = options.ttlMs ?? 600_000;
    this.maxEvents = options.maxEventsPerRun ?? 10_000;
    this.blockMs = options.blockMs ?? 5_000;
  }

  private eventsKey(runId: string): string {
    return `${this.prefix}events:${runId}`;
  }

  private recordKey(kind: RecordKind, id: string): string {
    return `${this.prefix}${kind}:${id}`;
  }

  private get cancelChannel(): string {
    return `${this.prefix}cancel`;
  }

  async append(runId: string, event: string, data: unknown): Promise<string> {
    const key = this.eventsKey(runId);
    const id = await this.client.xadd(key, "MAXLEN", "~", this.maxEvents, "*", EVENT_FIELD, JSON.stringify({ event, data }));
    // A log whose run never ends (its process died) must not stay forever.
    if (!this.expiring.has(runId)) {
      this.expiring.add(runId);
      await this.client.pexpire(key, Math.max(this.ttlMs, 86_400_000));
    }
    return id!;
  }

  async end(runId: string): Promise<void> {
    this.expiring.delete(runId);
    const key = this.eventsKey(runId);
    await this.client.multi().xadd(key, "*", END_FIELD, "1").pexpire(key, this.ttlMs).pexpire(this.recordKey("run", runId), this.ttlMs).exec();
  }

  /** The id to read after, or undefined when reading "now" from a log that already ended. */
  private async startCursor(runId: string, from: ReadFrom): Promise<string | undefined> {
    const last = await this.client.xrevrange(this.eventsKey(runId), "+", "-", "COUNT", 1);
    if (last.length === 0) {
      throw new WeftError("SERVER", `No events for run ${runId}: it does not exist or its log expired.`, { details: { status: 404 } });
    }
    if ("start" in from) return "0-0";
    if ("now" in from) return isEnd(last[0]![1]) ? undefined : last[0]![0];
    if (!/^\d{1,20}-\d{1,20}$/.test(from.after)) {
      throw new WeftError("SERVER", `Last-Event-ID ${JSON.stringify(from.after.slice(0, 40))} is not an event id of this run; send an id the stream gave you.`, {
        details: { status: 400, field: "Last-Event-ID" },
      });
    }
    return from.after;
  }

  async check(runId: string, from: ReadFrom): Promise<void> {
    await this.startCursor(runId, from);
    if ("after" in from) {
      const trimmed = await this.trimmedThrough(this.eventsKey(runId));
      if (compareIds(from.after, trimmed) < 0) {
        throw new WeftError(
          "SERVER",
          `The events of run ${runId} after id ${from.after} up to id ${trimmed} were dropped (the log keeps about ${this.maxEvents} events per run); resume after id ${trimmed}, or read the thread's state (GET /threads/{thread_id}/state).`,
          { details: { status: 410 } },
        );
      }
    }
  }

  /** The id of the newest event XADD MAXLEN trimmed from the stream ("0-0" when none). */
  private async trimmedThrough(key: string): Promise<string> {
    const info = (await this.client.call("XINFO", "STREAM", key)) as unknown[];
    const index = info.indexOf("max-deleted-entry-id");
    return index < 0 ? "0-0" : String(info[index + 1]);
  }

  async *read(runId: string, from: ReadFrom, signal?: AbortSignal): AsyncIterable<LoggedEvent> {
    const key = this.eventsKey(runId);
    let cursor = await this.startCursor(runId, from);
    if (cursor === undefined) return;
    // A blocking XREAD holds its connection, so each reader has its own; abort disconnects it.
    const reader = this.connect();
    this.readers.add(reader);
    const onAbort = () => reader.disconnect();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      while (!signal?.aborted) {
        let reply: [string, [string, string[]][]][] | null;
        try {
          reply = (await reader.xread("COUNT", 256, "BLOCK", this.blockMs, "STREAMS", key, cursor)) as typeof reply;
        } catch (error) {
          if (signal?.aborted) return;
          throw new WeftError("SERVER", `Reading run ${runId}'s events from Redis failed: ${describeError(error)}`, { cause: error });
        }
        if (reply === null) continue;
        // XREAD returns what is there after the cursor; events trimmed meanwhile must not vanish silently.
        const trimmed = await this.trimmedThrough(key);
        if (compareIds(cursor, trimmed) < 0) {
          yield eventsLost(runId, cursor, trimmed);
          return;
        }
        for (const [, entries] of reply) {
          for (const [id, fields] of entries) {
            cursor = id;
            if (isEnd(fields)) return;
            const { event, data } = JSON.parse(fields[1]!) as { event: string; data: unknown };
            yield { id, event, data };
          }
        }
      }
    } finally {
      signal?.removeEventListener("abort", onAbort);
      this.readers.delete(reader);
      reader.disconnect();
    }
  }

  async putRecord(kind: RecordKind, id: string, value: Record<string, unknown>): Promise<void> {
    await this.client.set(this.recordKey(kind, id), JSON.stringify(value));
  }

  async getRecord<Value extends Record<string, unknown>>(kind: RecordKind, id: string): Promise<Value | undefined> {
    const text = await this.client.get(this.recordKey(kind, id));
    return text === null ? undefined : (JSON.parse(text) as Value);
  }

  async requestCancel(runId: string): Promise<void> {
    await this.client.publish(this.cancelChannel, runId);
  }

  onCancelRequest(listener: (runId: string) => void): CancelSubscription {
    if (this.subscribed === undefined) {
      // SUBSCRIBE holds its connection, so cancel requests get a connection of their own.
      const subscriber = this.connect();
      this.subscriber = subscriber;
      subscriber.on("message", (channel: string, runId: string) => {
        if (channel !== this.cancelChannel) return;
        for (const each of this.cancelListeners) each(runId);
      });
      const channel = this.cancelChannel;
      this.subscribed = subscriber.subscribe(channel).then(
        () => undefined,
        (error: unknown) => {
          throw new WeftError("SERVER", `Subscribing to Redis channel ${channel} for cancel requests failed: ${describeError(error)}`, { cause: error });
        },
      );
      // Reported through `ready`; a caller that does not await it must not crash the process.
      this.subscribed.catch(() => undefined);
    }
    this.cancelListeners.add(listener);
    return Object.assign(() => void this.cancelListeners.delete(listener), { ready: this.subscribed });
  }

  async close(): Promise<void> {
    for (const reader of this.readers) reader.disconnect();
    this.readers.clear();
    this.cancelListeners.clear();
    this.subscriber?.disconnect();
    this.subscriber = undefined;
    this.subscribed = undefined;
    await this.client.quit().catch(() => this.client.disconnect());
  }
}

/** Order of two stream ids ("ms-seq"): negative when a comes first. */
function compareIds(a: string, b: string): number {
  const [aMs, aSeq] = a.split("-").map(BigInt) as [bigint, bigint];
  const [bMs, bSeq] = b.split("-").map(BigInt) as [bigint, bigint];
  if (aMs !== bMs) return aMs < bMs ? -1 : 1;
  return aSeq === bSeq ? 0 : aSeq < bSeq ? -1 : 1;
}

function isEnd(fields: string[]): boolean {
  return fields[0] === END_FIELD;
}
