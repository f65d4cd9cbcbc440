// ToolNode: runs the tool calls of the last AI message, all at once, and answers each with a
// ToolMessage. Built only from Weft's public API.
import {
  AIMessage,
  type Message,
  type MessageLike,
  type RunnableConfig,
  type Tool,
  type ToolCall,
  ToolMessage,
  WeftError,
  isGraphInterrupt,
  toMessage,
} from "../index.js";

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

/**
 * A graph node that runs every tool call of the last AI message concurrently and returns
 * `{ messages: ToolMessage[] }`, one per call (each with the call's `toolCallId` and the tool's `name`).
 * Calls already answered by a ToolMessage are not run again.
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
  private readonly byName: ReadonlyMap<string, ToolLike>;

  constructor(tools: readonly ToolLike[], options: ToolNodeOptions = {}) {
    if (!Array.isArray(tools)) throw new WeftError("INVALID_OPTIONS", "new ToolNode(tools) takes an array of tools made with tool().");
    const byName = new Map<string, ToolLike>();
    tools.forEach((candidate, index) => {
      if (typeof candidate !== "object" || candidate === null || typeof candidate.name !== "string" || typeof candidate.invoke !== "function") {
        throw new WeftError("INVALID_OPTIONS", `Tool ${index} given to ToolNode is not a tool; make tools with tool(fn, { name, description, schema }).`);
      }
      if (byName.has(candidate.name)) throw new WeftError("INVALID_OPTIONS", `Two tools given to ToolNode are named "${candidate.name}"; tool names must be unique.`);
      byName.set(candidate.name, candidate);
    });
    this.tools = [...tools];
    this.byName = byName;
    this.handleToolErrors = options.handleToolErrors ?? true;
    this.name = options.name ?? "tools";
  }

  /** Run the pending tool calls of the last AI message in `input`. */
  invoke(input: readonly MessageLike[], config?: RunnableConfig): Promise<ToolMessage[]>;
  invoke(input: { readonly messages: readonly MessageLike[] }, config?: RunnableConfig): Promise<{ messages: ToolMessage[] }>;
  async invoke(input: ToolNodeInput, config?: RunnableConfig): Promise<{ messages: ToolMessage[] } | ToolMessage[]> {
    const list = Array.isArray(input) ? input : (input as { messages?: unknown } | null)?.messages;
    if (!Array.isArray(list)) {
      throw new WeftError("INVALID_INPUT", "ToolNode takes the graph state { messages } (e.g. MessagesState) or an array of messages.");
    }
    const messages = list.map((like, index) => toMessage(like, `Message ${index}`)) as Message[];
    const answered = new Set(messages.filter((message) => message.role === "tool").map((message) => message.toolCallId));
    let last: Message | undefined;
    for (let index = messages.length - 1; index >= 0 && last === undefined; index--) if (messages[index]!.role === "assistant") last = messages[index];
    if (last === undefined) {
      throw new WeftError("INVALID_INPUT", "ToolNode found no AI message to take tool calls from; route to it only after a model asked for tools (toolsCondition).");
    }
    const pending = last.toolCalls.filter((call) => call.id === "" || !answered.has(call.id));
    const results = await Promise.all(pending.map((call) => this.runTool(call, config, input)));
    return Array.isArray(input) ? results : { messages: results };
  }

  private async runTool(call: ToolCall, config: RunnableConfig | undefined, state: unknown): Promise<ToolMessage> {
    const found = this.byName.get(call.name);
    try {
      if (found === undefined) {
        const names = [...this.byName.keys()].map((name) => `"${name}"`).join(", ") || "none";
        throw new WeftError("TOOL_NOT_FOUND", `The model called tool "${call.name}", which is not one of the available tools (${names}). Call one of those.`, {
          details: { tool: call.name },
        });
      }
      const output = await found.invoke({ ...call, type: "tool_call" }, { ...config, state });
      return answerOf(output, call, found.name);
    } catch (error) {
      // Pauses for a human and cancelled runs are not tool failures.
      if (this.handleToolErrors === false || isGraphInterrupt(error) || config?.signal?.aborted) throw error;
      const content = typeof this.handleToolErrors === "function" ? this.handleToolErrors(error, call) : `Error: ${messageOf(error)}\n Please fix your mistakes.`;
      return new ToolMessage(content, call.id, { name: call.name, status: "error", id: crypto.randomUUID() });
    }
  }
}

/** A tool's result as the ToolMessage of `call`: Weft's or LangChain's ToolMessage as it is, anything else as text. */
function answerOf(output: unknown, call: ToolCall, name: string): ToolMessage {
  if (output instanceof ToolMessage) return output;
  if (typeof output === "object" && output !== null && (output as { type?: unknown }).type === "tool") {
    const message = toMessage(output, `The result of tool "${name}"`);
    if (message instanceof ToolMessage) return message;
  }
  if (output instanceof AIMessage) return new ToolMessage(output.content, call.id, { name, id: crypto.randomUUID() });
  const content = typeof output === "string" ? output : output === undefined ? "" : JSON.stringify(output) ?? String(output);
  return new ToolMessage(content, call.id, { name, id: crypto.randomUUID() });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
