// What tests (and the event-log bench) leave in the local services, removed in one place: the Redis
// keys under a test's prefix and a test's Postgres schema.
import { Redis } from "ioredis";
import pg from "pg";

export const TEST_DATABASE_URL = process.env.WEFT_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
export const TEST_REDIS_URL = "redis://127.0.0.1:6379";

/** Delete the Redis keys under `keyPrefix` and drop the Postgres `schema`, each when given. */
export async function removeServiceData(options: { keyPrefix?: string; schema?: string; redisUrl?: string; databaseUrl?: string }): Promise<void> {
  if (options.keyPrefix !== undefined) {
    const redis = new Redis(options.redisUrl ?? TEST_REDIS_URL);
    const keys = await redis.keys(`${options.keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  }
  if (options.schema !== undefined) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl ?? TEST_DATABASE_URL, max: 1 });
    await pool.query(`DROP SCHEMA IF EXISTS "${options.schema}" CASCADE`);
    await pool.end();
  }
}
