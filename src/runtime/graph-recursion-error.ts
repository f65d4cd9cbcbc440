// The error of a run that hit its recursion limit: a WeftError (code RECURSION_LIMIT) named as LangGraph names it.
import { WeftError } from "../errors.js";

/**
 * A run took `recursionLimit` steps without reaching END. A `WeftError` with code `RECURSION_LIMIT`
 * whose `name` is "GraphRecursionError", so LangGraph.js code that checks either keeps working.
 *
 * @example
 * try { await graph.invoke(input, { recursionLimit: 10 }) } catch (error) {
 *   if (error instanceof GraphRecursionError) console.log("the graph looped:", error.message);
 * }
 */
export class GraphRecursionError extends WeftError {
  constructor(recursionLimit: number, step: number) {
    super(
      "RECURSION_LIMIT",
      `Recursion limit of ${recursionLimit} reached without hitting a stop condition. ` +
        `Raise \`recursionLimit\` in the run options, or check the graph's conditional edges for a loop that never ends.`,
      { details: { recursionLimit, step } },
    );
    this.name = "GraphRecursionError";
  }

  /** True for a recursion-limit error, also one made by another copy of the package. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return WeftError.isInstance(value) && value.code === "RECURSION_LIMIT";
  }
}
