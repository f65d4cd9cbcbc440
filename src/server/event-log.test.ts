// The EventLog conformance suite against memory, SQLite (a temporary file, opened twice, as two
// processes on one machine would), Redis (127.0.0.1:6379, a key prefix per run, two connections) and
// Postgres (127.0.0.1:5432 database "test", a schema per run, two pools); fails, not skips, without them.
import { mkdtempSync, rmSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import type { EventLog } from "./event-log.js";
import { registerEventLogConformance } from "./event-log-conformance.js";
import { MemoryEventLog } from "./memory-event-log.js";
import { createPostgresEventLog } from "./postgres-event-log.js";
import { createRedisEventLog } from "./redis-event-log.js";
import { SqliteEventLog } from "./sqlite-event-log.js";

registerEventLogConformance("MemoryEventLog", async (bounds) => {
  const log = new MemoryEventLog(bounds);
  return { logs: [log, log], cleanup: () => log.close() };
});

// A log of one's own written before readBatches existed: readers fall back to its read (batchesOf).
registerEventLogConformance("a log without readBatches (a MemoryEventLog seen through its other methods)", async (bounds) => {
  const inner = new MemoryEventLog(bounds);
  const log = new Proxy(inner, {
    get: (target, key) => {
      if (key === "readBatches") return undefined;
      const value: unknown = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  }) as EventLog;
  return { logs: [log, log], cleanup: () => inner.close() };
});

registerEventLogConformance("SqliteEventLog (one file, two connections)", async (bounds) => {
  const dir = mkdtempSync(join(tmpdir(), "weft-events-"));
  const one = new SqliteEventLog(join(dir, "events.db"), { ...bounds, pollMs: 20 });
  const two = new SqliteEventLog(join(dir, "events.db"), { ...bounds, pollMs: 20 });
  return {
    logs: [one, two],
    cleanup: async () => {
      await one.close();
      await two.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

registerEventLogConformance("Redis event log (two connections on one key prefix)", async (bounds) => {
  const keyPrefix = `weft-conformance-${randomUUID().slice(0, 8)}:`;
  const [one, two] = await Promise.all([createRedisEventLog({ ...bounds, keyPrefix, blockMs: 200 }), createRedisEventLog({ ...bounds, keyPrefix, blockMs: 200 })]);
  return {
    logs: [one, two],
    cleanup: async () => {
      await one.close();
      await two.close();
      const redis = new Redis("redis://127.0.0.1:6379");
      const keys = await redis.keys(`${keyPrefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    },
  };
});

const DATABASE_URL = process.env.WEFT_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
let schemas = 0;

registerEventLogConformance("Postgres event log (two pools on one schema)", async (bounds) => {
  const schema = `weft_events_${process.pid}_${Date.now()}_${schemas++}`;
  const one = await createPostgresEventLog(DATABASE_URL, { ...bounds, schema });
  const two = await createPostgresEventLog(DATABASE_URL, { ...bounds, schema });
  return {
    logs: [one, two],
    cleanup: async () => {
      await one.close();
      await two.close();
      const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    },
  };
});
