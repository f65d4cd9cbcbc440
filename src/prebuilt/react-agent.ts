// createReactAgent: the tool-calling agent loop (model -> tools -> model ...) as a compiled graph
// with nodes "agent" and "tools" (and "pre_model_hook", "post_model_hook",
// "generate_structured_response" when asked for), as LangGraph.js builds it. Public API only.
import {
  BaseChatModel,
  type CompiledGraph,
  END,
  type Message,
  MessagesState,
  type MessagesUpdate,
  type NodeConfig,
  START,
  type StateOf,
  type StateSchema,
  StateGraph,
  SystemMessage,
  type UpdateOf,
  WeftError,
  addMessages,
  lastValue,
  reducer,
} from "../index.js";
import {
  type AgentState,
  type CreateReactAgentOptions,
  type LangChainChatModelLike,
  type ResponseFormat,
  bindAgentTools,
  checkOptions,
  isLangChainMessage,
  promptOf,
} from "./react-agent-options.js";
import { ToolNode, pendingToolCalls } from "./tool-node.js";
import { toolsCondition } from "./tools-condition.js";

export type { AgentHook, AgentPrompt, AgentState, CreateReactAgentOptions, LangChainChatModelLike, ResponseFormat } from "./react-agent-options.js";

type AgentUpdate = { messages?: MessagesUpdate; structuredResponse?: unknown };

/**
 * A ReAct agent: the model answers, and while it asks for tools, they run (concurrently) and it
 * answers again. Tokens, tool-call chunks and tool results stream in messages mode; tool progress
 * in tools mode. With `responseFormat`, a last model call fills `structuredResponse`.
 *
 * @example
 * const agent = createReactAgent({ llm: new ChatOpenAI({ model: "gpt-4o-mini" }), tools: [getWeather] });
 * const { messages } = await agent.invoke({ messages: [{ role: "user", content: "Weather in Paris?" }] });
 */
export function createReactAgent(options: CreateReactAgentOptions<typeof MessagesState>): CompiledGraph<AgentState, AgentUpdate>;
export function createReactAgent<Schema extends StateSchema>(
  options: CreateReactAgentOptions<Schema>,
): CompiledGraph<StateOf<Schema> & AgentState, UpdateOf<Schema> & AgentUpdate>;
export function createReactAgent(options: CreateReactAgentOptions): CompiledGraph<any, any> {
  checkOptions(options);
  const toolNode = options.tools instanceof ToolNode ? options.tools : new ToolNode(options.tools ?? []);
  const tools = toolNode.tools;
  const model = bindAgentTools(options.llm, tools);
  const prompt = promptOf(options.prompt);
  const { name, preModelHook, postModelHook, responseFormat } = options;
  const structured = responseFormat === undefined ? undefined : structuredResponder(options.llm, responseFormat);

  async function agent(state: Record<string, any>, config: NodeConfig) {
    // A pre-model hook may give the model its own input for this call, leaving `messages` as they are.
    const input = preModelHook !== undefined && state.llmInputMessages?.length > 0 ? { ...state, messages: state.llmInputMessages } : state;
    const response = await model.invoke(await prompt(input, config), config);
    if (name !== undefined) {
      response.name = name;
      if (isLangChainMessage(response)) (response as { lc_kwargs?: Record<string, unknown> }).lc_kwargs!.name = name;
    }
    return { messages: [response] };
  }

  const graph = new StateGraph(stateSchemaOf(options)) as StateGraph<Record<string, any>>;
  graph.addNode("tools", toolNode);
  const entry = preModelHook !== undefined ? "pre_model_hook" : "agent";
  if (preModelHook !== undefined) graph.addNode("pre_model_hook", preModelHook as never).addEdge("pre_model_hook", "agent");
  graph.addNode("agent", agent).addEdge(START, entry);
  const finish = structured !== undefined ? "generate_structured_response" : END;
  if (structured !== undefined) graph.addNode("generate_structured_response", structured).addEdge("generate_structured_response", END);

  if (postModelHook === undefined) {
    graph.addConditionalEdges("agent", (state) => (toolsCondition(state as AgentState) === "tools" ? "tools" : finish), ["tools", finish]);
  } else {
    graph.addNode("post_model_hook", postModelHook as never).addEdge("agent", "post_model_hook");
    const targets = entry === "agent" ? ["tools", "agent", finish] : ["tools", entry, finish];
    graph.addConditionalEdges("post_model_hook", (state) => afterPostModelHook(state.messages, entry, finish), targets);
  }

  // A tool marked returnDirect ends the turn with its result.
  const returnDirect = new Set(tools.filter((tool) => (tool as { returnDirect?: unknown }).returnDirect === true).map((tool) => tool.name));
  if (returnDirect.size === 0) graph.addEdge("tools", entry);
  else {
    graph.addConditionalEdges(
      "tools",
      (state) => {
        const messages = state.messages as Message[];
        for (let index = messages.length - 1; index >= 0 && messages[index]!.role === "tool"; index--) {
          if (returnDirect.has(messages[index]!.name ?? "")) return END;
        }
        return entry;
      },
      [entry, END],
    );
  }
  return graph.compile({ checkpointer: options.checkpointer, name, interruptBefore: options.interruptBefore, interruptAfter: options.interruptAfter });
}

/** The graph's schema: the given one (which must reduce `messages`) or MessagesState, plus the keys the options need. */
function stateSchemaOf(options: CreateReactAgentOptions): StateSchema {
  const given = options.stateSchema;
  if (given !== undefined && (typeof given !== "object" || given === null || !Object.prototype.hasOwnProperty.call(given, "messages"))) {
    throw new WeftError("INVALID_OPTIONS", "createReactAgent: `stateSchema` must have a `messages` key, e.g. { ...MessagesState, userName: lastValue<string>() }.");
  }
  const schema: StateSchema = { ...(given ?? MessagesState) };
  // Where responseFormat's answer goes (LangGraph.js's agent state always has the key; Weft adds it when it is written).
  if (options.responseFormat !== undefined && !Object.prototype.hasOwnProperty.call(schema, "structuredResponse")) schema.structuredResponse = lastValue<unknown>();
  if (options.preModelHook !== undefined && !Object.prototype.hasOwnProperty.call(schema, "llmInputMessages")) {
    // Each write replaces the list, read as messages.
    schema.llmInputMessages = reducer<Message[], MessagesUpdate>((_, update) => addMessages([], update), () => []);
  }
  return schema;
}

/** After the post-model hook: pending tool calls go to the tools, a tool result back to the model, else the end. */
function afterPostModelHook(messages: Message[], entry: string, finish: string): string {
  if ((pendingToolCalls(messages)?.length ?? 0) > 0) return "tools";
  if (messages.at(-1)?.role === "tool") return entry;
  return finish;
}

/** The "generate_structured_response" node: the model, with the schema, answers from the conversation. */
function structuredResponder(llm: BaseChatModel | LangChainChatModelLike, format: ResponseFormat) {
  const { schema, prompt, ...structuredOptions } =
    typeof format === "object" && format !== null && "schema" in format ? (format as { schema: unknown; prompt?: string }) : { schema: format, prompt: undefined };
  if (prompt !== undefined && typeof prompt !== "string") throw new WeftError("INVALID_OPTIONS", "createReactAgent: `responseFormat.prompt` must be a string.");
  if (!(llm instanceof BaseChatModel) && typeof llm.withStructuredOutput !== "function") {
    throw new WeftError("INVALID_OPTIONS", "createReactAgent: `responseFormat` needs a model with withStructuredOutput(); this LangChain model has none.");
  }
  const model = llm.withStructuredOutput!(schema, structuredOptions);
  const system = prompt === undefined ? undefined : new SystemMessage(prompt);
  return async function generate_structured_response(state: Record<string, any>, config: NodeConfig) {
    const messages = system === undefined ? state.messages : [system, ...state.messages];
    const response = await model.invoke(messages, config);
    if (response === undefined || response === null) {
      throw new WeftError("MODEL_CALL", "The structured response was empty: the model's answer did not fit `responseFormat`.");
    }
    return { structuredResponse: response };
  };
}

