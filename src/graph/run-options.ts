// Checking the options of invoke()/stream() before a run starts.
import { WeftError, describeValue } from "../errors.js";
import { STREAM_MODES, type StreamMode } from "../stream/run-stream.js";
import type { StreamOptions } from "../stream/stream-types.js";

export const DEFAULT_RECURSION_LIMIT = 25;

export interface CheckedOptions {
  modes: StreamMode[];
  modeTuples: boolean;
  subgraphs: boolean;
  recursionLimit: number;
  tags: string[];
  metadata: Record<string, unknown>;
  configurable: Record<string, unknown>;
  signal: AbortSignal | undefined;
  highWaterMark: number | undefined;
}

function bad(message: string): WeftError {
  return new WeftError("INVALID_OPTIONS", message);
}

export function checkOptions(options: StreamOptions | undefined, defaultMode: StreamMode | null): CheckedOptions {
  if (options !== undefined && (typeof options !== "object" || options === null || Array.isArray(options))) {
    throw bad(`Run options must be an object, not ${describeValue(options)}.`);
  }
  const given = options ?? {};
  const rawModes = given.streamMode ?? defaultMode;
  const modeTuples = Array.isArray(rawModes);
  const modes: StreamMode[] = rawModes === null ? [] : modeTuples ? [...(rawModes as StreamMode[])] : [rawModes as StreamMode];
  for (const mode of modes) {
    if (!STREAM_MODES.includes(mode)) {
      throw bad(`Unknown streamMode ${describeValue(mode)}; use one of ${STREAM_MODES.map((name) => `"${name}"`).join(", ")}, or an array of them.`);
    }
  }
  if (modeTuples && modes.length === 0) throw bad("streamMode is an empty array; name at least one mode.");
  const recursionLimit = given.recursionLimit ?? DEFAULT_RECURSION_LIMIT;
  if (!Number.isInteger(recursionLimit) || recursionLimit < 1) {
    throw bad(`recursionLimit must be a whole number >= 1, not ${describeValue(given.recursionLimit)}.`);
  }
  // Array.from visits the holes of a sparse array, which .some() skips.
  if (given.tags !== undefined && (!Array.isArray(given.tags) || Array.from(given.tags).some((tag) => typeof tag !== "string"))) {
    throw bad("`tags` must be an array of strings.");
  }
  for (const key of ["metadata", "configurable"] as const) {
    const value = given[key];
    if (value !== undefined && (typeof value !== "object" || value === null || Array.isArray(value))) {
      throw bad(`\`${key}\` must be an object, not ${describeValue(value)}.`);
    }
  }
  if (given.signal !== undefined && !(given.signal instanceof AbortSignal)) throw bad("`signal` must be an AbortSignal.");
  if (given.subgraphs !== undefined && typeof given.subgraphs !== "boolean") throw bad("`subgraphs` must be true or false.");
  const highWaterMark = given.highWaterMark;
  if (highWaterMark !== undefined && (!Number.isInteger(highWaterMark) || highWaterMark < 2)) {
    throw bad("`highWaterMark` must be a whole number >= 2.");
  }
  return {
    modes,
    modeTuples,
    subgraphs: given.subgraphs === true,
    recursionLimit,
    tags: given.tags ? [...given.tags] : [],
    metadata: withConfigurableKeys(given.metadata, given.configurable),
    configurable: given.configurable ? { ...given.configurable } : {},
    signal: given.signal,
    highWaterMark,
  };
}

/** Keys of `configurable` that LangGraph also puts in the run's metadata (so a token's metadata names its thread). */
const PROPAGATED_KEYS = ["thread_id", "checkpoint_id", "checkpoint_ns", "task_id", "run_id", "assistant_id", "graph_id"] as const;

function withConfigurableKeys(metadata: Record<string, unknown> | undefined, configurable: Record<string, unknown> | undefined): Record<string, unknown> {
  const result = metadata ? { ...metadata } : {};
  if (configurable === undefined) return result;
  for (const key of PROPAGATED_KEYS) if (!(key in result) && configurable[key] !== undefined) result[key] = configurable[key];
  return result;
}
