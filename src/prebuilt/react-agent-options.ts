// createReactAgent's options: what they may be, LangGraph.js's names Weft does not take (refused,
// naming Weft's way), the prompt, and the model (a Weft chat model or a LangChain.js one).
import {
  BaseChatModel,
  type Checkpointer,
  type CompiledGraph,
  type InvokableNode,
  type Message,
  type MessagesInput,
  type NodeAction,
  type NodeConfig,
  type StateSchema,
  SystemMessage,
  Tool,
  WeftError,
  toMessage,
} from "../index.js";
import type { ToolLike, ToolNode } from "./tool-node.js";

/** The state of an agent made by createReactAgent (without a `stateSchema`). */
export type AgentState = { messages: Message[]; structuredResponse?: unknown };

/** A LangChain.js chat model (`new ChatAnthropic(...)`), as far as the agent needs it. */
export interface LangChainChatModelLike {
  invoke(input: any, config?: any): Promise<any>;
  bindTools?(tools: any[], kwargs?: any): { invoke(input: any, config?: any): Promise<any> };
  withStructuredOutput?(schema: any, options?: any): { invoke(input: any, config?: any): Promise<any> };
}

/** A hook node: a function (state, config) => update, an object with invoke(), or a compiled graph. */
export type AgentHook = NodeAction<any, any> | InvokableNode<any, any> | CompiledGraph<any, any>;

/** A prompt: instructions before the messages, or a function that returns the model's whole input. */
export type AgentPrompt = string | SystemMessage | { _getType(): string } | ((state: any, config: NodeConfig) => MessagesInput | Promise<MessagesInput>);

/** `responseFormat`: a schema, or the schema with a system prompt for the structured call (and its name, description). */
export type ResponseFormat = unknown | { schema: unknown; prompt?: string; name?: string; description?: string };

export interface CreateReactAgentOptions<Schema extends StateSchema = StateSchema> {
  /** The chat model: a Weft model, or a LangChain.js chat model (`new ChatAnthropic(...)`); the tools are bound to it with bindTools(). */
  llm: BaseChatModel | LangChainChatModelLike;
  /** The tools the model may call, or a ToolNode of them. */
  tools: readonly ToolLike[] | ToolNode;
  /**
   * Instructions before the conversation: a string or SystemMessage (Weft's or LangChain's) is
   * prepended to the messages; a function of the state (and config) returns the model's whole input.
   */
  prompt?: AgentPrompt;
  /** The graph's state schema; it must have `messages` (e.g. `{ ...MessagesState, userName: lastValue<string>() }`). */
  stateSchema?: Schema;
  /**
   * After the agent's last answer, one more model call that answers with an object matching this
   * schema (zod 4, Standard Schema, JSON Schema), kept in `structuredResponse`. As `{ schema, prompt }`,
   * `prompt` is a system message put before the messages for that call.
   */
  responseFormat?: ResponseFormat;
  /** A node run before every model call ("pre_model_hook"); it may return `llmInputMessages`, the model's input for that call. */
  preModelHook?: AgentHook;
  /** A node run after every model call ("post_model_hook"), before the routing to tools. */
  postModelHook?: AgentHook;
  /** Saves threads, so a second turn with the same thread_id continues the conversation. */
  checkpointer?: Checkpointer;
  /** The graph's name; also set as `name` on the agent's AI messages. */
  name?: string;
  interruptBefore?: Array<"agent" | "tools"> | "*";
  interruptAfter?: Array<"agent" | "tools"> | "*";
}

const KNOWN = new Set([
  "llm",
  "tools",
  "prompt",
  "stateSchema",
  "responseFormat",
  "preModelHook",
  "postModelHook",
  "checkpointer",
  "name",
  "interruptBefore",
  "interruptAfter",
]);

/** LangGraph.js's options that Weft does not take, with what to do instead. */
const LANGGRAPH_ONLY: Record<string, string> = {
  stateModifier: "use `prompt`: a function (state, config) => the model's messages",
  messageModifier: "use `prompt`: a function (state) => [...yourMessages, ...state.messages]",
  checkpointSaver: "use `checkpointer`",
  store: "Weft has no store; read long-term memory from your own storage in a tool or a hook",
  contextSchema: "Weft has no run context; pass values in `configurable` and read them from the node's config",
  version: 'the "v2" agent (one Send per tool call) is not built; the ToolNode runs the calls of one answer concurrently, as "v1" does',
  includeAgentName: "not built; `name` names the graph and is set on the agent's messages",
  description: "not built; name the graph with `name`",
};

/** Refuse what createReactAgent does not take, naming the option and what to use instead. */
export function checkOptions(options: unknown): asserts options is CreateReactAgentOptions {
  if (typeof options !== "object" || options === null) {
    throw new WeftError("INVALID_OPTIONS", `createReactAgent takes an options object { llm, tools, ... }, not ${options === null ? "null" : typeof options}.`);
  }
  for (const key of Object.keys(options)) {
    if (KNOWN.has(key) || (options as Record<string, unknown>)[key] === undefined) continue;
    const instead = Object.prototype.hasOwnProperty.call(LANGGRAPH_ONLY, key) ? LANGGRAPH_ONLY[key] : `it takes ${[...KNOWN].join(", ")}`;
    throw new WeftError("INVALID_OPTIONS", `createReactAgent has no option "${key}"; ${instead}.`, { details: { option: key } });
  }
  const { llm } = options as { llm?: unknown };
  if (typeof llm === "function") {
    throw new WeftError("INVALID_OPTIONS", "createReactAgent: `llm` as a function that picks the model per call is not built; give a chat model.");
  }
  if (typeof llm !== "object" || llm === null || typeof (llm as { invoke?: unknown }).invoke !== "function") {
    throw new WeftError("INVALID_OPTIONS", "createReactAgent({ llm, tools }) needs `llm`: a chat model such as new ChatOpenAI({ model: \"gpt-4o-mini\" }).");
  }
  for (const hook of ["preModelHook", "postModelHook"] as const) {
    const given = (options as Record<string, unknown>)[hook];
    if (given !== undefined && typeof given !== "function" && typeof (given as { invoke?: unknown })?.invoke !== "function") {
      throw new WeftError("INVALID_OPTIONS", `createReactAgent: \`${hook}\` must be a node: a function (state, config) => update, or a compiled graph.`);
    }
  }
}

/** The model's input from the state: the prompt applied to the messages. */
export function promptOf(prompt: AgentPrompt | undefined): (state: any, config: NodeConfig) => MessagesInput | Promise<MessagesInput> {
  if (prompt === undefined) return (state) => state.messages;
  if (typeof prompt === "string" || prompt instanceof SystemMessage || isLangChainMessage(prompt)) {
    const system = typeof prompt === "string" ? new SystemMessage(prompt) : toMessage(prompt, "createReactAgent's `prompt`");
    if (!(system instanceof SystemMessage)) {
      throw new WeftError("INVALID_OPTIONS", `createReactAgent's \`prompt\` is a ${system.type} message; give a SystemMessage, a string, or a function (state) => messages.`);
    }
    return (state) => [system, ...state.messages];
  }
  if (typeof prompt === "function") return prompt;
  throw new WeftError("INVALID_OPTIONS", "createReactAgent's `prompt` must be a string, a SystemMessage, or a function (state) => messages.");
}

/**
 * The model with the tools bound. A Weft model takes every tool form; a LangChain model gets LangChain
 * tools as they are, and Weft tools as LangChain reads them: with a zod or JSON Schema as they are (a
 * tool's `{ name, description, schema }`, which LangChain converts as it does its own tools), with
 * another Standard Schema as an OpenAI function of its JSON Schema.
 */
export function bindAgentTools(llm: BaseChatModel | LangChainChatModelLike, tools: readonly ToolLike[]): { invoke(input: any, config?: any): Promise<any> } {
  if (tools.length === 0) return llm;
  if (llm instanceof BaseChatModel) return llm.bindTools(tools as never);
  if (typeof llm.bindTools !== "function") throw new WeftError("INVALID_OPTIONS", "createReactAgent: the LangChain model has no bindTools(), so it cannot call the tools.");
  return llm.bindTools(tools.map((candidate) => (candidate instanceof Tool && !langChainReadsSchema(candidate.schema) ? openAIFunction(candidate) : candidate)));
}

/** True for a schema LangChain's bindTools reads itself: zod (3 or 4), or a JSON Schema with a `type`. */
function langChainReadsSchema(schema: unknown): boolean {
  if (typeof schema !== "object" || schema === null) return false;
  if ("_zod" in schema || "_def" in schema) return true;
  return !("~standard" in schema) && typeof (schema as { type?: unknown }).type === "string";
}

function openAIFunction(candidate: Tool<any, any>) {
  return { type: "function", function: { name: candidate.name, description: candidate.description ?? "", parameters: candidate.parameters } };
}

/** A LangChain.js message instance (what LangChain's isBaseMessage checks). */
export function isLangChainMessage(value: unknown): value is { _getType(): string } {
  return typeof value === "object" && value !== null && typeof (value as { _getType?: unknown })._getType === "function";
}
