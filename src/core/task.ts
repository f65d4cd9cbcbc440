// What the engine passes between its steps: tasks to run, the writes they make, where they route.
import type { Send } from "./send.js";

/** One state write: a key and the value written to it. */
export type Write = readonly [key: string, value: unknown];

/** A task the next superstep will run. */
export interface PreparedTask {
  readonly id: string;
  readonly node: string;
  /** "pull": triggered by edges, reads the state; "push": triggered by a Send, reads `arg`. */
  readonly kind: "pull" | "push";
  readonly arg?: unknown;
  readonly triggers: readonly string[];
  /** LangGraph's task path: `["__pregel_pull", node]` or `["__pregel_push", index, false]`. */
  readonly path: readonly (string | number | boolean)[];
}

/** Where a finished task said the run goes next: node names and Sends. */
export interface FinishedTask {
  readonly node: string;
  readonly routes: ReadonlyArray<string | Send>;
}

/** Progress of `addEdge([a, b], c)` joins, by join name (`join:a+b:c`): which sources have finished since the target last ran. */
export type JoinState = Record<string, string[]>;
