// An EventLog in PostgreSQL, so several server instances share runs' events without Redis: events
// in a table, wake-ups and cancel requests by LISTEN/NOTIFY. Bounded in bytes and events per run,
// like the other logs (the conformance suite checks all of them alike).
import type { Client, Pool } from "pg";
import { WeftError, describeError } from "../errors.js";
import { loadOptional } from "../checkpoint/optional-dependency.js";
import { openPool, quotedSchema } from "../checkpoint/postgres/postgres-pool.js";
import { ABANDONED_MS, READ_BATCH, eventsOf, type CancelSubscription, type EventLog, type EventLogBounds, type LoggedEvent, type NewEvent, type ReadFrom, type RecordKind } from "./event-log.js";
import { eventDataJson } from "./event-json.js";
import { SerializedEvent } from "./serialized-event.js";
import { eventsLost } from "./memory-event-log.js";
import { checkKept, positiveOption, runNotFound, startSequence } from "./sequence-ids.js";

export interface PostgresEventLogOptions extends EventLogBounds {
  /** The schema of the tables (created if missing); default "public". */
  schema?: string;
  /** Milliseconds a waiting reader looks again even without a notification (a lost LISTEN connection). Default 1,000. */
  pollMs?: number;
}

interface RunRow {
  first_sequence: number;
  next_sequence: number;
  bytes: number;
  ended: boolean;
}

/**
 * Create an EventLog in PostgreSQL (the optional `pg` package): its tables, and one connection that
 * listens for other instances' appends and cancel requests.
 *
 * @example
 * const eventLog = await createPostgresEventLog("postgres://postgres@127.0.0.1:5432/app", { schema: "weft" });
 * const handler = createHandler({ graphs: { agent }, store, eventLog });
 */
export async function createPostgresEventLog(poolOrConnectionString: Pool | string, options: PostgresEventLogOptions = {}): Promise<EventLog> {
  const { pool, owned } = openPool(poolOrConnectionString, "createPostgresEventLog");
  const schema = quotedSchema(options.schema, "createPostgresEventLog");
  const log = new PostgresEventLog(pool, owned, schema, options);
  try {
    await log.setup();
  } catch (error) {
    await log.close().catch(() => undefined);
    throw new WeftError("SERVER", `Setting up the Postgres event log failed: ${describeError(error)}`, { cause: error });
  }
  return log;
}

class PostgresEventLog implements EventLog {
  private readonly ttlMs: number;
  private readonly maxEvents: number;
  private readonly maxBytes: number;
  private readonly pollMs: number;
  private readonly eventsChannel: string;
  private readonly cancelChannel: string;
  private readonly runs: string;
  private readonly events: string;
  private readonly records: string;
  private listener: Client | undefined;
  private readonly wake = new Map<string, Set<() => void>>();
  private readonly cancelListeners = new Set<(runId: string) => void>();
  private sweepTimer: ReturnType<typeof setInterval> | undefined;
  private closed = false;

  constructor(
    private readonly pool: Pool,
    private readonly ownsPool: boolean,
    schema: string,
    options: PostgresEventLogOptions,
  ) {
    this.ttlMs = positiveOption(options.ttlMs, 600_000, "ttlMs", "createPostgresEventLog");
    this.maxEvents = positiveOption(options.maxEventsPerRun, 10_000, "maxEventsPerRun", "createPostgresEventLog");
    this.maxBytes = positiveOption(options.maxBytesPerRun, 8 * 1024 * 1024, "maxBytesPerRun", "createPostgresEventLog");
    this.pollMs = positiveOption(options.pollMs, 1_000, "pollMs", "createPostgresEventLog");
    this.runs = `${schema}.weft_event_runs`;
    this.events = `${schema}.weft_events`;
    this.records = `${schema}.weft_event_records`;
    // Per schema, so that apps (or tests) in one database do not hear each other.
    const name = schema.slice(1, -1);
    this.eventsChannel = `weft_events_${name}`.slice(0, 63);
    this.cancelChannel = `weft_cancel_${name}`.slice(0, 63);
  }

  async setup(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query("SELECT pg_advisory_lock(hashtext('weft_server_setup'))");
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.runs.split(".")[0]}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${this.runs} (run_id TEXT PRIMARY KEY, first_sequence BIGINT NOT NULL, next_sequence BIGINT NOT NULL, bytes BIGINT NOT NULL, ended BOOLEAN NOT NULL, expires_at BIGINT NOT NULL)`,
      );
      await client.query(`CREATE TABLE IF NOT EXISTS ${this.events} (run_id TEXT NOT NULL, sequence BIGINT NOT NULL, event TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (run_id, sequence))`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${this.records} (kind TEXT NOT NULL, id TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (kind, id))`);
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext('weft_server_setup'))").catch(() => undefined);
      client.release();
    }
    const pg = loadOptional<typeof import("pg")>("pg", "createPostgresEventLog");
    // LISTEN holds its session, so notifications get a connection of their own.
    const listener = new pg.Client((this.pool as unknown as { options: object }).options);
    listener.on("notification", ({ channel, payload }) => {
      if (payload === undefined) return;
      if (channel === this.eventsChannel) this.wakeReaders(payload);
      else if (channel === this.cancelChannel) for (const each of this.cancelListeners) each(payload);
    });
    // A lost listening connection: readers still look every pollMs; cancel requests are also kept on the run record.
    listener.on("error", () => undefined);
    await listener.connect();
    await listener.query(`LISTEN "${this.eventsChannel}"`);
    await listener.query(`LISTEN "${this.cancelChannel}"`);
    this.listener = listener;
    this.sweepTimer = setInterval(() => void this.sweep().catch(() => undefined), Math.min(this.ttlMs, 60_000));
    this.sweepTimer.unref?.();
  }

  async append(runId: string, event: string, data: unknown): Promise<string> {
    return (await this.appendMany(runId, [{ event, data }]))[0]!;
  }

  async appendMany(runId: string, events: readonly NewEvent[]): Promise<string[]> {
    if (events.length === 0) return [];
    const names = events.map((each) => each.event);
    const texts = events.map((each) => each.json ?? eventDataJson(each.event, each.data));
    const added = names.reduce((sum, name, index) => sum + name.length + texts[index]!.length, 0);
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const expiresAt = Date.now() + Math.max(this.ttlMs, ABANDONED_MS);
      await client.query(`INSERT INTO ${this.runs} VALUES ($1, 1, 1, 0, false, $2) ON CONFLICT (run_id) DO NOTHING`, [runId, expiresAt]);
      // The row lock orders the appends of one run across instances.
      const run = (await client.query(`SELECT first_sequence, next_sequence, bytes, ended FROM ${this.runs} WHERE run_id = $1 FOR UPDATE`, [runId])).rows[0] as RunRow;
      if (run.ended) throw new WeftError("SERVER", `Run ${runId} has ended; its log takes no more events.`);
      const start = Number(run.next_sequence);
      await client.query(
        `INSERT INTO ${this.events} (run_id, sequence, event, data) SELECT $1, $2::bigint + ordinality - 1, event, data FROM unnest($3::text[], $4::text[]) WITH ORDINALITY AS batch(event, data, ordinality)`,
        [runId, start, names, texts],
      );
      const next = start + events.length;
      let first = Number(run.first_sequence);
      let bytes = Number(run.bytes) + added;
      if (bytes > this.maxBytes || next - first > this.maxEvents) {
        // The newest sequence that must go: past it, the newer events alone exceed a bound. The newest event always stays.
        const cut = await client.query(
          `SELECT sequence, kept FROM (SELECT sequence, sum(length(event) + length(data)) OVER (ORDER BY sequence DESC) AS kept, row_number() OVER (ORDER BY sequence DESC) AS position FROM ${this.events} WHERE run_id = $1) AS newest WHERE position > 1 AND (kept > $2 OR position > $3) ORDER BY sequence DESC LIMIT 1`,
          [runId, this.maxBytes, this.maxEvents],
        );
        if (cut.rows.length > 0) {
          const last = Number(cut.rows[0].sequence);
          const removed = await client.query(`DELETE FROM ${this.events} WHERE run_id = $1 AND sequence <= $2 RETURNING length(event) + length(data) AS size`, [runId, last]);
          bytes -= removed.rows.reduce((sum: number, row: { size: number }) => sum + Number(row.size), 0);
          first = last + 1;
        }
      }
      await client.query(`UPDATE ${this.runs} SET first_sequence = $2, next_sequence = $3, bytes = $4, expires_at = $5 WHERE run_id = $1`, [runId, first, next, bytes, expiresAt]);
      // Delivered at commit, to every instance (this one too).
      await client.query("SELECT pg_notify($1, $2)", [this.eventsChannel, runId]);
      await client.query("COMMIT");
      return names.map((_, index) => String(start + index));
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      if (WeftError.isInstance(error)) throw error;
      throw new WeftError("SERVER", `Appending to run ${runId}'s events in Postgres failed: ${describeError(error)}`, { cause: error });
    } finally {
      client.release();
    }
  }

  async end(runId: string): Promise<void> {
    const expiresAt = Date.now() + this.ttlMs;
    await this.pool.query(
      `WITH ended AS (INSERT INTO ${this.runs} VALUES ($1, 1, 1, 0, true, $2) ON CONFLICT (run_id) DO UPDATE SET ended = true, expires_at = $2 RETURNING run_id) SELECT pg_notify($3, run_id) FROM ended`,
      [runId, expiresAt, this.eventsChannel],
    );
  }

  private async runOf(runId: string): Promise<RunRow | undefined> {
    const rows = (await this.pool.query(`SELECT first_sequence, next_sequence, bytes, ended FROM ${this.runs} WHERE run_id = $1 AND expires_at > $2`, [runId, Date.now()])).rows;
    return rows[0] === undefined ? undefined : numbers(rows[0]);
  }

  async check(runId: string, from: ReadFrom): Promise<void> {
    const run = await this.runOf(runId);
    if (run === undefined) throw runNotFound(runId);
    const next = startSequence(run.next_sequence, from);
    if ("after" in from) checkKept(runId, next, run.first_sequence, { maxEventsPerRun: this.maxEvents, maxBytesPerRun: this.maxBytes });
  }

  read(runId: string, from: ReadFrom, signal?: AbortSignal): AsyncIterable<LoggedEvent> {
    return eventsOf(this.readBatches(runId, from, signal));
  }

  async *readBatches(runId: string, from: ReadFrom, signal?: AbortSignal): AsyncIterable<readonly LoggedEvent[]> {
    const run = await this.runOf(runId);
    if (run === undefined) throw runNotFound(runId);
    let next = startSequence(run.next_sequence, from);
    if ("after" in from) checkKept(runId, next, run.first_sequence, { maxEventsPerRun: this.maxEvents, maxBytesPerRun: this.maxBytes });
    while (!signal?.aborted && !this.closed) {
      // Waiting starts before the query, so an append committed meanwhile still wakes this reader.
      const waiting = this.waitForAppend(runId, signal);
      // One statement is one snapshot: the run's bounds and its events agree.
      const rows = (
        await this.pool.query(
          `SELECT r.first_sequence, r.next_sequence, r.bytes, r.ended, e.sequence, e.event, e.data FROM ${this.runs} r LEFT JOIN LATERAL (SELECT sequence, event, data FROM ${this.events} WHERE run_id = r.run_id AND sequence >= $2 ORDER BY sequence LIMIT ${READ_BATCH}) e ON true WHERE r.run_id = $1 AND r.expires_at > $3 ORDER BY e.sequence`,
          [runId, next, Date.now()],
        )
      ).rows as Array<RunRow & { sequence: string | null; event: string | null; data: string | null }>;
      if (rows.length === 0) {
        waiting.cancel();
        return;
      }
      const current = numbers(rows[0]!);
      if (next < current.first_sequence) {
        waiting.cancel();
        yield [eventsLost(runId, String(next - 1), String(current.first_sequence - 1))];
        return;
      }
      const events = rows.filter((row) => row.sequence !== null);
      if (events.length > 0 || current.ended) waiting.cancel();
      if (events.length > 0) {
        next = Number(events.at(-1)!.sequence) + 1;
        yield events.map((row) => new SerializedEvent(String(row.sequence), row.event!, row.data!));
        continue;
      }
      if (current.ended) return;
      await waiting.promise;
    }
  }

  async putRecord(kind: RecordKind, id: string, value: Record<string, unknown>): Promise<void> {
    await this.pool.query(`INSERT INTO ${this.records} VALUES ($1, $2, $3) ON CONFLICT (kind, id) DO UPDATE SET value = excluded.value`, [kind, id, JSON.stringify(value)]);
  }

  async getRecord<Value extends Record<string, unknown>>(kind: RecordKind, id: string): Promise<Value | undefined> {
    const rows = (await this.pool.query(`SELECT value FROM ${this.records} WHERE kind = $1 AND id = $2`, [kind, id])).rows as Array<{ value: string }>;
    return rows[0] === undefined ? undefined : (JSON.parse(rows[0].value) as Value);
  }

  async requestCancel(runId: string): Promise<void> {
    await this.pool.query("SELECT pg_notify($1, $2)", [this.cancelChannel, runId]);
  }

  onCancelRequest(listener: (runId: string) => void): CancelSubscription {
    this.cancelListeners.add(listener);
    // The LISTEN was done in setup: requests reach listeners from now on.
    return Object.assign(() => void this.cancelListeners.delete(listener), { ready: Promise.resolve() });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sweepTimer !== undefined) clearInterval(this.sweepTimer);
    this.cancelListeners.clear();
    for (const runId of [...this.wake.keys()]) this.wakeReaders(runId);
    await this.listener?.end().catch(() => undefined);
    if (this.ownsPool) await this.pool.end();
  }

  /** A promise that resolves on a notification for the run, after pollMs, or on abort; `cancel` forgets it. */
  private waitForAppend(runId: string, signal: AbortSignal | undefined): { promise: Promise<void>; cancel: () => void } {
    let done: () => void = () => undefined;
    const promise = new Promise<void>((resolve) => {
      let waiting = this.wake.get(runId);
      if (waiting === undefined) this.wake.set(runId, (waiting = new Set()));
      const timer = setTimeout(() => done(), this.pollMs);
      done = () => {
        clearTimeout(timer);
        waiting.delete(done);
        if (waiting.size === 0 && this.wake.get(runId) === waiting) this.wake.delete(runId);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      waiting.add(done);
      signal?.addEventListener("abort", done, { once: true });
    });
    return { promise, cancel: () => done() };
  }

  private wakeReaders(runId: string): void {
    const waiting = this.wake.get(runId);
    if (waiting !== undefined) for (const done of [...waiting]) done();
  }

  private async sweep(): Promise<void> {
    if (this.closed) return;
    await this.pool.query(
      `WITH expired AS (DELETE FROM ${this.runs} WHERE expires_at <= $1 RETURNING run_id),
            gone_events AS (DELETE FROM ${this.events} WHERE run_id IN (SELECT run_id FROM expired))
       DELETE FROM ${this.records} WHERE kind = 'run' AND id IN (SELECT run_id FROM expired)`,
      [Date.now()],
    );
  }
}

function numbers(row: RunRow): RunRow {
  return { first_sequence: Number(row.first_sequence), next_sequence: Number(row.next_sequence), bytes: Number(row.bytes), ended: row.ended };
}
