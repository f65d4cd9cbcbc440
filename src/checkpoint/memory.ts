// A checkpointer that keeps threads in this process's memory: for tests, demos and short-lived servers.
import {
  type Checkpoint,
  type CheckpointConfig,
  type CheckpointMetadata,
  type CheckpointTuple,
  type ListOptions,
  type PendingWrite,
  Checkpointer,
  checkLimit,
  checkpointConfig,
  checkpointTarget,
  missingCheckpoint,
} from "../core/checkpointer.js";

interface StoredCheckpoint {
  checkpoint: string;
  metadata: string;
  parentId: string | undefined;
  writes: Array<[taskId: string, channel: string, value: string]>;
}

/**
 * Keeps checkpoints in memory (serialized, so later changes to your objects never alter a saved thread).
 * Everything is lost when the process exits; use SqliteSaver or PostgresSaver to keep threads.
 *
 * @example
 * const graph = builder.compile({ checkpointer: new MemorySaver() });
 */
export class MemorySaver extends Checkpointer {
  /** thread -> namespace -> checkpoint id -> checkpoint */
  private readonly threads = new Map<string, Map<string, Map<string, StoredCheckpoint>>>();

  async getTuple(config: CheckpointConfig): Promise<CheckpointTuple | undefined> {
    const { threadId, namespace, checkpointId } = checkpointTarget(config);
    const checkpoints = this.threads.get(threadId)?.get(namespace);
    if (checkpoints === undefined) return undefined;
    const id = checkpointId ?? latestId(checkpoints);
    const stored = id === undefined ? undefined : checkpoints.get(id);
    return stored === undefined ? undefined : this.toTuple(threadId, namespace, id!, stored);
  }

  async *list(config: CheckpointConfig, options: ListOptions = {}): AsyncIterable<CheckpointTuple> {
    const { threadId, namespace } = checkpointTarget(config);
    const limit = checkLimit(options.limit);
    const before = options.before?.configurable?.checkpoint_id;
    const checkpoints = this.threads.get(threadId)?.get(namespace);
    if (checkpoints === undefined) return;
    const ids = [...checkpoints.keys()].filter((id) => before === undefined || id < before).sort().reverse();
    for (const id of ids.slice(0, limit)) yield this.toTuple(threadId, namespace, id, checkpoints.get(id)!);
  }

  async put(config: CheckpointConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata): Promise<CheckpointTuple["config"]> {
    const { threadId, namespace, checkpointId: parentId } = checkpointTarget(config);
    const stored: StoredCheckpoint = {
      checkpoint: this.serde.stringify(checkpoint, "checkpoint"),
      metadata: this.serde.stringify(metadata, "metadata"),
      parentId,
      writes: [],
    };
    let namespaces = this.threads.get(threadId);
    if (namespaces === undefined) this.threads.set(threadId, (namespaces = new Map()));
    let checkpoints = namespaces.get(namespace);
    if (checkpoints === undefined) namespaces.set(namespace, (checkpoints = new Map()));
    const previous = checkpoints.get(checkpoint.id);
    if (previous !== undefined) stored.writes = previous.writes;
    checkpoints.set(checkpoint.id, stored);
    return checkpointConfig(threadId, namespace, checkpoint.id);
  }

  async putWrites(config: CheckpointConfig, writes: ReadonlyArray<readonly [string, unknown]>, taskId: string): Promise<void> {
    const { threadId, namespace, checkpointId } = checkpointTarget(config);
    const serialized = writes.map(([channel, value]): [string, string, string] => [taskId, channel, this.serde.stringify(value, channel)]);
    const stored = checkpointId === undefined ? undefined : this.threads.get(threadId)?.get(namespace)?.get(checkpointId);
    if (stored === undefined) throw missingCheckpoint(threadId, checkpointId);
    stored.writes.push(...serialized);
  }

  async deleteThread(threadId: string): Promise<void> {
    this.threads.delete(threadId);
  }

  private toTuple(threadId: string, namespace: string, id: string, stored: StoredCheckpoint): CheckpointTuple {
    const tuple: CheckpointTuple = {
      config: checkpointConfig(threadId, namespace, id),
      checkpoint: this.serde.parse(stored.checkpoint) as Checkpoint,
      metadata: this.serde.parse(stored.metadata) as CheckpointMetadata,
      pendingWrites: stored.writes.map(([taskId, channel, value]): PendingWrite => [taskId, channel, this.serde.parse(value)]),
    };
    if (stored.parentId !== undefined) tuple.parentConfig = checkpointConfig(threadId, namespace, stored.parentId);
    return tuple;
  }
}

function latestId(checkpoints: Map<string, StoredCheckpoint>): string | undefined {
  let latest: string | undefined;
  for (const id of checkpoints.keys()) if (latest === undefined || id > latest) latest = id;
  return latest;
}
