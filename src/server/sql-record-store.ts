// The SQL behind the SQLite and Postgres record stores: one table of threads and one of runs, each
// row a JSON document plus the columns queries filter on, and a version column that makes every
// update a compare-and-set (UPDATE ... WHERE version = the version read), so two instances that
// claim one thread at once cannot both win.
import { WeftError } from "../errors.js";
import { SqlAssistants } from "./sql-assistants.js";
import {
  type AssistantQuery,
  type AssistantRow,
  FINISHED_RUN_STATUSES,
  compareThreads,
  type PruneBefore,
  type RecordStore,
  type RowChange,
  type RunQuery,
  type RunRow,
  type ThreadQuery,
  type ThreadRow,
  matchesThreadQuery,
} from "./record-store.js";

/** What a dialect provides: queries with `$1`-style parameters, answering rows or a count of changed rows. */
export interface SqlConnection {
  rows(sql: string, parameters: unknown[]): Promise<Array<Record<string, unknown>>>;
  run(sql: string, parameters: unknown[]): Promise<number>;
}

/** How many times a compare-and-set is tried before giving up (each retry means another writer won). */
const MAX_CONFLICTS = 50;

export abstract class SqlRecordStore implements RecordStore {
  protected abstract readonly sql: SqlConnection;
  /** Table names, already quoted and schema-qualified. */
  protected abstract readonly threadsTable: string;
  protected abstract readonly runsTable: string;
  protected abstract readonly assistantsTable: string;
  // Read lazily: the subclass sets `sql` and the table names after this constructor ran.
  private readonly assistants = new SqlAssistants(
    () => this.sql,
    () => this.assistantsTable,
  );

  abstract setup(): Promise<void>;
  abstract close(): Promise<void>;

  async insertThread(row: ThreadRow): Promise<boolean> {
    const changed = await this.sql.run(
      `INSERT INTO ${this.threadsTable} (thread_id, owner, status, current_run_id, updated_at, version, doc) VALUES ($1, $2, $3, $4, $5, 1, $6) ON CONFLICT (thread_id) DO NOTHING`,
      [row.thread.thread_id, row.owner, row.thread.status, row.currentRunId, row.thread.updated_at, JSON.stringify(row)],
    );
    return changed === 1;
  }

  async getThread(threadId: string): Promise<ThreadRow | undefined> {
    return (await this.readThread(threadId))?.row;
  }

  private async readThread(threadId: string): Promise<{ row: ThreadRow; version: number } | undefined> {
    const [found] = await this.sql.rows(`SELECT version, doc FROM ${this.threadsTable} WHERE thread_id = $1`, [threadId]);
    return found === undefined ? undefined : { row: JSON.parse(String(found.doc)) as ThreadRow, version: Number(found.version) };
  }

  async updateThread(threadId: string, change: RowChange<ThreadRow>): Promise<ThreadRow | undefined> {
    for (let attempt = 0; attempt < MAX_CONFLICTS; attempt++) {
      const current = await this.readThread(threadId);
      if (current === undefined) return undefined;
      const next = change(current.row);
      if (next === undefined) return undefined;
      const changed = await this.sql.run(
        `UPDATE ${this.threadsTable} SET owner = $1, status = $2, current_run_id = $3, updated_at = $4, version = version + 1, doc = $5 WHERE thread_id = $6 AND version = $7`,
        [next.owner, next.thread.status, next.currentRunId, next.thread.updated_at, JSON.stringify(next), threadId, current.version],
      );
      if (changed === 1) return next;
    }
    throw conflict(`thread ${threadId}`);
  }

  async deleteThread(threadId: string): Promise<boolean> {
    await this.sql.run(`DELETE FROM ${this.runsTable} WHERE thread_id = $1`, [threadId]);
    return (await this.sql.run(`DELETE FROM ${this.threadsTable} WHERE thread_id = $1`, [threadId])) === 1;
  }

  async searchThreads(query: ThreadQuery): Promise<ThreadRow[]> {
    const conditions: string[] = [];
    const parameters: unknown[] = [];
    if (query.owner !== undefined) {
      parameters.push(query.owner);
      conditions.push(query.owner === null ? "owner IS NULL" : `owner = $${parameters.length}`);
      if (query.owner === null) parameters.pop();
    }
    if (query.status !== undefined) {
      parameters.push(query.status);
      conditions.push(`status = $${parameters.length}`);
    }
    const where = conditions.length === 0 ? "" : `WHERE ${conditions.join(" AND ")}`;
    // Filters on the documents and orders by fields without a column are applied here (JSON support differs between the dialects).
    const inDocuments = query.metadata !== undefined || query.values !== undefined || query.ids !== undefined || query.sortBy === "created_at";
    if (!inDocuments) {
      const direction = query.sortOrder === "asc" ? "ASC" : "DESC";
      const order = `ORDER BY ${query.sortBy ?? "updated_at"} ${direction}, thread_id ${direction}`;
      const rows = await this.sql.rows(`SELECT doc FROM ${this.threadsTable} ${where} ${order} LIMIT ${query.limit} OFFSET ${query.offset}`, parameters);
      return rows.map((row) => JSON.parse(String(row.doc)) as ThreadRow);
    }
    const rows = await this.sql.rows(`SELECT doc FROM ${this.threadsTable} ${where}`, parameters);
    return rows
      .map((row) => JSON.parse(String(row.doc)) as ThreadRow)
      .filter((row) => matchesThreadQuery(row, query))
      .sort(compareThreads(query))
      .slice(query.offset, query.offset + query.limit);
  }

  insertAssistant(row: AssistantRow): Promise<boolean> {
    return this.assistants.insert(row);
  }

  getAssistant(assistantId: string): Promise<AssistantRow | undefined> {
    return this.assistants.get(assistantId);
  }

  updateAssistant(assistantId: string, change: RowChange<AssistantRow>): Promise<AssistantRow | undefined> {
    return this.assistants.update(assistantId, change);
  }

  deleteAssistant(assistantId: string): Promise<boolean> {
    return this.assistants.delete(assistantId);
  }

  searchAssistants(query: AssistantQuery): Promise<AssistantRow[]> {
    return this.assistants.search(query);
  }

  async insertRun(row: RunRow): Promise<void> {
    await this.sql.run(
      `INSERT INTO ${this.runsTable} (run_id, thread_id, status, updated_at, lease_expires_at, version, doc) VALUES ($1, $2, $3, $4, $5, 1, $6)`,
      [row.run.run_id, row.run.thread_id, row.run.status, row.run.updated_at, row.leaseExpiresAt, JSON.stringify(row)],
    );
  }

  async getRun(runId: string): Promise<RunRow | undefined> {
    return (await this.readRun(runId))?.row;
  }

  private async readRun(runId: string): Promise<{ row: RunRow; version: number } | undefined> {
    const [found] = await this.sql.rows(`SELECT version, doc FROM ${this.runsTable} WHERE run_id = $1`, [runId]);
    return found === undefined ? undefined : { row: JSON.parse(String(found.doc)) as RunRow, version: Number(found.version) };
  }

  async updateRun(runId: string, change: RowChange<RunRow>): Promise<RunRow | undefined> {
    for (let attempt = 0; attempt < MAX_CONFLICTS; attempt++) {
      const current = await this.readRun(runId);
      if (current === undefined) return undefined;
      const next = change(current.row);
      if (next === undefined) return undefined;
      const changed = await this.sql.run(
        `UPDATE ${this.runsTable} SET status = $1, updated_at = $2, lease_expires_at = $3, version = version + 1, doc = $4 WHERE run_id = $5 AND version = $6`,
        [next.run.status, next.run.updated_at, next.leaseExpiresAt, JSON.stringify(next), runId, current.version],
      );
      if (changed === 1) return next;
    }
    throw conflict(`run ${runId}`);
  }

  async listRuns(query: RunQuery): Promise<RunRow[]> {
    const conditions: string[] = [];
    const parameters: unknown[] = [];
    if (query.threadId !== undefined) {
      parameters.push(query.threadId);
      conditions.push(`thread_id = $${parameters.length}`);
    }
    if (query.status !== undefined) {
      if (query.status.length === 0) return [];
      const marks = query.status.map((status) => {
        parameters.push(status);
        return `$${parameters.length}`;
      });
      conditions.push(`status IN (${marks.join(", ")})`);
    }
    if (query.leaseExpiredBefore !== undefined) {
      parameters.push(query.leaseExpiredBefore);
      conditions.push(`lease_expires_at < $${parameters.length}`);
    }
    const where = conditions.length === 0 ? "" : `WHERE ${conditions.join(" AND ")}`;
    const rows = await this.sql.rows(`SELECT doc FROM ${this.runsTable} ${where} ORDER BY seq LIMIT ${query.limit} OFFSET ${query.offset}`, parameters);
    return rows.map((row) => JSON.parse(String(row.doc)) as RunRow);
  }

  async deleteRun(runId: string): Promise<boolean> {
    return (await this.sql.run(`DELETE FROM ${this.runsTable} WHERE run_id = $1`, [runId])) === 1;
  }

  async prune(before: PruneBefore): Promise<{ runs: number; threads: number }> {
    let runs = 0;
    let threads = 0;
    if (before.finishedRuns !== undefined) {
      const marks = FINISHED_RUN_STATUSES.map((_, index) => `$${index + 2}`).join(", ");
      runs = await this.sql.run(`DELETE FROM ${this.runsTable} WHERE updated_at < $1 AND status IN (${marks})`, [
        new Date(before.finishedRuns).toISOString(),
        ...FINISHED_RUN_STATUSES,
      ]);
    }
    if (before.threads !== undefined) {
      const cutoff = new Date(before.threads).toISOString();
      await this.sql.run(
        `DELETE FROM ${this.runsTable} WHERE thread_id IN (SELECT thread_id FROM ${this.threadsTable} WHERE updated_at < $1 AND current_run_id IS NULL)`,
        [cutoff],
      );
      threads = await this.sql.run(`DELETE FROM ${this.threadsTable} WHERE updated_at < $1 AND current_run_id IS NULL`, [cutoff]);
    }
    return { runs, threads };
  }
}

function conflict(what: string): WeftError {
  return new WeftError("SERVER", `Updating ${what} conflicted with other writers ${MAX_CONFLICTS} times in a row; try again.`, { details: { status: 503 } });
}

/** The columns both dialects index (types differ only in the sequence column). */
export function tableDefinitions(threads: string, runs: string, sequence: string, indexPrefix: string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${threads} (
      thread_id TEXT PRIMARY KEY,
      owner TEXT,
      status TEXT NOT NULL,
      current_run_id TEXT,
      updated_at TEXT NOT NULL,
      version INTEGER NOT NULL,
      doc TEXT NOT NULL
    )`,
    `CREATE INDEX IF NOT EXISTS ${indexPrefix}threads_by_owner ON ${threads} (owner, updated_at)`,
    `CREATE TABLE IF NOT EXISTS ${runs} (
      seq ${sequence},
      run_id TEXT NOT NULL UNIQUE,
      thread_id TEXT,
      status TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      lease_expires_at BIGINT NOT NULL,
      version INTEGER NOT NULL,
      doc TEXT NOT NULL
    )`,
    `CREATE INDEX IF NOT EXISTS ${indexPrefix}runs_by_thread ON ${runs} (thread_id, seq)`,
    `CREATE INDEX IF NOT EXISTS ${indexPrefix}runs_by_status ON ${runs} (status, lease_expires_at)`,
  ];
}
