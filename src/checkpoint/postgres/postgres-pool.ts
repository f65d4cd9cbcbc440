// What every Postgres-backed part of Weft (the checkpointer, the server's record store) takes:
// a `pg` Pool of the caller's, or a connection string for a pool of its own; and a schema name.
import type { Pool } from "pg";
import { WeftError, describeValue } from "../../errors.js";
import { loadOptional } from "../optional-dependency.js";

/** The pool to use, and whether closing its user should end it (true when made from a connection string). */
export function openPool(poolOrConnectionString: Pool | string, user: string): { pool: Pool; owned: boolean } {
  if (typeof poolOrConnectionString === "string") {
    const pg = loadOptional<typeof import("pg")>("pg", user);
    return { pool: new pg.Pool({ connectionString: poolOrConnectionString }), owned: true };
  }
  if (typeof poolOrConnectionString === "object" && poolOrConnectionString !== null && typeof poolOrConnectionString.query === "function") {
    return { pool: poolOrConnectionString, owned: false };
  }
  throw new WeftError("INVALID_OPTIONS", `${user} needs a pg Pool or a connection string, not ${describeValue(poolOrConnectionString)}.`);
}

/** `schema` (default "public") quoted for SQL, after checking it is a plain identifier. */
export function quotedSchema(schema: string | undefined, user: string): string {
  const name = schema ?? "public";
  if (typeof name !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new WeftError("INVALID_OPTIONS", `${user} schema must be a plain identifier (letters, digits, _), not ${describeValue(name)}.`);
  }
  return `"${name}"`;
}
