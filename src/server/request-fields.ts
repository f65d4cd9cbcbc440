// Checking the fields of small request bodies (threads, search, history): every field is named in
// the 422 that refuses it, and unknown fields are refused rather than ignored.
import { describeValue } from "../errors.js";
import { httpError } from "./http-error.js";

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The body as an object with only `allowed` keys (an empty body is `{}`). */
export function objectBody(body: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (body === undefined) return {};
  if (!isObject(body)) throw httpError(422, `The request body must be a JSON object, not ${describeValue(body)}.`, "body");
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) throw httpError(422, `Unknown field "${key.slice(0, 60)}"; this route takes ${allowed.map((each) => `"${each}"`).join(", ")}.`, key.slice(0, 60));
  }
  return body;
}

/** A whole number in [min, max], or `fallback` when absent. */
export function integerField(body: Record<string, unknown>, field: string, fallback: number, min: number, max: number): number {
  const value = body[field] ?? fallback;
  if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max) {
    throw httpError(422, `\`${field}\` must be a whole number from ${min} to ${max}, not ${describeValue(value)}.`, field);
  }
  return value as number;
}

export function optionalObject(body: Record<string, unknown>, field: string): Record<string, unknown> | undefined {
  const value = body[field] ?? undefined;
  if (value !== undefined && !isObject(value)) throw httpError(422, `\`${field}\` must be an object, not ${describeValue(value)}.`, field);
  return value;
}

export function optionalEnum<const Value extends string>(body: Record<string, unknown>, field: string, allowed: readonly Value[]): Value | undefined {
  const value = body[field] ?? undefined;
  if (value !== undefined && !(allowed as readonly unknown[]).includes(value)) {
    throw httpError(422, `\`${field}\` must be ${allowed.map((each) => `"${each}"`).join(", ")}, not ${describeValue(value)}.`, field);
  }
  return value as Value | undefined;
}

const ID = /^[\w.:-]{1,200}$/;

/** A thread id from a body: 1-200 letters, digits, '-', '_', '.' or ':'. */
export function checkThreadId(value: unknown, field = "thread_id"): string {
  if (typeof value !== "string" || !ID.test(value)) throw httpError(422, `\`${field}\` must be 1-200 letters, digits, '-', '_', '.' or ':'.`, field);
  return value;
}

/** True when a path id could name a record (anything else is certainly not found). */
export function isRecordId(value: string): boolean {
  return ID.test(value);
}
