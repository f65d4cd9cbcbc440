// Command: one object to steer a run. As a run's input it resumes interrupts (and may update the
// thread or jump to a node); returned from a node it updates the state and says where to go next.
import { WeftError } from "../errors.js";
import type { Send } from "./send.js";

export interface CommandInit<Resume = unknown, Update = Record<string, unknown>> {
  /**
   * As run input: the value `interrupt()` returns when the paused node runs again. With several
   * interrupts pending, an object keyed by interrupt id (`{ [interrupt.id]: value }`) answers each one.
   */
  resume?: Resume;
  /** Returned from a node: the state update (as a plain node return would be). As run input: applied to the thread first. */
  update?: Update;
  /** Returned from a node: node name(s) or Send(s) to run next, besides the node's edges. As run input: what runs next instead of the pending tasks. */
  goto?: string | Send | ReadonlyArray<string | Send>;
  /**
   * Returned from a node of a subgraph: `Command.PARENT` applies `update` and `goto` to the parent
   * graph instead (as if the subgraph node itself had returned them); the subgraph stops.
   */
  graph?: typeof PARENT;
}

const PARENT = "__parent__";

/**
 * Resume a paused thread, or (returned from a node) update the state and route in one value.
 *
 * @example
 * // resume the interrupt of a paused thread
 * await graph.invoke(new Command({ resume: "approved" }), { configurable: { thread_id: "t1" } });
 * // inside a node
 * return new Command({ update: { answer: 42 }, goto: "review" });
 */
export class Command<Resume = unknown, Update = Record<string, unknown>> {
  /** `graph: Command.PARENT` sends the command to the graph that runs this subgraph. */
  static readonly PARENT: typeof PARENT = PARENT;
  readonly lg_name = "Command";
  /** Tells a LangChain tool to return this Command as it is (not as the text of a ToolMessage), as LangGraph's Command does. */
  readonly lc_direct_tool_output = true;
  readonly graph?: typeof PARENT;
  readonly resume?: Resume;
  readonly update?: Update;
  readonly goto: ReadonlyArray<string | Send>;

  constructor(init: CommandInit<Resume, Update> = {}) {
    if (init.resume !== undefined) this.resume = init.resume;
    if (init.update !== undefined) this.update = init.update;
    if (init.graph !== undefined) {
      if (init.graph !== PARENT) throw new WeftError("INVALID_NODE_RETURN", `Command \`graph\` must be Command.PARENT, not ${JSON.stringify(init.graph)}.`);
      this.graph = init.graph;
    }
    const goto = init.goto;
    this.goto = goto === undefined ? [] : Array.isArray(goto) ? [...goto] : [goto as string | Send];
  }
}

export function isCommand(value: unknown): value is Command {
  return value instanceof Command || (typeof value === "object" && value !== null && (value as Command).lg_name === "Command");
}

/** Carries a `Command.PARENT` out of a subgraph to the parent task that runs it. */
export class ParentCommand extends WeftError {
  constructor(readonly command: Command) {
    super("PARENT_COMMAND", "A node returned new Command({ graph: Command.PARENT }); it applies to the parent graph.");
  }
}

export function isParentCommand(error: unknown): error is ParentCommand {
  return WeftError.isInstance(error) && error.code === "PARENT_COMMAND" && isCommand((error as ParentCommand).command);
}
