// The one mapping from stored rows to a CheckpointTuple, shared by the SQL savers (SQLite, Postgres).
import { checkpointConfig, type CheckpointTuple, type Checkpoint, type CheckpointMetadata, type PendingWrite } from "../core/checkpointer.js";
import type { Serde } from "../core/serde.js";

/** A row of `weft_checkpoints`. */
export type CheckpointRow = {
  checkpoint_id: string;
  parent_checkpoint_id: string | null;
  checkpoint: string;
  metadata: string;
};

/** A row of `weft_writes`, in `seq` order. */
export type WriteRow = {
  task_id: string;
  channel: string;
  value: string;
};

export function rowToTuple(serde: Serde, threadId: string, namespace: string, row: CheckpointRow, writes: readonly WriteRow[]): CheckpointTuple {
  const tuple: CheckpointTuple = {
    config: checkpointConfig(threadId, namespace, row.checkpoint_id),
    checkpoint: serde.parse(row.checkpoint) as Checkpoint,
    metadata: serde.parse(row.metadata) as CheckpointMetadata,
    pendingWrites: writes.map((write): PendingWrite => [write.task_id, write.channel, serde.parse(write.value)]),
  };
  if (row.parent_checkpoint_id !== null) tuple.parentConfig = checkpointConfig(threadId, namespace, row.parent_checkpoint_id);
  return tuple;
}
