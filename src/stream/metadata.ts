// The metadata every event of a task carries, built once per task (and once more per model call).
import type { PreparedTask } from "../core/task.js";

/** Metadata of a `messages`-mode chunk: the run's metadata plus where the token came from. */
export interface MessageMetadata {
  tags: string[];
  langgraph_step: number;
  langgraph_node: string;
  langgraph_triggers: readonly string[];
  langgraph_path: readonly (string | number)[];
  langgraph_checkpoint_ns: string;
  checkpoint_ns: string;
  ls_provider?: string;
  ls_model_name?: string;
  ls_model_type?: "chat";
  ls_temperature?: number;
  [key: string]: unknown;
}

export function taskMetadata(
  runMetadata: Readonly<Record<string, unknown>>,
  task: PreparedTask,
  step: number,
  checkpointNs: string,
): Record<string, unknown> {
  return {
    ...runMetadata,
    langgraph_step: step,
    langgraph_node: task.node,
    langgraph_triggers: task.triggers,
    langgraph_path: task.path,
    langgraph_checkpoint_ns: checkpointNs,
    checkpoint_ns: checkpointNs,
  };
}

/**
 * Put the node's routing keys (langgraph_*, checkpoint_ns) back into a model call's metadata after a
 * model's own metadata was merged over them: a model's metadata never moves where a token is routed.
 */
export function restoreRoutingKeys(metadata: Record<string, unknown>, nodeMetadata: Readonly<Record<string, unknown>> | undefined): void {
  if (nodeMetadata === undefined) return;
  for (const key of Object.keys(nodeMetadata)) {
    if (key.startsWith("langgraph_") || key === "checkpoint_ns") metadata[key] = nodeMetadata[key];
  }
}
