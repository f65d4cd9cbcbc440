// A checkpointer in a SQLite file (better-sqlite3, WAL mode): threads survive restarts and crashes of the process.
import type BetterSqlite3 from "better-sqlite3";
import { WeftError, describeValue } from "../../errors.js";
import {
  type Checkpoint,
  type CheckpointConfig,
  type CheckpointMetadata,
  type CheckpointTuple,
  type ListOptions,
  type PendingWrite,
  Checkpointer,
  checkLimit,
  checkpointConfig,
  checkpointTarget,
  missingCheckpoint,
  threadBusy,
} from "../../core/checkpointer.js";
import { loadOptional } from "../optional-dependency.js";
import { type CheckpointRow, type WriteRow, rowToTuple } from "../row-mapping.js";
import type { Serde } from "../../core/serde.js";

type Database = BetterSqlite3.Database;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS weft_checkpoints (
  thread_id TEXT NOT NULL,
  checkpoint_ns TEXT NOT NULL DEFAULT '',
  checkpoint_id TEXT NOT NULL,
  parent_checkpoint_id TEXT,
  checkpoint TEXT NOT NULL,
  metadata TEXT NOT NULL,
  PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id)
);
CREATE TABLE IF NOT EXISTS weft_writes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  thread_id TEXT NOT NULL,
  checkpoint_ns TEXT NOT NULL DEFAULT '',
  checkpoint_id TEXT NOT NULL,
  task_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS weft_writes_by_checkpoint ON weft_writes (thread_id, checkpoint_ns, checkpoint_id, seq);
CREATE TABLE IF NOT EXISTS weft_thread_locks (
  thread_id TEXT NOT NULL,
  checkpoint_ns TEXT NOT NULL,
  owner TEXT NOT NULL,
  pid INTEGER NOT NULL,
  acquired_at TEXT NOT NULL,
  PRIMARY KEY (thread_id, checkpoint_ns)
);
`;



/**
 * Saves threads in a SQLite database: a file path (created if missing), ":memory:", or an open
 * better-sqlite3 Database. File databases use WAL mode, so readers never block the writer and a
 * killed process loses nothing that was committed. Needs the optional `better-sqlite3` package.
 *
 * @example
 * import { SqliteSaver } from "weft/checkpoint/sqlite";
 * const graph = builder.compile({ checkpointer: SqliteSaver.fromPath("threads.db") });
 */
export class SqliteSaver extends Checkpointer {
  readonly db: Database;
  private readonly ownsDatabase: boolean;
  private readonly statements: ReturnType<typeof prepare>;

  constructor(pathOrDatabase: string | Database, serde?: Serde) {
    super(serde);
    if (typeof pathOrDatabase === "string") {
      if (pathOrDatabase === "") throw new WeftError("INVALID_OPTIONS", 'SqliteSaver needs a file path or ":memory:", not an empty string.');
      const Database = loadOptional<typeof BetterSqlite3>("better-sqlite3", "SqliteSaver");
      try {
        this.db = new Database(pathOrDatabase);
      } catch (error) {
        throw new WeftError("CHECKPOINT", `SqliteSaver could not open "${pathOrDatabase}": ${(error as Error).message}`, { cause: error });
      }
      this.ownsDatabase = true;
    } else if (typeof pathOrDatabase === "object" && pathOrDatabase !== null && typeof (pathOrDatabase as Database).prepare === "function") {
      this.db = pathOrDatabase;
      this.ownsDatabase = false;
    } else {
      throw new WeftError("INVALID_OPTIONS", `SqliteSaver needs a file path, ":memory:" or a better-sqlite3 Database, not ${describeValue(pathOrDatabase)}.`);
    }
    if (!this.db.memory) this.db.pragma("journal_mode = WAL");
    // NORMAL is durable against a crash of the process in WAL mode (only a power loss can drop the last commits).
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("busy_timeout = 5000");
    this.db.exec(SCHEMA);
    this.statements = prepare(this.db);
  }

  /** A saver on the SQLite file at `path` (or ":memory:"). */
  static fromPath(path: string, serde?: Serde): SqliteSaver {
    return new SqliteSaver(path, serde);
  }

  async getTuple(config: CheckpointConfig): Promise<CheckpointTuple | undefined> {
    const { threadId, namespace, checkpointId } = checkpointTarget(config);
    const row = (checkpointId === undefined
      ? this.statements.latest.get(threadId, namespace)
      : this.statements.byId.get(threadId, namespace, checkpointId)) as CheckpointRow | undefined;
    return row === undefined ? undefined : this.toTuple(threadId, namespace, row);
  }

  async *list(config: CheckpointConfig, options: ListOptions = {}): AsyncIterable<CheckpointTuple> {
    const { threadId, namespace } = checkpointTarget(config);
    const limit = checkLimit(options.limit);
    const before = options.before?.configurable?.checkpoint_id ?? null;
    const rows = this.statements.list.all(threadId, namespace, before, before, Number.isFinite(limit) ? limit : -1) as CheckpointRow[];
    for (const row of rows) yield this.toTuple(threadId, namespace, row);
  }

  async put(config: CheckpointConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata): Promise<CheckpointTuple["config"]> {
    const { threadId, namespace, checkpointId: parentId } = checkpointTarget(config);
    const checkpointText = this.serde.stringify(checkpoint, "checkpoint");
    const metadataText = this.serde.stringify(metadata, "metadata");
    this.statements.put.run(threadId, namespace, checkpoint.id, parentId ?? null, checkpointText, metadataText);
    return checkpointConfig(threadId, namespace, checkpoint.id);
  }

  async putWrites(config: CheckpointConfig, writes: ReadonlyArray<readonly [string, unknown]>, taskId: string): Promise<void> {
    const { threadId, namespace, checkpointId } = checkpointTarget(config);
    const rows = writes.map(([channel, value]) => [channel, this.serde.stringify(value, channel)] as const);
    if (checkpointId === undefined || this.statements.exists.get(threadId, namespace, checkpointId) === undefined) {
      throw missingCheckpoint(threadId, checkpointId);
    }
    this.db.transaction(() => {
      for (const [channel, value] of rows) this.statements.write.run(threadId, namespace, checkpointId, taskId, channel, value);
    })();
  }

  async deleteThread(threadId: string): Promise<void> {
    this.db.transaction(() => {
      this.statements.deleteCheckpoints.run(threadId);
      this.statements.deleteWrites.run(threadId);
    })();
  }

  /**
   * A lock row per running thread, owned by this process. A row whose process is gone (killed,
   * crashed) is taken over, so a crash never blocks resuming.
   */
  override async lockThread(threadId: string, namespace: string): Promise<() => Promise<void>> {
    const owner = crypto.randomUUID();
    const acquired = this.db
      .transaction(() => {
        const holder = this.statements.lockHolder.get(threadId, namespace) as { pid: number } | undefined;
        if (holder !== undefined && processIsAlive(holder.pid)) return false;
        this.statements.lock.run(threadId, namespace, owner, process.pid, new Date().toISOString());
        return true;
      })
      .immediate();
    if (!acquired) throw threadBusy(threadId, " (in another process, or another SqliteSaver on the same file)");
    return async () => {
      if (this.db.open) this.statements.unlock.run(threadId, namespace, owner);
    };
  }

  /** Close the database (only when this saver opened it). */
  close(): void {
    if (this.ownsDatabase && this.db.open) this.db.close();
  }

  private toTuple(threadId: string, namespace: string, row: CheckpointRow): CheckpointTuple {
    const writes = this.statements.writes.all(threadId, namespace, row.checkpoint_id) as WriteRow[];
    return rowToTuple(this.serde, threadId, namespace, row, writes);
  }
}

/** True while process `pid` runs (on this machine: a SQLite file is not shared across machines). */
function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}

function prepare(db: Database) {
  const columns = "checkpoint_id, parent_checkpoint_id, checkpoint, metadata";
  return {
    latest: db.prepare(`SELECT ${columns} FROM weft_checkpoints WHERE thread_id = ? AND checkpoint_ns = ? ORDER BY checkpoint_id DESC LIMIT 1`),
    byId: db.prepare(`SELECT ${columns} FROM weft_checkpoints WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id = ?`),
    exists: db.prepare("SELECT 1 FROM weft_checkpoints WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id = ?"),
    list: db.prepare(
      `SELECT ${columns} FROM weft_checkpoints WHERE thread_id = ? AND checkpoint_ns = ? AND (? IS NULL OR checkpoint_id < ?) ORDER BY checkpoint_id DESC LIMIT ?`,
    ),
    put: db.prepare(
      `INSERT INTO weft_checkpoints (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, checkpoint, metadata) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id) DO UPDATE SET parent_checkpoint_id = excluded.parent_checkpoint_id, checkpoint = excluded.checkpoint, metadata = excluded.metadata`,
    ),
    write: db.prepare("INSERT INTO weft_writes (thread_id, checkpoint_ns, checkpoint_id, task_id, channel, value) VALUES (?, ?, ?, ?, ?, ?)"),
    writes: db.prepare("SELECT task_id, channel, value FROM weft_writes WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id = ? ORDER BY seq"),
    lockHolder: db.prepare("SELECT pid FROM weft_thread_locks WHERE thread_id = ? AND checkpoint_ns = ?"),
    lock: db.prepare(
      `INSERT INTO weft_thread_locks (thread_id, checkpoint_ns, owner, pid, acquired_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (thread_id, checkpoint_ns) DO UPDATE SET owner = excluded.owner, pid = excluded.pid, acquired_at = excluded.acquired_at`,
    ),
    unlock: db.prepare("DELETE FROM weft_thread_locks WHERE thread_id = ? AND checkpoint_ns = ? AND owner = ?"),
    deleteCheckpoints: db.prepare("DELETE FROM weft_checkpoints WHERE thread_id = ?"),
    deleteWrites: db.prepare("DELETE FROM weft_writes WHERE thread_id = ?"),
  };
}
