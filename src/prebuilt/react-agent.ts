// createReactAgent: the tool-calling agent loop (model -> tools -> model ...) as a compiled graph
// over MessagesState with nodes "agent" and "tools", as LangGraph.js builds it. Public API only.
import {
  type BaseChatModel,
  type Checkpointer,
  type CompiledGraph,
  END,
  type Message,
  type MessagesInput,
  MessagesState,
  type MessagesUpdate,
  type NodeConfig,
  START,
  StateGraph,
  SystemMessage,
  WeftError,
} from "../index.js";
import { type ToolLike, ToolNode } from "./tool-node.js";
import { toolsCondition } from "./tools-condition.js";

/** The state of an agent made by createReactAgent. */
export type AgentState = { messages: Message[] };

export interface CreateReactAgentOptions {
  /** The chat model; the tools are bound to it with bindTools(). */
  llm: BaseChatModel;
  /** The tools the model may call, or a ToolNode of them. */
  tools: readonly ToolLike[] | ToolNode;
  /**
   * Instructions before the conversation: a string or SystemMessage is prepended to the messages; a
   * function of the state (and config) returns the model's whole input.
   */
  prompt?: string | SystemMessage | ((state: AgentState, config: NodeConfig) => MessagesInput | Promise<MessagesInput>);
  /** Saves threads, so a second turn with the same thread_id continues the conversation. */
  checkpointer?: Checkpointer;
  /** The graph's name; also set as `name` on the agent's AI messages. */
  name?: string;
  interruptBefore?: Array<"agent" | "tools"> | "*";
  interruptAfter?: Array<"agent" | "tools"> | "*";
}

/**
 * A ReAct agent: the model answers, and while it asks for tools, they run (concurrently) and it
 * answers again. Tokens, tool-call chunks and tool results stream in messages mode; tool progress
 * in tools mode.
 *
 * @example
 * const agent = createReactAgent({ llm: new ChatOpenAI({ model: "gpt-4o-mini" }), tools: [getWeather] });
 * const { messages } = await agent.invoke({ messages: [{ role: "user", content: "Weather in Paris?" }] });
 */
export function createReactAgent(options: CreateReactAgentOptions): CompiledGraph<AgentState, { messages?: MessagesUpdate }> {
  if (typeof options !== "object" || options === null || typeof options.llm?.invoke !== "function") {
    throw new WeftError("INVALID_OPTIONS", "createReactAgent({ llm, tools }) needs `llm`: a chat model such as new ChatOpenAI({ model: \"gpt-4o-mini\" }).");
  }
  const toolNode = options.tools instanceof ToolNode ? options.tools : new ToolNode(options.tools ?? []);
  const tools = toolNode.tools;
  const model = tools.length > 0 ? options.llm.bindTools(tools as never) : options.llm;
  const prompt = promptOf(options.prompt);
  const name = options.name;

  async function agent(state: AgentState, config: NodeConfig) {
    const response = await model.invoke(await prompt(state, config), config);
    if (name !== undefined) response.name = name;
    return { messages: [response] };
  }

  const graph = new StateGraph(MessagesState).addNode("agent", agent).addNode("tools", toolNode).addEdge(START, "agent");
  graph.addConditionalEdges("agent", toolsCondition, ["tools", END]);
  const returnDirect = new Set(tools.filter((tool) => (tool as { returnDirect?: unknown }).returnDirect === true).map((tool) => tool.name));
  if (returnDirect.size === 0) graph.addEdge("tools", "agent");
  else {
    // A tool marked returnDirect ends the turn with its result.
    graph.addConditionalEdges(
      "tools",
      (state: AgentState) => {
        for (let index = state.messages.length - 1; index >= 0 && state.messages[index]!.role === "tool"; index--) {
          if (returnDirect.has(state.messages[index]!.name ?? "")) return END;
        }
        return "agent";
      },
      ["agent", END],
    );
  }
  return graph.compile({ checkpointer: options.checkpointer, name: name, interruptBefore: options.interruptBefore, interruptAfter: options.interruptAfter });
}

function promptOf(prompt: CreateReactAgentOptions["prompt"]): (state: AgentState, config: NodeConfig) => MessagesInput | Promise<MessagesInput> {
  if (prompt === undefined) return (state) => state.messages;
  if (typeof prompt === "string" || prompt instanceof SystemMessage) {
    const system = typeof prompt === "string" ? new SystemMessage(prompt) : prompt;
    return (state) => [system, ...state.messages];
  }
  if (typeof prompt === "function") return prompt;
  throw new WeftError("INVALID_OPTIONS", "createReactAgent's `prompt` must be a string, a SystemMessage, or a function (state) => messages.");
}
