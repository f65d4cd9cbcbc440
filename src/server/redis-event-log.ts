// An EventLog in Redis Streams, so several server processes share runs: a run executing on one
// instance streams to clients connected to any other, and they can resume there by event id.
import type { Redis, RedisOptions } from "ioredis";
import { WeftError, describeError } from "../errors.js";
import { ABANDONED_MS, READ_BATCH, eventsOf, type CancelSubscription, type EventLog, type EventLogBounds, type LoggedEvent, type NewEvent, type ReadFrom, type RecordKind } from "./event-log.js";
import { eventDataJson } from "./event-json.js";
import { SerializedEvent } from "./serialized-event.js";
import { eventsLost } from "./memory-event-log.js";

export interface RedisEventLogOptions extends EventLogBounds {
  /** A `redis://` URL (default "redis://127.0.0.1:6379"), or ioredis options. */
  url?: string;
  redis?: RedisOptions;
  /** Prefix of every key and channel, so several apps or test runs share one Redis. Default "weft:". */
  keyPrefix?: string;
  /** Milliseconds one blocking read waits before checking the signal again. Default 5,000. */
  blockMs?: number;
}

// Each stream entry is ["n", <sequence>, "e", <{event, data} JSON>], or ["n", <sequence>, "end", "1"]
// for the end marker. The sequence (1, 2, 3, ... per run, in the run's meta hash with the bytes kept
// and the id of the newest trimmed entry)
// lets a reader see that the entry it reads is not the one after its cursor: events were trimmed.
// Appending and trimming are one script, so no reader sees a half-trimmed stream.
const APPEND_SCRIPT = `
local stream, meta = KEYS[1], KEYS[2]
local maxBytes, maxEvents, expireMs = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
if redis.call('HGET', meta, 'ended') == '1' then return redis.error_reply('ENDED the run has ended') end
local sequence = tonumber(redis.call('HGET', meta, 'next') or '1')
local bytes = tonumber(redis.call('HGET', meta, 'bytes') or '0')
local ids = {}
for index = 4, #ARGV do
  ids[#ids + 1] = redis.call('XADD', stream, '*', 'n', sequence, 'e', ARGV[index])
  sequence = sequence + 1
  bytes = bytes + #ARGV[index]
end
local length = redis.call('XLEN', stream)
if bytes > maxBytes or length > maxEvents then
  -- Drop the oldest entries past the bounds; the newest always stays, so a live reader never loses one.
  local keep = nil
  local dropped = nil
  while keep == nil do
    local entries = redis.call('XRANGE', stream, dropped and ('(' .. dropped) or '-', '+', 'COUNT', 128)
    for _, entry in ipairs(entries) do
      if length > 1 and (bytes > maxBytes or length > maxEvents) then
        bytes = bytes - #entry[2][4]
        length = length - 1
        dropped = entry[1]
      else
        keep = entry[1]
        break
      end
    end
  end
  redis.call('XTRIM', stream, 'MINID', keep)
  -- XTRIM does not update the stream's max-deleted-entry-id (Redis 7.0), so the log keeps its own.
  if dropped then redis.call('HSET', meta, 'trimmed', dropped) end
end
redis.call('HSET', meta, 'next', sequence, 'bytes', bytes)
redis.call('PEXPIRE', stream, expireMs)
redis.call('PEXPIRE', meta, expireMs)
return ids
`;

const END_SCRIPT = `
local stream, meta, record = KEYS[1], KEYS[2], KEYS[3]
if redis.call('HGET', meta, 'ended') ~= '1' then
  local sequence = tonumber(redis.call('HGET', meta, 'next') or '1')
  redis.call('XADD', stream, '*', 'n', sequence, 'end', '1')
  redis.call('HSET', meta, 'next', sequence + 1, 'ended', '1')
end
redis.call('PEXPIRE', stream, ARGV[1])
redis.call('PEXPIRE', meta, ARGV[1])
redis.call('PEXPIRE', record, ARGV[1])
return 1
`;

interface ScriptedRedis extends Redis {
  weftAppend(stream: string, meta: string, maxBytes: number, maxEvents: number, expireMs: number, ...payloads: string[]): Promise<string[]>;
  weftEnd(stream: string, meta: string, record: string, ttlMs: number): Promise<number>;
}

/** Where a read starts: after `cursor`, expecting the entry with `sequence` next. */
interface Position {
  cursor: string;
  sequence: number;
}

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
  private readonly maxBytes: number;
  private readonly blockMs: number;
  private readonly client: ScriptedRedis;
  private readonly readers = new Set<Redis>();
  private readonly cancelListeners = new Set<(runId: string) => void>();
  private subscriber: Redis | undefined;
  /** Settles once the subscriber listens on the cancel channel (shared by every listener). */
  private subscribed: Promise<void> | undefined;

  constructor(
    client: Redis,
    private readonly connect: () => Redis,
    options: RedisEventLogOptions,
  ) {
    this.prefix = options.keyPrefix ?? "weft:";
    this.ttlMs = positive(options.ttlMs, 600_000, "ttlMs");
    this.maxEvents = positive(options.maxEventsPerRun, 10_000, "maxEventsPerRun");
    this.maxBytes = positive(options.maxBytesPerRun, 8 * 1024 * 1024, "maxBytesPerRun");
    this.blockMs = positive(options.blockMs, 5_000, "blockMs");
    // ioredis sends a defined script by its SHA (EVALSHA), and the script itself only when Redis lacks it.
    client.defineCommand("weftAppend", { numberOfKeys: 2, lua: APPEND_SCRIPT });
    client.defineCommand("weftEnd", { numberOfKeys: 3, lua: END_SCRIPT });
    this.client = client as ScriptedRedis;
  }

  private eventsKey(runId: string): string {
    return `${this.prefix}events:${runId}`;
  }

  private metaKey(runId: string): string {
    return `${this.prefix}events-meta:${runId}`;
  }

  private recordKey(kind: RecordKind, id: string): string {
    return `${this.prefix}${kind}:${id}`;
  }

  private get cancelChannel(): string {
    return `${this.prefix}cancel`;
  }

  async append(runId: string, event: string, data: unknown): Promise<string> {
    return (await this.appendMany(runId, [{ event, data }]))[0]!;
  }

  /** Append events with one script call (one round trip); resolves to their ids in order. */
  async appendMany(runId: string, events: readonly NewEvent[]): Promise<string[]> {
    if (events.length === 0) return [];
    // The entry is JSON.stringify({ event, data }), made from the data's JSON (eventDataJson) so a
    // read can hand that JSON to the SSE writer without parsing it (entryOf).
    const payloads = events.map((each) => `${ENTRY_HEAD}${JSON.stringify(each.event)},"data":${each.json ?? eventDataJson(each.event, each.data)}}`);
    try {
      // The expiry is renewed with every append: a log whose run never ends (its process died) must not stay forever.
      return await this.client.weftAppend(this.eventsKey(runId), this.metaKey(runId), this.maxBytes, this.maxEvents, Math.max(this.ttlMs, ABANDONED_MS), ...payloads);
    } catch (error) {
      if (/ENDED/.test(describeError(error))) throw new WeftError("SERVER", `Run ${runId} has ended; its log takes no more events.`, { cause: error });
      throw new WeftError("SERVER", `Appending to run ${runId}'s events in Redis failed: ${describeError(error)}`, { cause: error });
    }
  }

  async end(runId: string): Promise<void> {
    await this.client.weftEnd(this.eventsKey(runId), this.metaKey(runId), this.recordKey("run", runId), this.ttlMs);
  }

  /** Where reading `from` starts, or undefined when reading "now" from a log that already ended. */
  private async startPosition(runId: string, from: ReadFrom): Promise<Position | undefined> {
    const key = this.eventsKey(runId);
    const last = await this.client.xrevrange(key, "+", "-", "COUNT", 1);
    if (last.length === 0) {
      throw new WeftError("SERVER", `No events for run ${runId}: it does not exist or its log expired.`, { details: { status: 404 } });
    }
    const [lastId, lastFields] = last[0]!;
    if ("start" in from) return { cursor: "0-0", sequence: 1 };
    if ("now" in from) return isEnd(lastFields) ? undefined : { cursor: lastId, sequence: sequenceOf(lastFields) + 1 };
    const notAnId = () =>
      new WeftError("SERVER", `Last-Event-ID ${JSON.stringify(from.after.slice(0, 40))} is not an event id of this run; send an id the stream gave you.`, {
        details: { status: 400, field: "Last-Event-ID" },
      });
    if (!/^\d{1,20}-\d{1,20}$/.test(from.after) || compareIds(from.after, lastId) > 0) throw notAnId();
    const [entry] = await this.client.xrange(key, from.after, from.after);
    if (entry !== undefined) return { cursor: from.after, sequence: sequenceOf(entry[1]) + 1 };
    const trimmed = await this.trimmedThrough(runId);
    if (compareIds(from.after, trimmed) > 0) throw notAnId();
    if (from.after === trimmed) {
      // The last dropped id (what EVENTS_LOST names): every event after it is still kept.
      const [next] = await this.client.xrange(key, `(${trimmed}`, "+", "COUNT", 1);
      if (next !== undefined) return { cursor: trimmed, sequence: sequenceOf(next[1]) };
    }
    throw new WeftError(
      "SERVER",
      `The events of run ${runId} after id ${from.after} up to id ${trimmed} were dropped (the log keeps ${this.maxEvents} events and ${this.maxBytes} bytes per run); resume after id ${trimmed}, or read the thread's state (GET /threads/{thread_id}/state).`,
      { details: { status: 410 } },
    );
  }

  async check(runId: string, from: ReadFrom): Promise<void> {
    await this.startPosition(runId, from);
  }

  /** The id of the newest event trimmed from the run's stream ("0-0" when none). */
  private async trimmedThrough(runId: string): Promise<string> {
    return (await this.client.hget(this.metaKey(runId), "trimmed")) ?? "0-0";
  }

  read(runId: string, from: ReadFrom, signal?: AbortSignal): AsyncIterable<LoggedEvent> {
    return eventsOf(this.readBatches(runId, from, signal));
  }

  async *readBatches(runId: string, from: ReadFrom, signal?: AbortSignal): AsyncIterable<readonly LoggedEvent[]> {
    const key = this.eventsKey(runId);
    const position = await this.startPosition(runId, from);
    if (position === undefined) return;
    let { cursor, sequence } = position;
    // A blocking XREAD holds its connection, so each reader has its own; abort disconnects it.
    const reader = this.connect();
    this.readers.add(reader);
    const onAbort = () => reader.disconnect();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      while (!signal?.aborted) {
        let reply: [string, [string, string[]][]][] | null;
        try {
          reply = (await reader.xread("COUNT", READ_BATCH, "BLOCK", this.blockMs, "STREAMS", key, cursor)) as typeof reply;
        } catch (error) {
          if (signal?.aborted) return;
          throw new WeftError("SERVER", `Reading run ${runId}'s events from Redis failed: ${describeError(error)}`, { cause: error });
        }
        if (reply === null) continue;
        const entries = reply[0]![1];
        // One XREAD is one snapshot: its entries follow each other, so only the first can show a gap.
        if (entries.length > 0 && sequenceOf(entries[0]![1]) !== sequence) {
          yield [eventsLost(runId, cursor, await this.trimmedThrough(runId))];
          return;
        }
        const batch: LoggedEvent[] = [];
        let ended = false;
        for (const [id, fields] of entries) {
          cursor = id;
          sequence++;
          if (isEnd(fields)) {
            ended = true;
            break;
          }
          batch.push(entryOf(id, fields[3]!));
        }
        if (batch.length > 0) yield batch;
        if (ended) return;
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

const ENTRY_HEAD = '{"event":';

/** A stream entry's `{"event":NAME,"data":JSON}` as a logged event whose JSON is the data's, unparsed. */
function entryOf(id: string, entry: string): SerializedEvent {
  if (entry.startsWith(ENTRY_HEAD)) {
    // The name is a JSON string: it ends at the first quote no backslash escapes.
    let end = ENTRY_HEAD.length + 1;
    while (end < entry.length && entry[end] !== '"') end += entry[end] === "\\" ? 2 : 1;
    if (entry.startsWith(',"data":', end + 1) && entry.endsWith("}")) {
      return new SerializedEvent(id, JSON.parse(entry.slice(ENTRY_HEAD.length, end + 1)) as string, entry.slice(end + 9, -1));
    }
  }
  const { event, data } = JSON.parse(entry) as { event: string; data: unknown };
  return new SerializedEvent(id, event, eventDataJson(event, data));
}

function isEnd(fields: string[]): boolean {
  return fields[2] === "end";
}

function sequenceOf(fields: string[]): number {
  return Number(fields[1]);
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new WeftError("INVALID_OPTIONS", `createRedisEventLog ${name} must be a whole number >= 1, not ${value}.`);
  return value;
}
