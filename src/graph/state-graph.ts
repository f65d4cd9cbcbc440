// The graph builder: nodes, edges and conditional edges over a shared state, then compile().
import type { ChannelSpec, StateSchema } from "../core/channel.js";
import { WeftError, describeValue } from "../errors.js";
import type { NodeConfig } from "../runtime/config.js";
import type { Command } from "../core/command.js";
import { CompiledGraph, type CompileOptions } from "./compiled-graph.js";
import { END, NAMESPACE_SEPARATOR, RESERVED_NAMES, START, TASK_SEPARATOR } from "../core/constants.js";
import type { BranchSpec, GraphSpec, NodeSpec, Router, SubgraphRunner, WaitingEdge } from "../core/graph-spec.js";
import type { Send } from "../core/send.js";
import { validateGraph } from "./validate.js";

/**
 * A Command's update: an object of state updates, or LangGraph's list of [key, value] pairs (a key may
 * come twice; the pairs' keys are checked when the node returns, not by the type).
 */
export type CommandUpdate<Update> = Update | ReadonlyArray<readonly [string, unknown]>;

/** A node: gets the state (or a Send's argument) and the config, returns an update (or a Command) or nothing. */
export type NodeAction<State, Update> = {
  bivarianceHack(
    state: State,
    config: NodeConfig,
  ):
    | Update
    | Command<unknown, CommandUpdate<Update>>
    | void
    | undefined
    | null
    | Promise<Update | Command<unknown, CommandUpdate<Update>> | void | undefined | null>;
}["bivarianceHack"];

/** A conditional edge's router: returns a node name, END, an array of them, or Send objects. */
export type RouterAction<State> = {
  bivarianceHack(state: State, config: NodeConfig): unknown;
}["bivarianceHack"];

/**
 * A schema for `State`: each key maps to lastValue<T>() or reducer(fn, initial). Written as an
 * intersection so `new StateGraph(schema)` infers both the state and each key's update type.
 */
export type SchemaFor<State, Updates> = { [Key in keyof State]: ChannelSpec<State[Key], any> } & {
  [Key in keyof Updates]: ChannelSpec<any, Updates[Key]>;
};

/** Options of addNode(). */
export interface AddNodeOptions {
  /**
   * The nodes a `Command` returned by this node (or by its subgraph, with `Command.PARENT`) may go to,
   * as in LangGraph. Such a node needs no edges of its own; the names are checked at compile time.
   */
  ends?: readonly string[];
}

/** A node given as an object with an `invoke(state, config)` method, such as `new ToolNode(tools)`. */
export interface InvokableNode<State, Update> {
  invoke: NodeAction<State, Update>;
}

/** A node whose input is not the state: the target of `Send(node, arg)`. */
export type SendTargetAction<Update> = (input: any, config: NodeConfig) => Update | void | undefined | null | Promise<Update | void | undefined | null>;

/**
 * Builds a graph of nodes over a shared state.
 *
 * @example
 * const graph = new StateGraph<{ topic: string; joke: string }>()
 *   .addNode(callModel)
 *   .addEdge(START, "callModel")
 *   .compile();
 */
export class StateGraph<State extends Record<string, any> = Record<string, any>, Updates = State> {
  private readonly schema: StateSchema | undefined;
  private readonly nodes = new Map<string, NodeSpec>();
  private readonly edges = new Map<string, string[]>();
  private readonly waitingEdges: WaitingEdge[] = [];
  private readonly branches = new Map<string, BranchSpec[]>();

  /** Without a schema every key is last-value and any key may be written; with one, only its keys. */
  constructor(schema?: SchemaFor<State, Updates>) {
    if (schema !== undefined) {
      if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
        throw new WeftError("INVALID_GRAPH", `A StateGraph schema must be an object of lastValue()/reducer() entries, not ${describeValue(schema)}.`);
      }
      for (const [key, spec] of Object.entries(schema as StateSchema)) {
        if (typeof spec !== "object" || spec === null || typeof spec.create !== "function") {
          throw new WeftError("INVALID_GRAPH", `Schema key "${key}" must be lastValue() or reducer(fn, initial), not ${describeValue(spec)}.`);
        }
      }
    }
    this.schema = schema as StateSchema | undefined;
  }

  /** Add a node; a named function gives its own name. */
  addNode(action: NodeAction<State, Partial<Updates>>, options?: AddNodeOptions): this;
  addNode(
    name: string,
    action: NodeAction<State, Partial<Updates>> | CompiledGraph<any, any> | InvokableNode<State, Partial<Updates>>,
    options?: AddNodeOptions,
  ): this;
  addNode(name: string, action: SendTargetAction<Partial<Updates>>, options?: AddNodeOptions): this;
  addNode(nameOrAction: string | NodeAction<State, Partial<Updates>>, maybeAction?: unknown, maybeOptions?: AddNodeOptions): this {
    const options = typeof nameOrAction === "function" ? (maybeAction as AddNodeOptions | undefined) : maybeOptions;
    let name: string;
    let action: unknown;
    if (typeof nameOrAction === "function") {
      name = nameOrAction.name;
      action = nameOrAction;
      if (!name) throw new WeftError("INVALID_GRAPH", "addNode() got an anonymous function; give it a name: addNode(\"myNode\", fn).");
    } else {
      name = nameOrAction;
      action = maybeAction;
    }
    if (typeof name !== "string" || name === "") throw new WeftError("INVALID_GRAPH", `A node name must be a non-empty string, not ${describeValue(name)}.`);
    if (RESERVED_NAMES.has(name)) throw new WeftError("INVALID_GRAPH", `"${name}" is a reserved name; choose another node name.`);
    if (name.includes(NAMESPACE_SEPARATOR) || name.includes(TASK_SEPARATOR)) {
      throw new WeftError("INVALID_GRAPH", `Node name "${name}" contains "${NAMESPACE_SEPARATOR}" or "${TASK_SEPARATOR}", which Weft uses in namespaces.`);
    }
    if (this.nodes.has(name)) throw new WeftError("INVALID_GRAPH", `A node named "${name}" already exists; node names must be unique.`);
    if (this.schema && Object.prototype.hasOwnProperty.call(this.schema, name)) {
      throw new WeftError("INVALID_GRAPH", `"${name}" is already a state key; a node cannot have the name of a state key.`);
    }
    const run = toRunnable(name, action);
    const ends = readEnds(name, options);
    this.nodes.set(name, ends === undefined ? { name, run, order: this.nodes.size } : { name, run, order: this.nodes.size, ends });
    return this;
  }

  /** Run `to` after `from`; with an array, after all of them have finished (a join). */
  addEdge(from: string | readonly string[], to: string): this {
    if (typeof to !== "string") throw new WeftError("INVALID_GRAPH", `addEdge() needs a target node name, not ${describeValue(to)}.`);
    if (Array.isArray(from)) {
      if (from.length === 0) throw new WeftError("INVALID_GRAPH", "addEdge([], ...) needs at least one source node.");
      if (from.length === 1) return this.addEdge(from[0]!, to);
      this.waitingEdges.push({ sources: [...from], target: to });
      return this;
    }
    if (typeof from !== "string") throw new WeftError("INVALID_GRAPH", `addEdge() needs a source node name, not ${describeValue(from)}.`);
    if (from === END) throw new WeftError("INVALID_GRAPH", "END cannot be the source of an edge.");
    const targets = this.edges.get(from) ?? [];
    if (!targets.includes(to)) targets.push(to);
    this.edges.set(from, targets);
    return this;
  }

  /**
   * After `from`, call `router` with the state (including `from`'s own writes) and go where it says.
   * `pathMap` maps router results to node names (an array lists the possible names).
   */
  addConditionalEdges(
    from: string,
    router: RouterAction<State>,
    pathMap?: Readonly<Record<string, string>> | readonly string[],
  ): this {
    if (typeof from !== "string") throw new WeftError("INVALID_GRAPH", `addConditionalEdges() needs a source node name, not ${describeValue(from)}.`);
    if (from === END) throw new WeftError("INVALID_GRAPH", "END cannot be the source of conditional edges.");
    if (typeof router !== "function") throw new WeftError("INVALID_GRAPH", `The router of conditional edges from "${from}" must be a function.`);
    let map: Record<string, string> | undefined;
    if (Array.isArray(pathMap)) map = Object.fromEntries(pathMap.map((name) => [name, name]));
    else if (pathMap !== undefined) {
      if (typeof pathMap !== "object" || pathMap === null) throw new WeftError("INVALID_GRAPH", `The path map of conditional edges from "${from}" must be an object or an array.`);
      map = { ...(pathMap as Record<string, string>) };
    }
    const list = this.branches.get(from) ?? [];
    list.push({ router: router as Router, pathMap: map });
    this.branches.set(from, list);
    return this;
  }

  /** Check the graph and make it runnable. Invalid graphs throw a WeftError (INVALID_GRAPH) naming the problem. */
  compile(options: CompileOptions = {}): CompiledGraph<State, Partial<Updates>> {
    const spec: GraphSpec = {
      schema: this.schema,
      nodes: new Map(this.nodes),
      edges: new Map([...this.edges].map(([from, targets]) => [from, [...targets]])),
      waitingEdges: [...this.waitingEdges],
      branches: new Map([...this.branches].map(([from, list]) => [from, [...list]])),
    };
    validateGraph(spec);
    return new CompiledGraph<State, Partial<Updates>>(spec, options);
  }
}

function readEnds(name: string, options: AddNodeOptions | undefined): readonly string[] | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new WeftError("INVALID_GRAPH", `The options of node "${name}" must be an object such as { ends: ["next"] }, not ${describeValue(options)}.`);
  }
  const ends = options.ends;
  if (ends === undefined) return undefined;
  if (!Array.isArray(ends) || Array.from(ends).some((end) => typeof end !== "string")) {
    throw new WeftError("INVALID_GRAPH", `\`ends\` of node "${name}" must be an array of node names (or END).`);
  }
  return [...ends];
}

function toRunnable(name: string, action: unknown): NodeSpec["run"] {
  if (typeof action === "function") return action as NodeSpec["run"];
  if (typeof action === "object" && action !== null && typeof (action as SubgraphRunner).runAsSubgraph === "function") {
    return action as SubgraphRunner;
  }
  // An object with invoke(state, config), such as a ToolNode: called as a function node.
  if (typeof action === "object" && action !== null && typeof (action as { invoke?: unknown }).invoke === "function") {
    const node = action as { invoke(state: unknown, config: unknown): unknown };
    return (state: unknown, config: unknown) => node.invoke(state, config);
  }
  throw new WeftError(
    "INVALID_GRAPH",
    `Node "${name}" must be a function (state, config) => update, a compiled graph, or an object with invoke(state, config); got ${describeValue(action)}.`,
  );
}

export type { Send };
