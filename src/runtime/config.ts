// What a node (and anything it calls) receives as `config`.
import type { RunStream } from "../stream/run-stream.js";
import type { LangChainCallbackHandler } from "../stream/langchain-callbacks.js";
import type { ThreadRun } from "./thread-run.js";

import type { RunnableConfig } from "../core/runnable-config.js";

export type { RunnableConfig };

/** Sends a value to the run's `custom` stream. */
export type Writer = (value: unknown) => void;

/** Where a running task streams to; carried inside the config under a symbol, so spreading a config keeps it. */
export interface TaskContext {
  readonly stream: RunStream;
  /** The namespace events of this task are emitted under (`[]` in the root graph). */
  readonly namespace: readonly string[];
  /** `langgraph_checkpoint_ns` of this task: `node:taskId`, nested with `|`. */
  readonly checkpointNs: string;
  readonly taskId: string;
  /** The run's recursion limit, inherited by subgraphs. */
  readonly recursionLimit: number;
  /** Interrupt and resume state of the task (used by interrupt()). */
  readonly scratchpad: TaskScratchpad;
  /** The thread the task's run works on: a subgraph the task runs gets a child of it. */
  readonly thread: ThreadRun;
  /** How many subgraph runs the task has started (each gets its own checkpoint namespace). */
  subgraphCalls: number;
}

export interface TaskScratchpad {
  /** The task whose interrupts these are: interrupt ids derive from it. */
  readonly taskId: string;
  /** True when the run has a checkpointer, so interrupt() can pause it. */
  readonly checkpointed: boolean;
  /** Answers to interrupts, by interrupt id: this task's, and those of the subgraph tasks it runs. */
  readonly resume: ReadonlyMap<string, unknown>;
  /** How many interrupt() calls the node has made so far in this attempt. */
  interruptCounter: number;
}

export const TASK_CONTEXT: unique symbol = Symbol.for("weft.taskContext") as never;

/** The config a node receives. */
export interface NodeConfig extends RunnableConfig {
  tags: string[];
  metadata: Record<string, unknown>;
  configurable: Record<string, unknown>;
  signal: AbortSignal;
  /** Streams a value to the `custom` mode. */
  writer: Writer;
  /**
   * LangChain.js callback handlers, so `await langChainModel.invoke(messages, config)` streams into
   * `messages` mode; add your own with `{ ...config, callbacks: [...config.callbacks, handler] }`.
   */
  callbacks: LangChainCallbackHandler[];
  [TASK_CONTEXT]?: TaskContext;
}

export function taskContextOf(config: RunnableConfig | undefined): TaskContext | undefined {
  return config === undefined ? undefined : (config as NodeConfig)[TASK_CONTEXT];
}
