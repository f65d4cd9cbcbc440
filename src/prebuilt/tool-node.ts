// ToolNode: runs the tool calls of the last AI message, all at once, and answers each with a
// ToolMessage, or applies the Command a tool returned, as LangGraph's ToolNode does. Built only from
// Weft's public API.
import {
  Command,
  type Message,
  type MessageLike,
  type RunnableConfig,
  Tool,
  type ToolCall,
  ToolMessage,
  WeftError,
  isGraphInterrupt,
  toMessage,
} from "../index.js";
import { foreignTool } from "./foreign-tool.js";

/** Anything ToolNode can run: a tool made with tool(), or any object with a name and invoke() (a LangChain tool). */
export type ToolLike = Tool<any, any> | { readonly name: string; invoke(input: any, config?: any): Promise<unknown> };

export interface ToolNodeOptions {
  /**
   * What a failing tool (or a call to an unknown tool, or input its schema refuses) becomes.
   * `true` (the default): a ToolMessage with status "error" and the error text, so the model can
   * correct itself; a function: a ToolMessage with the text it returns; `false`: the error fails the node.
   */
  handleToolErrors?: boolean | ((error: unknown, call: ToolCall) => string);
  /** The node's name when added with addNode(toolNode); default "tools". */
  name?: string;
}

/** The input ToolNode takes: a graph state with `messages`, or a list of messages. */
export type ToolNodeInput = { readonly messages: readonly MessageLike[] } | readonly MessageLike[];

/** What ToolNode returns for a state input: the ToolMessages, or one Command when a tool returned one. */
/** What ToolNode returns in a graph: the ToolMessages, or one Command when tools returned Commands (its update an object, or [key, value] pairs when two tools updated one key). */
export type ToolNodeOutput = { messages: ToolMessage[] } | Command<unknown, Record<string, unknown> | Array<[string, unknown]>>;

/**
 * A graph node that runs every tool call of the last AI message concurrently and returns
 * `{ messages: ToolMessage[] }`, one per call (each with the call's `toolCallId` and the tool's `name`).
 * Calls already answered by a ToolMessage are not run again. A tool may return a `Command` (an
 * update, which may hold its own ToolMessage, and a `goto`), as in LangGraph: the node then returns
 * one Command with the other calls' ToolMessages and every Command's update and goto.
 *
 * @example
 * const graph = new StateGraph(MessagesState)
 *   .addNode("agent", callModel)
 *   .addNode("tools", new ToolNode([getWeather]))
 *   .addEdge(START, "agent")
 *   .addConditionalEdges("agent", toolsCondition, ["tools", END])
 *   .addEdge("tools", "agent")
 *   .compile();
 */
export class ToolNode {
  readonly name: string;
  readonly tools: readonly ToolLike[];
  readonly handleToolErrors: boolean | ((error: unknown, call: ToolCall) => string);
  /** Each tool by name; other tools (LangChain's) are run inside a Weft tool, so they report to `tools` mode too. */
  private readonly byName: ReadonlyMap<string, Tool<any, any>>;

  constructor(tools: readonly ToolLike[], options: ToolNodeOptions = {}) {
    if (!Array.isArray(tools)) throw new WeftError("INVALID_OPTIONS", "new ToolNode(tools) takes an array of tools made with tool().");
    const byName = new Map<string, Tool<any, any>>();
    tools.forEach((candidate, index) => {
      if (typeof candidate !== "object" || candidate === null || typeof candidate.name !== "string" || typeof candidate.invoke !== "function") {
        throw new WeftError("INVALID_OPTIONS", `Tool ${index} given to ToolNode is not a tool; make tools with tool(fn, { name, description, schema }).`);
      }
      if (byName.has(candidate.name)) throw new WeftError("INVALID_OPTIONS", `Two tools given to ToolNode are named "${candidate.name}"; tool names must be unique.`);
      byName.set(candidate.name, candidate instanceof Tool ? candidate : foreignTool(candidate));
    });
    this.tools = [...tools];
    this.byName = byName;
    this.handleToolErrors = options.handleToolErrors ?? true;
    this.name = options.name ?? "tools";
  }

  /** Run the pending tool calls of the last AI message in `input`. */
  invoke(input: readonly MessageLike[], config?: RunnableConfig): Promise<Array<ToolMessage | Command>>;
  invoke(input: { readonly messages: readonly MessageLike[] }, config?: RunnableConfig): Promise<ToolNodeOutput>;
  async invoke(input: ToolNodeInput, config?: RunnableConfig): Promise<ToolNodeOutput | Array<ToolMessage | Command>> {
    const list = Array.isArray(input) ? input : (input as { messages?: unknown } | null)?.messages;
    if (!Array.isArray(list)) {
      throw new WeftError("INVALID_INPUT", "ToolNode takes the graph state { messages } (e.g. MessagesState) or an array of messages.");
    }
    const messages = list.map((like, index) => toMessage(like, `Message ${index}`)) as Message[];
    const pending = pendingToolCalls(messages);
    if (pending === undefined) {
      throw new WeftError("INVALID_INPUT", "ToolNode found no AI message to take tool calls from; route to it only after a model asked for tools (toolsCondition).");
    }
    const outputs = await Promise.all(pending.map((call) => this.runTool(call, config, input)));
    if (Array.isArray(input)) return outputs;
    return outputs.some(isCommand) ? combine(outputs) : { messages: outputs as ToolMessage[] };
  }

  private async runTool(call: ToolCall, config: RunnableConfig | undefined, state: unknown): Promise<ToolMessage | Command> {
    const found = this.byName.get(call.name);
    try {
      if (found === undefined) {
        const names = [...this.byName.keys()].map((name) => `"${name}"`).join(", ") || "none";
        throw new WeftError("TOOL_NOT_FOUND", `The model called tool "${call.name}", which is not one of the available tools (${names}). Call one of those.`, {
          details: { tool: call.name },
        });
      }
      // A Weft tool given a tool call answers with a ToolMessage, or the Command its function returned.
      return (await found.invoke({ ...call, type: "tool_call" }, { ...config, state })) as ToolMessage | Command;
    } catch (error) {
      // Pauses for a human and cancelled runs are not tool failures.
      if (this.handleToolErrors === false || isGraphInterrupt(error) || config?.signal?.aborted) throw error;
      const content = typeof this.handleToolErrors === "function" ? this.handleToolErrors(error, call) : `Error: ${messageOf(error)}\n Please fix your mistakes.`;
      return new ToolMessage(content, call.id, { name: call.name, status: "error", id: crypto.randomUUID() });
    }
  }
}

function isCommand(value: unknown): value is Command {
  return value instanceof Command || (typeof value === "object" && value !== null && (value as { lg_name?: unknown }).lg_name === "Command");
}

/**
 * The node's one return value when tools returned Commands, with LangGraph's result. LangGraph's
 * ToolNode returns a list (ToolMessages and Commands) that its runtime applies one by one; a Weft
 * node returns one value, so the list is folded into one Command: the ToolMessages and each Command's
 * `messages` in call order, the other keys of the updates, and every goto. When two Commands update
 * the same key, the update is a list of [key, value] pairs, so each is its own write, reduced in order
 * as LangGraph applies them. A Command to the parent graph stops this graph, as in LangGraph, so the
 * first one is the result (Send-only ones are joined into one, as LangGraph joins them).
 */
function combine(outputs: ReadonlyArray<ToolMessage | Command>): Command<unknown, Record<string, unknown> | Array<[string, unknown]>> {
  const toParent = outputs.filter((output): output is Command => isCommand(output) && output.graph === Command.PARENT);
  if (toParent.length > 0) {
    const sendsOnly = toParent.filter((command) => command.goto.length > 0 && command.goto.every((target) => typeof target !== "string"));
    const first = toParent.find((command) => !sendsOnly.includes(command));
    return first ?? new Command({ graph: Command.PARENT, goto: sendsOnly.flatMap((command) => command.goto) });
  }
  const messages: unknown[] = [];
  const pairs: Array<[string, unknown]> = [];
  const goto: Array<Command["goto"][number]> = [];
  for (const output of outputs) {
    if (!isCommand(output)) {
      messages.push(output);
      continue;
    }
    for (const [key, value] of entriesOf(output.update)) {
      if (key === "messages") messages.push(...(Array.isArray(value) ? value : [value]));
      else pairs.push([key, value]);
    }
    goto.push(...output.goto);
  }
  if (messages.length > 0) pairs.unshift(["messages", messages]);
  const keys = new Set(pairs.map(([key]) => key));
  return new Command({ update: keys.size === pairs.length ? Object.fromEntries(pairs) : pairs, goto });
}

/** The tool calls of the last AI message that no ToolMessage answers yet; undefined when there is no AI message. */
export function pendingToolCalls(messages: readonly Message[]): ToolCall[] | undefined {
  const answered = new Set(messages.filter((message) => message.role === "tool").map((message) => message.toolCallId));
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index]!;
    if (message.role === "assistant") return message.toolCalls.filter((call) => call.id === "" || !answered.has(call.id));
  }
  return undefined;
}

/** A Command's update as [key, value] pairs: an object, or LangGraph's list of pairs. */
function entriesOf(update: unknown): Array<[string, unknown]> {
  if (update === undefined || update === null) return [];
  if (Array.isArray(update)) return update as Array<[string, unknown]>;
  if (typeof update !== "object") throw new WeftError("INVALID_NODE_RETURN", `A tool returned a Command whose update is ${typeof update}; give an object of state updates.`);
  return Object.entries(update);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
