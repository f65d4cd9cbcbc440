// The embedded default of `weft serve`: threads and runs in a SQLite file (WAL mode), so a plain
// `weft serve` keeps them across restarts. Needs the optional better-sqlite3 package.
import type BetterSqlite3 from "better-sqlite3";
import { WeftError, describeError } from "../errors.js";
import { loadOptional } from "../checkpoint/optional-dependency.js";
import { assistantsTableDefinition } from "./sql-assistants.js";
import { type SqlConnection, SqlRecordStore, tableDefinitions } from "./sql-record-store.js";

/** `$1`-style SQL (shared with Postgres) as `?` SQL and its parameters in order of appearance. */
function positional(sql: string, parameters: unknown[]): [string, unknown[]] {
  const ordered: unknown[] = [];
  const text = sql.replace(/\$(\d+)/g, (_, index: string) => {
    ordered.push(parameters[Number(index) - 1]);
    return "?";
  });
  return [text, ordered];
}

/**
 * Threads and runs in a SQLite file (or ":memory:").
 *
 * @example
 * const store = new SqliteRecordStore(".weft/records.db");
 * const handler = createHandler({ graphs: { agent }, store });
 */
export class SqliteRecordStore extends SqlRecordStore {
  readonly db: BetterSqlite3.Database;
  protected readonly threadsTable = "weft_server_threads";
  protected readonly runsTable = "weft_server_runs";
  protected readonly assistantsTable = "weft_server_assistants";
  protected readonly sql: SqlConnection;
  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  constructor(path: string) {
    super();
    const Database = loadOptional<typeof BetterSqlite3>("better-sqlite3", "SqliteRecordStore");
    try {
      this.db = new Database(path);
    } catch (error) {
      throw new WeftError("INVALID_OPTIONS", `SqliteRecordStore could not open "${path}": ${describeError(error)}`, { cause: error });
    }
    if (!this.db.memory) this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("busy_timeout = 5000");
    for (const statement of tableDefinitions(this.threadsTable, this.runsTable, "INTEGER PRIMARY KEY AUTOINCREMENT", "weft_server_")) this.db.exec(statement);
    for (const statement of assistantsTableDefinition(this.assistantsTable, "weft_server_")) this.db.exec(statement);
    const prepared = (sql: string) => {
      let statement = this.statements.get(sql);
      if (statement === undefined) {
        statement = this.db.prepare(sql);
        this.statements.set(sql, statement);
      }
      return statement;
    };
    this.sql = {
      rows: async (sql, parameters) => {
        const [text, ordered] = positional(sql, parameters);
        return prepared(text).all(...ordered) as Array<Record<string, unknown>>;
      },
      run: async (sql, parameters) => {
        const [text, ordered] = positional(sql, parameters);
        return prepared(text).run(...ordered).changes;
      },
    };
  }

  async setup(): Promise<void> {
    // The tables are created when the file is opened.
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
