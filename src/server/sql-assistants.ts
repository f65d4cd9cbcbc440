// The assistants table of the SQLite and Postgres record stores: one JSON document per assistant,
// with the columns searches filter on and a version column for compare-and-set updates.
import { WeftError } from "../errors.js";
import { type AssistantQuery, type AssistantRow, type RowChange, compareAssistants, matchesAssistantQuery } from "./record-store.js";
import type { SqlConnection } from "./sql-record-store.js";

const MAX_CONFLICTS = 50;

export function assistantsTableDefinition(table: string, indexPrefix: string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${table} (
      assistant_id TEXT PRIMARY KEY,
      owner TEXT,
      graph_id TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      version INTEGER NOT NULL,
      doc TEXT NOT NULL
    )`,
    `CREATE INDEX IF NOT EXISTS ${indexPrefix}assistants_by_owner ON ${table} (owner, updated_at)`,
  ];
}

export class SqlAssistants {
  constructor(
    private readonly sql: () => SqlConnection,
    private readonly table: () => string,
  ) {}

  async insert(row: AssistantRow): Promise<boolean> {
    const changed = await this.sql().run(
      `INSERT INTO ${this.table()} (assistant_id, owner, graph_id, updated_at, version, doc) VALUES ($1, $2, $3, $4, 1, $5) ON CONFLICT (assistant_id) DO NOTHING`,
      [row.assistant.assistant_id, row.owner, row.assistant.graph_id, row.assistant.updated_at, JSON.stringify(row)],
    );
    return changed === 1;
  }

  async get(assistantId: string): Promise<AssistantRow | undefined> {
    return (await this.read(assistantId))?.row;
  }

  async update(assistantId: string, change: RowChange<AssistantRow>): Promise<AssistantRow | undefined> {
    for (let attempt = 0; attempt < MAX_CONFLICTS; attempt++) {
      const current = await this.read(assistantId);
      if (current === undefined) return undefined;
      const next = change(current.row);
      if (next === undefined) return undefined;
      const changed = await this.sql().run(
        `UPDATE ${this.table()} SET owner = $1, graph_id = $2, updated_at = $3, version = version + 1, doc = $4 WHERE assistant_id = $5 AND version = $6`,
        [next.owner, next.assistant.graph_id, next.assistant.updated_at, JSON.stringify(next), assistantId, current.version],
      );
      if (changed === 1) return next;
    }
    throw new WeftError("SERVER", `Updating assistant ${assistantId} lost to other writers ${MAX_CONFLICTS} times in a row; try again.`);
  }

  async delete(assistantId: string): Promise<boolean> {
    return (await this.sql().run(`DELETE FROM ${this.table()} WHERE assistant_id = $1`, [assistantId])) === 1;
  }

  async search(query: AssistantQuery): Promise<AssistantRow[]> {
    const conditions: string[] = [];
    const parameters: unknown[] = [];
    if (query.owner === null) conditions.push("owner IS NULL");
    else if (query.owner !== undefined) {
      parameters.push(query.owner);
      conditions.push(`owner = $${parameters.length}`);
    }
    if (query.graphId !== undefined) {
      parameters.push(query.graphId);
      conditions.push(`graph_id = $${parameters.length}`);
    }
    const where = conditions.length === 0 ? "" : `WHERE ${conditions.join(" AND ")}`;
    // Metadata and name filters read the documents (JSON support differs between the dialects).
    const rows = await this.sql().rows(`SELECT doc FROM ${this.table()} ${where}`, parameters);
    return rows
      .map((row) => JSON.parse(String(row.doc)) as AssistantRow)
      .filter((row) => matchesAssistantQuery(row, query))
      .sort(compareAssistants)
      .slice(query.offset, query.offset + query.limit);
  }

  private async read(assistantId: string): Promise<{ row: AssistantRow; version: number } | undefined> {
    const [found] = await this.sql().rows(`SELECT version, doc FROM ${this.table()} WHERE assistant_id = $1`, [assistantId]);
    return found === undefined ? undefined : { row: JSON.parse(String(found.doc)) as AssistantRow, version: Number(found.version) };
  }
}
