// A checkpointer in PostgreSQL (the `pg` package): for servers on several machines, or when one SQLite file is not enough.
import type { Client, Pool, PoolClient } from "pg";
import { WeftError } from "../../errors.js";
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
import { openPool, quotedSchema } from "./postgres-pool.js";
import { type CheckpointRow, type WriteRow, rowToTuple } from "../row-mapping.js";
import type { Serde } from "../../core/serde.js";

export interface PostgresSaverOptions {
  /** The schema that holds Weft's tables (created by setup()); default "public". */
  schema?: string;
  serde?: Serde;
}

/** Schema changes in order; setup() applies the ones a database has not seen. */
const MIGRATIONS: ReadonlyArray<(schema: string) => string> = [
  (schema) => `
    CREATE TABLE IF NOT EXISTS ${schema}.weft_checkpoints (
      thread_id TEXT NOT NULL,
      checkpoint_ns TEXT NOT NULL DEFAULT '',
      checkpoint_id TEXT NOT NULL,
      parent_checkpoint_id TEXT,
      checkpoint TEXT NOT NULL,
      metadata TEXT NOT NULL,
      PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id)
    );
    CREATE TABLE IF NOT EXISTS ${schema}.weft_writes (
      seq BIGSERIAL PRIMARY KEY,
      thread_id TEXT NOT NULL,
      checkpoint_ns TEXT NOT NULL DEFAULT '',
      checkpoint_id TEXT NOT NULL,
      task_id TEXT NOT NULL,
      channel TEXT NOT NULL,
      value TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS weft_writes_by_checkpoint ON ${schema}.weft_writes (thread_id, checkpoint_ns, checkpoint_id, seq);`,
];


/**
 * Saves threads in PostgreSQL. Give it a `pg` Pool or a connection string, and call `setup()` once
 * (it creates or migrates the tables; safe to call on every start). Needs the optional `pg` package.
 *
 * @example
 * import { PostgresSaver } from "weft/checkpoint/postgres";
 * const checkpointer = new PostgresSaver("postgres://postgres@127.0.0.1:5432/app");
 * await checkpointer.setup();
 * const graph = builder.compile({ checkpointer });
 */
export class PostgresSaver extends Checkpointer {
  readonly pool: Pool;
  private readonly ownsPool: boolean;
  private readonly schema: string;
  private isSetUp = false;
  /**
   * One connection of its own (outside the pool, so running threads never take pool slots from
   * queries), held while the saver is open, owns the advisory locks of running threads.
   */
  private lockClient: Promise<Client> | undefined;
  private closed = false;

  constructor(poolOrConnectionString: Pool | string, options: PostgresSaverOptions = {}) {
    super(options.serde);
    ({ pool: this.pool, owned: this.ownsPool } = openPool(poolOrConnectionString, "PostgresSaver"));
    this.schema = quotedSchema(options.schema, "PostgresSaver");
  }

  /** A saver on a new pool for `connectionString`; close() ends the pool. */
  static fromConnString(connectionString: string, options?: PostgresSaverOptions): PostgresSaver {
    return new PostgresSaver(connectionString, options);
  }

  /** Create the schema and tables, or bring older ones up to date. Run it before the first use. */
  async setup(): Promise<void> {
    const client = await this.connect();
    try {
      await client.query("BEGIN");
      // One setup at a time, even across processes.
      await client.query("SELECT pg_advisory_xact_lock(hashtext('weft_checkpoint_setup'))");
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${this.schema}.weft_migrations (version INTEGER PRIMARY KEY)`);
      const { rows } = await client.query<{ version: number }>(`SELECT COALESCE(MAX(version), -1) AS version FROM ${this.schema}.weft_migrations`);
      for (let version = rows[0]!.version + 1; version < MIGRATIONS.length; version++) {
        await client.query(MIGRATIONS[version]!(this.schema));
        await client.query(`INSERT INTO ${this.schema}.weft_migrations (version) VALUES ($1)`, [version]);
      }
      await client.query("COMMIT");
      this.isSetUp = true;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw this.failure("setup()", error);
    } finally {
      client.release();
    }
  }

  async getTuple(config: CheckpointConfig): Promise<CheckpointTuple | undefined> {
    const { threadId, namespace, checkpointId } = checkpointTarget(config);
    const columns = "checkpoint_id, parent_checkpoint_id, checkpoint, metadata";
    const { rows } =
      checkpointId === undefined
        ? await this.query<CheckpointRow>(
            `SELECT ${columns} FROM ${this.schema}.weft_checkpoints WHERE thread_id = $1 AND checkpoint_ns = $2 ORDER BY checkpoint_id DESC LIMIT 1`,
            [threadId, namespace],
          )
        : await this.query<CheckpointRow>(
            `SELECT ${columns} FROM ${this.schema}.weft_checkpoints WHERE thread_id = $1 AND checkpoint_ns = $2 AND checkpoint_id = $3`,
            [threadId, namespace, checkpointId],
          );
    return rows[0] === undefined ? undefined : this.toTuple(threadId, namespace, rows[0]);
  }

  async *list(config: CheckpointConfig, options: ListOptions = {}): AsyncIterable<CheckpointTuple> {
    const { threadId, namespace } = checkpointTarget(config);
    const limit = checkLimit(options.limit);
    const before = options.before?.configurable?.checkpoint_id ?? null;
    const { rows } = await this.query<CheckpointRow>(
      `SELECT checkpoint_id, parent_checkpoint_id, checkpoint, metadata FROM ${this.schema}.weft_checkpoints
       WHERE thread_id = $1 AND checkpoint_ns = $2 AND ($3::text IS NULL OR checkpoint_id < $3::text)
       ORDER BY checkpoint_id DESC LIMIT $4`,
      [threadId, namespace, before, Number.isFinite(limit) ? limit : null],
    );
    for (const row of rows) yield await this.toTuple(threadId, namespace, row);
  }

  async put(config: CheckpointConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata): Promise<CheckpointTuple["config"]> {
    const { threadId, namespace, checkpointId: parentId } = checkpointTarget(config);
    const checkpointText = this.serde.stringify(checkpoint, "checkpoint");
    const metadataText = this.serde.stringify(metadata, "metadata");
    await this.query(
      `INSERT INTO ${this.schema}.weft_checkpoints (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, checkpoint, metadata)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id) DO UPDATE
       SET parent_checkpoint_id = EXCLUDED.parent_checkpoint_id, checkpoint = EXCLUDED.checkpoint, metadata = EXCLUDED.metadata`,
      [threadId, namespace, checkpoint.id, parentId ?? null, checkpointText, metadataText],
    );
    return checkpointConfig(threadId, namespace, checkpoint.id);
  }

  async putWrites(config: CheckpointConfig, writes: ReadonlyArray<readonly [string, unknown]>, taskId: string): Promise<void> {
    const { threadId, namespace, checkpointId } = checkpointTarget(config);
    const rows = writes.map(([channel, value]) => [channel, this.serde.stringify(value, channel)] as const);
    if (checkpointId === undefined) throw missingCheckpoint(threadId, checkpointId);
    // One statement inserts all rows, and only when the checkpoint exists: atomic without a transaction.
    const { rowCount } = await this.query(
      `INSERT INTO ${this.schema}.weft_writes (thread_id, checkpoint_ns, checkpoint_id, task_id, channel, value)
       SELECT $1, $2, $3, $4, write.channel, write.value
       FROM unnest($5::text[], $6::text[]) WITH ORDINALITY AS write(channel, value, position)
       WHERE EXISTS (SELECT 1 FROM ${this.schema}.weft_checkpoints WHERE thread_id = $1 AND checkpoint_ns = $2 AND checkpoint_id = $3)
       ORDER BY write.position`,
      [threadId, namespace, checkpointId, taskId, rows.map((row) => row[0]), rows.map((row) => row[1])],
    );
    if (rows.length > 0 && rowCount === 0) throw missingCheckpoint(threadId, checkpointId);
  }

  async deleteThread(threadId: string): Promise<void> {
    await this.query(
      `WITH gone AS (DELETE FROM ${this.schema}.weft_writes WHERE thread_id = $1) DELETE FROM ${this.schema}.weft_checkpoints WHERE thread_id = $1`,
      [threadId],
    );
  }

  /**
   * Hold the thread with a session advisory lock. Postgres frees it when the holding connection
   * ends, so a killed process never blocks resuming its threads.
   */
  override async lockThread(threadId: string, namespace: string): Promise<() => Promise<void>> {
    const client = await (this.lockClient ??= this.connectLockClient());
    const key = JSON.stringify([this.schema, threadId, namespace]);
    const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked", [key]);
    if (!rows[0]!.locked) throw threadBusy(threadId, " (in another process or PostgresSaver)");
    return async () => {
      await client.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [key]);
    };
  }

  /** Let go of the lock connection, and end the pool when this saver created it (from a connection string). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const lockClient = await this.lockClient?.catch(() => undefined);
    this.lockClient = undefined;
    // Ending the connection frees every lock it held.
    await lockClient?.end().catch(() => {});
    if (this.ownsPool) await this.pool.end();
  }

  private async connectLockClient(): Promise<Client> {
    const pg = loadOptional<typeof import("pg")>("pg", "PostgresSaver");
    const client = new pg.Client(this.pool.options);
    // A dropped lock connection loses its locks; the next run opens a new one.
    client.on("error", () => {
      if (this.lockClient !== undefined) this.lockClient = undefined;
    });
    try {
      await client.connect();
      return client;
    } catch (error) {
      this.lockClient = undefined;
      throw this.failure("connecting", error);
    }
  }

  private async toTuple(threadId: string, namespace: string, row: CheckpointRow): Promise<CheckpointTuple> {
    const { rows: writes } = await this.query<WriteRow>(
      `SELECT task_id, channel, value FROM ${this.schema}.weft_writes WHERE thread_id = $1 AND checkpoint_ns = $2 AND checkpoint_id = $3 ORDER BY seq`,
      [threadId, namespace, row.checkpoint_id],
    );
    return rowToTuple(this.serde, threadId, namespace, row, writes);
  }

  private connect(): Promise<PoolClient> {
    return this.pool.connect().catch((error: unknown) => {
      throw this.failure("connecting", error);
    });
  }

  private async query<Row extends Record<string, unknown>>(text: string, values: unknown[]): Promise<{ rows: Row[]; rowCount: number | null }> {
    try {
      return await this.pool.query<Row>(text, values);
    } catch (error) {
      if ((error as { code?: string }).code === "42P01" && !this.isSetUp) {
        throw new WeftError("CHECKPOINT", "PostgresSaver's tables do not exist yet: call `await saver.setup()` once before using it.", { cause: error });
      }
      throw this.failure("a query", error);
    }
  }

  private failure(during: string, error: unknown): WeftError {
    if (WeftError.isInstance(error)) return error;
    return new WeftError("CHECKPOINT", `PostgresSaver failed during ${during}: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  }
}
