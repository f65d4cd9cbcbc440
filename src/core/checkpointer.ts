// The checkpointer contract: where a thread's checkpoints and its tasks' pending writes live.
// MemorySaver, SqliteSaver and PostgresSaver implement it; src/checkpoint/conformance.ts tests them all alike.
import { WeftError, describeValue } from "../errors.js";
import type { Checkpoint, CheckpointMetadata, PendingWrite } from "./checkpoint-format.js";

export type { Checkpoint, CheckpointMetadata, PendingWrite };
import { type Serde, jsonSerde } from "./serde.js";

/** Which checkpoint: a thread, a namespace in it ("" for the root graph), and optionally one checkpoint id. */
export interface CheckpointConfig {
  configurable: {
    thread_id: string;
    checkpoint_ns?: string;
    checkpoint_id?: string;
    [key: string]: unknown;
  };
}

export interface CheckpointTuple {
  config: CheckpointConfig & { configurable: { thread_id: string; checkpoint_ns: string; checkpoint_id: string } };
  checkpoint: Checkpoint;
  metadata: CheckpointMetadata;
  parentConfig?: CheckpointConfig;
  pendingWrites: PendingWrite[];
}

export interface ListOptions {
  /** At most this many checkpoints. */
  limit?: number;
  /** Only checkpoints older than this one (its `configurable.checkpoint_id`). */
  before?: CheckpointConfig;
}

/**
 * Where threads are kept. Implement the five abstract methods to store checkpoints anywhere;
 * values given to `put`/`putWrites` are serialized with `this.serde` before anything is stored,
 * so unserializable state fails with WeftError SERIALIZATION and leaves the store untouched.
 *
 * @example
 * const graph = builder.compile({ checkpointer: new MemorySaver() });
 * await graph.invoke({ topic: "cats" }, { configurable: { thread_id: "t1" } });
 */
export abstract class Checkpointer {
  constructor(readonly serde: Serde = jsonSerde) {}

  /** The latest checkpoint of the thread (and namespace), or the one named by `checkpoint_id`. */
  abstract getTuple(config: CheckpointConfig): Promise<CheckpointTuple | undefined>;
  /** The thread's checkpoints, newest first. */
  abstract list(config: CheckpointConfig, options?: ListOptions): AsyncIterable<CheckpointTuple>;
  /** Save a checkpoint; `config.configurable.checkpoint_id`, when set, names its parent. Returns the config that names the new one. */
  abstract put(config: CheckpointConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata): Promise<CheckpointTuple["config"]>;
  /** Append writes of one task to the checkpoint named by `config` (atomically: all or none). */
  abstract putWrites(config: CheckpointConfig, writes: ReadonlyArray<readonly [channel: string, value: unknown]>, taskId: string): Promise<void>;
  /** Remove every checkpoint and write of a thread. */
  abstract deleteThread(threadId: string): Promise<void>;

  /**
   * Hold the thread for one run against runs in other processes (same-process runs are already
   * refused before this is called). Rejects with WeftError THREAD_BUSY when another process holds it;
   * resolves to the function that lets it go. A lock held by a process that died must not block.
   * The default holds nothing: a store that lives in one process needs no more.
   */
  async lockThread(_threadId: string, _namespace: string): Promise<() => Promise<void>> {
    return async () => {};
  }
}

/** The error a run gets when its thread is held by another run. */
export function threadBusy(threadId: string, where: string): WeftError {
  return new WeftError(
    "THREAD_BUSY",
    `Thread "${threadId}" already has a run in progress${where}; wait for it to finish (or abort it) before starting another on the same thread.`,
    { details: { threadId } },
  );
}

/** The thread id, namespace and checkpoint id of a config, checked. */
export function checkpointTarget(config: CheckpointConfig | undefined): { threadId: string; namespace: string; checkpointId: string | undefined } {
  const configurable = config?.configurable;
  const threadId = configurable?.thread_id;
  if (typeof threadId !== "string" || threadId === "") {
    throw new WeftError(
      "CHECKPOINT",
      `A checkpointer needs a thread: pass { configurable: { thread_id: "..." } } (got thread_id ${describeValue(threadId)}).`,
    );
  }
  const namespace = configurable!.checkpoint_ns ?? "";
  const checkpointId = configurable!.checkpoint_id;
  if (checkpointId !== undefined && typeof checkpointId !== "string") {
    throw new WeftError("CHECKPOINT", `checkpoint_id must be a string, not ${describeValue(checkpointId)}.`);
  }
  return { threadId, namespace, checkpointId };
}

/** The config that names one checkpoint. */
export function checkpointConfig(threadId: string, namespace: string, checkpointId: string): CheckpointTuple["config"] {
  return { configurable: { thread_id: threadId, checkpoint_ns: namespace, checkpoint_id: checkpointId } };
}

/** Checks `limit` of list(): a positive whole number or nothing. */
export function checkLimit(limit: number | undefined): number {
  if (limit === undefined) return Number.POSITIVE_INFINITY;
  if (!Number.isInteger(limit) || limit < 1) throw new WeftError("CHECKPOINT", `list() limit must be a whole number >= 1, not ${describeValue(limit)}.`);
  return limit;
}

/** putWrites() named a checkpoint that does not exist. */
export function missingCheckpoint(threadId: string, checkpointId: string | undefined): WeftError {
  return new WeftError(
    "CHECKPOINT",
    checkpointId === undefined
      ? `putWrites() needs a checkpoint_id in the config (thread "${threadId}").`
      : `Thread "${threadId}" has no checkpoint "${checkpointId}" to attach writes to; put() the checkpoint first.`,
    { details: { threadId, checkpointId } },
  );
}
