// The interruptBefore / interruptAfter options of compile() and of a run, checked against the graph.
import type { GraphSpec } from "../core/graph-spec.js";
import { WeftError } from "../errors.js";
import type { Breakpoints } from "../runtime/breakpoints.js";

/** The options of compile() (and of a run) that set breakpoints. */
export interface BreakpointOptions {
  checkpointer?: unknown;
  interruptBefore?: readonly string[] | "*";
  interruptAfter?: readonly string[] | "*";
}

/** Check interruptBefore/interruptAfter: node names (or "*"), and a checkpointer to pause with. */
export function checkBreakpoints(
  spec: GraphSpec,
  options: BreakpointOptions,
  code: "INVALID_GRAPH" | "INVALID_OPTIONS",
): Breakpoints {
  const read = (key: "interruptBefore" | "interruptAfter"): ReadonlySet<string> | "*" => {
    const value = options[key];
    if (value === undefined) return NO_NODES;
    if (options.checkpointer === undefined) {
      throw new WeftError(code, `${key} pauses runs on a saved thread, so it needs a checkpointer: compile({ checkpointer }).`);
    }
    if (value === "*") return "*";
    if (!Array.isArray(value)) throw new WeftError(code, `${key} must be an array of node names or "*".`);
    for (const name of value) {
      if (!spec.nodes.has(name)) throw new WeftError(code, `${key} names unknown node "${name}".`);
    }
    return new Set(value);
  };
  return { before: read("interruptBefore"), after: read("interruptAfter") };
}

const NO_NODES: ReadonlySet<string> = new Set();
