// The RecordStore conformance suite against memory, SQLite (a temporary file, opened twice) and
// Postgres (127.0.0.1:5432 database "test", a schema per run, two pools); fails, not skips, without Postgres.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { MemoryRecordStore } from "./memory-record-store.js";
import { PostgresRecordStore } from "./postgres-record-store.js";
import { registerRecordStoreConformance } from "./record-store-conformance.js";
import { SqliteRecordStore } from "./sqlite-record-store.js";

const DATABASE_URL = process.env.WEFT_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

registerRecordStoreConformance("MemoryRecordStore", async () => {
  const store = new MemoryRecordStore();
  return { stores: [store, store], cleanup: () => store.close() };
});

registerRecordStoreConformance("SqliteRecordStore (one file, two connections)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "weft-records-"));
  const one = new SqliteRecordStore(join(dir, "records.db"));
  const two = new SqliteRecordStore(join(dir, "records.db"));
  return {
    stores: [one, two],
    cleanup: async () => {
      await one.close();
      await two.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

registerRecordStoreConformance("PostgresRecordStore (two pools on one schema)", async () => {
  const schema = `weft_records_${process.pid}_${Date.now()}`;
  const one = new PostgresRecordStore(DATABASE_URL, { schema });
  const two = new PostgresRecordStore(DATABASE_URL, { schema });
  return {
    stores: [one, two],
    cleanup: async () => {
      await one.close();
      await two.close();
      const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    },
  };
});
