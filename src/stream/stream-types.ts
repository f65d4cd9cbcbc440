// The shapes a run's stream yields, by stream mode.
import type { AIMessageChunk, Message } from "../core/messages.js";
import type { RunnableConfig } from "../core/runnable-config.js";
import type { MessageMetadata } from "./metadata.js";
import type { StreamMode } from "./run-stream.js";

/** One event of the `debug` mode. */
export type DebugEvent =
  | {
      type: "task";
      timestamp: string;
      step: number;
      /** `metadata`: the run's own metadata (without the langgraph_* keys) and tags, when it has any. */
      payload: { id: string; name: string; input: unknown; triggers: readonly string[]; interrupts: unknown[]; metadata?: Record<string, unknown> };
    }
  | {
      type: "task_result";
      timestamp: string;
      step: number;
      payload: { id: string; name: string; error: string | null; result: Record<string, unknown>; interrupts: unknown[] };
    }
  | {
      /** Emitted when a checkpointer saved a checkpoint (with `subgraphs: true`, also a subgraph's). */
      type: "checkpoint";
      timestamp: string;
      step: number;
      payload: {
        config: RunnableConfig;
        parentConfig: RunnableConfig | undefined;
        values: Record<string, unknown>;
        metadata: Record<string, unknown>;
        next: string[];
        /** LangGraph's snapshot task shape; `state` names a subgraph task's checkpoints. */
        tasks: Array<{ id: string; name: string; path: ReadonlyArray<string | number | boolean>; interrupts: unknown[]; state?: RunnableConfig; result?: unknown }>;
      };
    };

/**
 * One event of the `tools` mode, in order per tool call: `on_tool_start`, any `on_tool_event`s (what
 * the tool wrote through its writer or yielded), then `on_tool_end` or `on_tool_error`.
 * `toolCallId` is the model's id of the call (undefined when a tool is invoked directly with arguments).
 */
export type ToolEvent =
  | { event: "on_tool_start"; toolCallId: string | undefined; name: string; input: unknown }
  | { event: "on_tool_event"; toolCallId: string | undefined; name: string; data: unknown }
  | { event: "on_tool_end"; toolCallId: string | undefined; name: string; output: unknown }
  | { event: "on_tool_error"; toolCallId: string | undefined; name: string; error: unknown };

/**
 * What `messages` mode yields: each streamed chunk of a model call, and once each, a whole message a
 * node returned that was not streamed (a ToolMessage, or the answer of a `nostream` call).
 */
export type MessagesModeChunk = [AIMessageChunk | Message, MessageMetadata];

/** What one mode yields for a graph with state `State`. */
export type ChunkOf<State, Mode extends StreamMode> = Mode extends "values"
  ? State
  : Mode extends "updates"
    ? Record<string, Partial<State> | null>
    : Mode extends "messages"
      ? MessagesModeChunk
      : Mode extends "debug"
        ? DebugEvent
        : Mode extends "tools"
          ? ToolEvent
          : any;

type ModeTuple<State, Modes extends StreamMode> = { [Mode in Modes]: [Mode, ChunkOf<State, Mode>] }[Modes];
type NamespacedModeTuple<State, Modes extends StreamMode> = {
  [Mode in Modes]: [string[], Mode, ChunkOf<State, Mode>];
}[Modes];

/** What `graph.stream()` yields for the given `streamMode` and `subgraphs` options. */
export type StreamOutput<State, Modes extends StreamMode | readonly StreamMode[], Subgraphs extends boolean> =
  Modes extends readonly StreamMode[]
    ? Subgraphs extends true
      ? NamespacedModeTuple<State, Modes[number]>
      : ModeTuple<State, Modes[number]>
    : Modes extends StreamMode
      ? Subgraphs extends true
        ? [string[], ChunkOf<State, Modes>]
        : ChunkOf<State, Modes>
      : never;

/** Options of `invoke()` and `stream()`. */
export interface RunOptions extends RunnableConfig {
  /**
   * Steps a run may take, counted as LangGraph counts them (the input is one), before it fails with a
   * GraphRecursionError (code RECURSION_LIMIT). Default 25. See docs/graph.md "Supersteps".
   */
  recursionLimit?: number;
  /** Breakpoints for this run (replacing the graph's `interruptBefore`): stop before these nodes. Needs a checkpointer. */
  interruptBefore?: readonly string[] | "*";
  /** Breakpoints for this run (replacing the graph's `interruptAfter`): stop after these nodes. Needs a checkpointer. */
  interruptAfter?: readonly string[] | "*";
}

export interface StreamOptions<
  Modes extends StreamMode | readonly StreamMode[] = StreamMode | readonly StreamMode[],
  Subgraphs extends boolean = boolean,
> extends RunOptions {
  /** One mode, or several (then chunks come as `[mode, chunk]`). Default "updates", as in LangGraph. */
  streamMode?: Modes;
  /** Also stream subgraphs' values/updates/debug, and yield `[namespace, ...]`. */
  subgraphs?: Subgraphs;
  /** Buffered chunks above which producers wait for the consumer (default 1024). */
  highWaterMark?: number;
}
