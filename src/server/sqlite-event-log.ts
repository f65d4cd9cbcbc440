// The embedded default event log of `weft serve`: each run's events in a SQLite file beside the
// record store, so a restarted process continues a run's event ids and a client's Last-Event-ID
// from before the restart still resumes. Bounded in bytes and events per run, like the memory log.
import type BetterSqlite3 from "better-sqlite3";
import { randomUUID } from "node:crypto";
import { WeftError, describeError } from "../errors.js";
import { loadOptional } from "../checkpoint/optional-dependency.js";
import { ABANDONED_MS, READ_BATCH, eventsOf, type CancelSubscription, type EventLog, type EventLogBounds, type LoggedEvent, type NewEvent, type ReadFrom, type RecordKind } from "./event-log.js";
import { eventDataJson } from "./event-json.js";
import { SerializedEvent } from "./serialized-event.js";
import { eventsLost } from "./memory-event-log.js";
import { checkKept, positiveOption, runNotFound, startSequence } from "./sequence-ids.js";

export interface SqliteEventLogOptions extends EventLogBounds {
  /**
   * Milliseconds between two looks for events and cancel requests written by another process on
   * the same file (events appended by this process wake its readers at once). Default 100.
   */
  pollMs?: number;
}

interface RunRow {
  first_sequence: number;
  next_sequence: number;
  bytes: number;
  ended: number;
  expires_at: number;
}

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS weft_event_runs (
     run_id TEXT PRIMARY KEY, first_sequence INTEGER NOT NULL, next_sequence INTEGER NOT NULL,
     bytes INTEGER NOT NULL, ended INTEGER NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS weft_events (
     run_id TEXT NOT NULL, sequence INTEGER NOT NULL, event TEXT NOT NULL, data TEXT NOT NULL,
     PRIMARY KEY (run_id, sequence)) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS weft_event_records (kind TEXT NOT NULL, id TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (kind, id)) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS weft_event_cancels (id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL, origin TEXT NOT NULL, requested_at INTEGER NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS weft_event_runs_expiry ON weft_event_runs (expires_at)`,
];

/**
 * An EventLog in a SQLite file (WAL mode). Ids are decimal sequence numbers starting at 1, and a
 * run's ids keep increasing across restarts. Several processes on one machine may share the file.
 *
 * @example
 * const eventLog = new SqliteEventLog(".weft/events.db", { ttlMs: 60_000 });
 * const handler = createHandler({ graphs: { agent }, eventLog });
 */
export class SqliteEventLog implements EventLog {
  readonly db: BetterSqlite3.Database;
  private readonly ttlMs: number;
  private readonly maxEventsPerRun: number;
  private readonly maxBytesPerRun: number;
  private readonly pollMs: number;
  /** Readers of this process waiting for a run's next event. */
  private readonly wake = new Map<string, Set<() => void>>();
  private readonly cancelListeners = new Set<(runId: string) => void>();
  /** Tells this process's cancel requests from other processes' in the shared table. */
  private readonly origin = randomUUID();
  private cancelCursor = 0;
  private cancelTimer: ReturnType<typeof setInterval> | undefined;
  private readonly sweepTimer: ReturnType<typeof setInterval>;
  private readonly statement: (sql: string) => BetterSqlite3.Statement;
  private closed = false;

  constructor(path: string, options: SqliteEventLogOptions = {}) {
    this.ttlMs = positiveOption(options.ttlMs, 600_000, "ttlMs", "SqliteEventLog");
    this.maxEventsPerRun = positiveOption(options.maxEventsPerRun, 10_000, "maxEventsPerRun", "SqliteEventLog");
    this.maxBytesPerRun = positiveOption(options.maxBytesPerRun, 8 * 1024 * 1024, "maxBytesPerRun", "SqliteEventLog");
    this.pollMs = positiveOption(options.pollMs, 100, "pollMs", "SqliteEventLog");
    const Database = loadOptional<typeof BetterSqlite3>("better-sqlite3", "SqliteEventLog");
    try {
      this.db = new Database(path);
    } catch (error) {
      throw new WeftError("INVALID_OPTIONS", `SqliteEventLog could not open "${path}": ${describeError(error)}`, { cause: error });
    }
    if (!this.db.memory) this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("busy_timeout = 5000");
    for (const sql of SCHEMA) this.db.exec(sql);
    const statements = new Map<string, BetterSqlite3.Statement>();
    this.statement = (sql) => {
      let statement = statements.get(sql);
      if (statement === undefined) statements.set(sql, (statement = this.db.prepare(sql)));
      return statement;
    };
    this.sweepTimer = setInterval(() => this.sweep(), Math.min(this.ttlMs, 60_000));
    this.sweepTimer.unref?.();
  }

  async append(runId: string, event: string, data: unknown): Promise<string> {
    return (await this.appendMany(runId, [{ event, data }]))[0]!;
  }

  /** Append events in one transaction; resolves to their ids in order. */
  async appendMany(runId: string, events: readonly NewEvent[]): Promise<string[]> {
    if (events.length === 0) return [];
    const ids = this.db.transaction(() => {
      const now = Date.now();
      let run = this.runOf(runId, now);
      if (run === undefined) {
        this.statement("INSERT INTO weft_event_runs VALUES (?, 1, 1, 0, 0, ?)").run(runId, now + Math.max(this.ttlMs, ABANDONED_MS));
        run = { first_sequence: 1, next_sequence: 1, bytes: 0, ended: 0, expires_at: 0 };
      }
      if (run.ended) throw new WeftError("SERVER", `Run ${runId} has ended; its log takes no more events.`);
      const insert = this.statement("INSERT INTO weft_events VALUES (?, ?, ?, ?)");
      const given: string[] = [];
      let bytes = run.bytes;
      let sequence = run.next_sequence;
      for (const each of events) {
        const event = each.event;
        // `data` is read only when there is no `json`: a server's message events make it on demand.
        const text = each.json ?? eventDataJson(event, each.data);
        insert.run(runId, sequence, event, text);
        bytes += event.length + text.length;
        given.push(String(sequence++));
      }
      let first = run.first_sequence;
      if (bytes > this.maxBytesPerRun || sequence - first > this.maxEventsPerRun) {
        // Drop the oldest events past the bounds; the newest always stays, so a live reader never loses one.
        const oldest = this.statement("SELECT sequence, length(event) + length(data) AS size FROM weft_events WHERE run_id = ? ORDER BY sequence LIMIT ?");
        while (sequence - first > 1 && (bytes > this.maxBytesPerRun || sequence - first > this.maxEventsPerRun)) {
          const rows = oldest.all(runId, Math.min(READ_BATCH, sequence - first - 1)) as Array<{ sequence: number; size: number }>;
          for (const row of rows) {
            if (!(bytes > this.maxBytesPerRun || sequence - first > this.maxEventsPerRun)) break;
            bytes -= row.size;
            first = row.sequence + 1;
          }
          this.statement("DELETE FROM weft_events WHERE run_id = ? AND sequence < ?").run(runId, first);
        }
      }
      this.statement("UPDATE weft_event_runs SET first_sequence = ?, next_sequence = ?, bytes = ?, expires_at = ? WHERE run_id = ?").run(
        first,
        sequence,
        bytes,
        now + Math.max(this.ttlMs, ABANDONED_MS),
        runId,
      );
      return given;
    })();
    this.wakeReaders(runId);
    return ids;
  }

  async end(runId: string): Promise<void> {
    const now = Date.now();
    this.db.transaction(() => {
      const run = this.runOf(runId, now);
      if (run === undefined) this.statement("INSERT INTO weft_event_runs VALUES (?, 1, 1, 0, 1, ?)").run(runId, now + this.ttlMs);
      else if (!run.ended) this.statement("UPDATE weft_event_runs SET ended = 1, expires_at = ? WHERE run_id = ?").run(now + this.ttlMs, runId);
    })();
    this.wakeReaders(runId);
  }

  async check(runId: string, from: ReadFrom): Promise<void> {
    const run = this.runOf(runId, Date.now());
    if (run === undefined) throw runNotFound(runId);
    const next = startSequence(run.next_sequence, from);
    if ("after" in from) checkKept(runId, next, run.first_sequence, { maxEventsPerRun: this.maxEventsPerRun, maxBytesPerRun: this.maxBytesPerRun });
  }

  read(runId: string, from: ReadFrom, signal?: AbortSignal): AsyncIterable<LoggedEvent> {
    return eventsOf(this.readBatches(runId, from, signal));
  }

  async *readBatches(runId: string, from: ReadFrom, signal?: AbortSignal): AsyncIterable<readonly LoggedEvent[]> {
    const run = this.runOf(runId, Date.now());
    if (run === undefined) throw runNotFound(runId);
    let next = startSequence(run.next_sequence, from);
    if ("after" in from) checkKept(runId, next, run.first_sequence, { maxEventsPerRun: this.maxEventsPerRun, maxBytesPerRun: this.maxBytesPerRun });
    const page = this.db.transaction((sequence: number) => ({
      run: this.runOf(runId, Date.now()),
      events: this.statement("SELECT sequence, event, data FROM weft_events WHERE run_id = ? AND sequence >= ? ORDER BY sequence LIMIT ?").all(
        runId,
        sequence,
        READ_BATCH,
      ) as Array<{ sequence: number; event: string; data: string }>,
    }));
    while (!signal?.aborted && !this.closed) {
      const { run: current, events } = page(next);
      // Expired while being read: the log is gone, and so is everything after `next`.
      if (current === undefined) return;
      if (next < current.first_sequence) {
        // The reader fell behind what the log keeps: say so, with the ids it lost, and stop.
        yield [eventsLost(runId, String(next - 1), String(current.first_sequence - 1))];
        return;
      }
      if (events.length > 0) {
        next = events.at(-1)!.sequence + 1;
        yield events.map((row) => new SerializedEvent(String(row.sequence), row.event, row.data));
        continue;
      }
      if (current.ended) return;
      await this.waitForAppend(runId, signal);
    }
  }

  async putRecord(kind: RecordKind, id: string, value: Record<string, unknown>): Promise<void> {
    this.statement("INSERT INTO weft_event_records VALUES (?, ?, ?) ON CONFLICT (kind, id) DO UPDATE SET value = excluded.value").run(kind, id, JSON.stringify(value));
  }

  async getRecord<Value extends Record<string, unknown>>(kind: RecordKind, id: string): Promise<Value | undefined> {
    const row = this.statement("SELECT value FROM weft_event_records WHERE kind = ? AND id = ?").get(kind, id) as { value: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.value) as Value);
  }

  async requestCancel(runId: string): Promise<void> {
    for (const listener of this.cancelListeners) listener(runId);
    // Other processes on the file see the request at their next poll.
    this.statement("INSERT INTO weft_event_cancels (run_id, origin, requested_at) VALUES (?, ?, ?)").run(runId, this.origin, Date.now());
  }

  onCancelRequest(listener: (runId: string) => void): CancelSubscription {
    if (this.cancelTimer === undefined) {
      // Requests already in the table were made before this listener: it hears only newer ones.
      this.cancelCursor = (this.statement("SELECT coalesce(max(id), 0) AS id FROM weft_event_cancels").get() as { id: number }).id;
      this.cancelTimer = setInterval(() => this.pollCancels(), this.pollMs);
      this.cancelTimer.unref?.();
    }
    this.cancelListeners.add(listener);
    return Object.assign(
      () => {
        this.cancelListeners.delete(listener);
        if (this.cancelListeners.size === 0 && this.cancelTimer !== undefined) {
          clearInterval(this.cancelTimer);
          this.cancelTimer = undefined;
        }
      },
      { ready: Promise.resolve() },
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweepTimer);
    if (this.cancelTimer !== undefined) clearInterval(this.cancelTimer);
    this.cancelListeners.clear();
    for (const runId of [...this.wake.keys()]) this.wakeReaders(runId);
    if (this.db.open) this.db.close();
  }

  /** The run's row, or undefined when it does not exist or its TTL passed (the sweep deletes it later). */
  private runOf(runId: string, now: number): RunRow | undefined {
    const run = this.statement("SELECT first_sequence, next_sequence, bytes, ended, expires_at FROM weft_event_runs WHERE run_id = ?").get(runId) as
      | RunRow
      | undefined;
    return run === undefined || run.expires_at <= now ? undefined : run;
  }

  /** Resolves when this process appends to the run, after `pollMs` (another process may have), or on abort. */
  private waitForAppend(runId: string, signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      let waiting = this.wake.get(runId);
      if (waiting === undefined) this.wake.set(runId, (waiting = new Set()));
      const done = () => {
        clearTimeout(timer);
        waiting.delete(done);
        if (waiting.size === 0 && this.wake.get(runId) === waiting) this.wake.delete(runId);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, this.pollMs);
      waiting.add(done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }

  private wakeReaders(runId: string): void {
    const waiting = this.wake.get(runId);
    if (waiting !== undefined) for (const done of [...waiting]) done();
  }

  private pollCancels(): void {
    if (this.closed) return;
    const rows = this.statement("SELECT id, run_id, origin FROM weft_event_cancels WHERE id > ? ORDER BY id").all(this.cancelCursor) as Array<{
      id: number;
      run_id: string;
      origin: string;
    }>;
    for (const row of rows) {
      this.cancelCursor = row.id;
      if (row.origin === this.origin) continue;
      for (const listener of this.cancelListeners) listener(row.run_id);
    }
  }

  /** Delete the logs (and run records) whose TTL passed, and cancel requests every poller has seen. */
  private sweep(): void {
    if (this.closed) return;
    const now = Date.now();
    this.db.transaction(() => {
      const expired = this.statement("SELECT run_id FROM weft_event_runs WHERE expires_at <= ?").all(now) as Array<{ run_id: string }>;
      for (const { run_id: runId } of expired) {
        this.statement("DELETE FROM weft_events WHERE run_id = ?").run(runId);
        this.statement("DELETE FROM weft_event_records WHERE kind = 'run' AND id = ?").run(runId);
        this.statement("DELETE FROM weft_event_runs WHERE run_id = ?").run(runId);
      }
      this.statement("DELETE FROM weft_event_cancels WHERE requested_at < ?").run(now - 60_000);
    })();
  }
}
