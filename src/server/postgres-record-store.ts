// Threads and runs in PostgreSQL, shared by every instance of a server (needs the optional pg package).
import type { Pool } from "pg";
import { openPool, quotedSchema } from "../checkpoint/postgres/postgres-pool.js";
import { assistantsTableDefinition } from "./sql-assistants.js";
import { type SqlConnection, SqlRecordStore, tableDefinitions } from "./sql-record-store.js";

export interface PostgresRecordStoreOptions {
  /** The schema that holds the tables (created by setup()); default "public". */
  schema?: string;
}

/**
 * Threads and runs in PostgreSQL; call `setup()` once before use.
 *
 * @example
 * const store = new PostgresRecordStore("postgres://postgres@127.0.0.1:5432/app", { schema: "weft" });
 * await store.setup();
 */
export class PostgresRecordStore extends SqlRecordStore {
  readonly pool: Pool;
  private readonly ownsPool: boolean;
  private readonly schema: string;
  protected readonly threadsTable: string;
  protected readonly runsTable: string;
  protected readonly assistantsTable: string;
  protected readonly sql: SqlConnection;

  constructor(poolOrConnectionString: Pool | string, options: PostgresRecordStoreOptions = {}) {
    super();
    ({ pool: this.pool, owned: this.ownsPool } = openPool(poolOrConnectionString, "PostgresRecordStore"));
    this.schema = quotedSchema(options.schema, "PostgresRecordStore");
    this.threadsTable = `${this.schema}.weft_server_threads`;
    this.runsTable = `${this.schema}.weft_server_runs`;
    this.assistantsTable = `${this.schema}.weft_server_assistants`;
    this.sql = {
      rows: async (sql, parameters) => (await this.pool.query(sql, parameters)).rows as Array<Record<string, unknown>>,
      run: async (sql, parameters) => (await this.pool.query(sql, parameters)).rowCount ?? 0,
    };
  }

  async setup(): Promise<void> {
    const client = await this.pool.connect();
    try {
      // One setup at a time across instances (CREATE ... IF NOT EXISTS races on the catalog).
      await client.query("SELECT pg_advisory_lock(hashtext('weft_server_setup'))");
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      for (const statement of tableDefinitions(this.threadsTable, this.runsTable, "BIGSERIAL PRIMARY KEY", "weft_server_")) await client.query(statement);
      for (const statement of assistantsTableDefinition(this.assistantsTable, "weft_server_")) await client.query(statement);
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext('weft_server_setup'))").catch(() => undefined);
      client.release();
    }
  }

  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.end();
  }
}
