// graph.streamEvents(input, { version: "v3" }): the run's events with sequence numbers and their projections
// (.messages with .text/.reasoning/.toolCalls/.usage/.output, .values, .output, .subgraphs, .lifecycle,
// .interrupts), abort(), and the same event sequence as LangGraph.js 1.7.3 for the same graph.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { tool as langChainTool } from "@langchain/core/tools";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { END as LG_END, MemorySaver as LGMemorySaver, MessagesAnnotation, START as LG_START, StateGraph as LGStateGraph, interrupt as lgInterrupt } from "@langchain/langgraph";
import { createReactAgent as createLangGraphAgent } from "@langchain/langgraph/prebuilt";
import { z } from "zod";
import { AIMessage, type ChatModelStream, END, type LifecycleEntry, MemorySaver, MessagesState, type ProtocolEvent, START, StateGraph, WeftError, interrupt, lastValue, tool } from "weft";
import { createReactAgent } from "weft/prebuilt";
import { FakeChatModel } from "weft/testing";
import { PacedChatModel } from "./support/paced-chat-model.js";
import { ScriptedLangChainModel } from "./support/scripted-langchain-model.js";
import { type StreamedAnswer, StreamingScriptedLangChainModel } from "./support/streaming-langchain-model.js";

const USER = { messages: [{ role: "user" as const, content: "hello" }] };

function oneNodeGraph(model: FakeChatModel) {
  return new StateGraph(MessagesState)
    .addNode("agent", async (state) => ({ messages: [await model.invoke(state.messages)] }))
    .addEdge(START, "agent")
    .addEdge("agent", END);
}

/** An event as `method depth node detail`, with ids and task ids left out (checkpoints: their step and source are the engine's). */
function describe_(event: ProtocolEvent): string {
  const { method, params } = event;
  const data = params.data as Record<string, unknown>;
  let detail = "";
  if (method === "messages" || method === "lifecycle") {
    const { id: _id, run_id: _runId, usage: _usage, ...rest } = data;
    detail = JSON.stringify(rest);
  } else if (method === "tasks") detail = `${"result" in data ? "result" : "start"} ${String(data.name)}`;
  else if (method === "values") detail = `${(data.messages as unknown[]).length} messages`;
  else if (method === "updates") detail = Object.keys(data.values as object).join(",");
  return `${method} ${params.namespace.length} ${params.node ?? "-"} ${detail}`.trimEnd();
}

/**
 * An event as `method path node detail` for comparing runs of the two libraries: the namespace by node
 * names, and what the model decides (a message's `reason` and `usage`) left out with the ids.
 */
function outline(event: ProtocolEvent): string {
  const data = event.params.data as Record<string, unknown>;
  let detail: string;
  if (event.method === "messages") {
    const { id: _id, run_id: _runId, usage: _usage, reason: _reason, role: _role, ...rest } = data;
    detail = JSON.stringify(rest);
  } else if (event.method === "values") detail = Object.keys(data).join(",");
  else detail = describe_(event).split(" ").slice(3).join(" ");
  const path = event.params.namespace.map((segment) => segment.split(":")[0]).join("/") || "root";
  return `${event.method} ${path} ${event.params.node ?? "-"} ${detail}`.trimEnd();
}

async function all<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describe("streamEvents v3", () => {
  it("logs the run's events in order with contiguous sequence numbers, the same as LangGraph.js 1.7.3", async () => {
    const config = { configurable: { thread_id: "t1" } };
    const lgModel = new FakeListChatModel({ responses: ["Hi there"] });
    const langGraph = new LGStateGraph(MessagesAnnotation)
      .addNode("agent", async (state) => ({ messages: [await lgModel.invoke(state.messages)] }))
      .addEdge(LG_START, "agent")
      .addEdge("agent", LG_END)
      .compile({ checkpointer: new LGMemorySaver() });
    const theirs = await all((await (langGraph as unknown as { streamEvents(input: unknown, options: unknown): Promise<AsyncIterable<ProtocolEvent>> }).streamEvents(USER, { version: "v3", ...config })));
    const weft = oneNodeGraph(new FakeChatModel({ responses: [{ content: [..."Hi there"], usage: { inputTokens: 1, outputTokens: 8, totalTokens: 9 } }] })).compile({ checkpointer: new MemorySaver() });
    const ours = await all(await weft.streamEvents(USER, { version: "v3", ...config }));

    assert.deepEqual(ours.map((event) => event.seq), ours.map((_, index) => index));
    assert.ok(ours.every((event) => event.type === "event" && typeof event.params.timestamp === "number"));
    const expected = [
      'lifecycle 0 - {"event":"running","graph_name":"root"}',
      "checkpoints 0 -",
      "values 0 - 1 messages",
      "tasks 0 - start agent",
      'lifecycle 1 - {"event":"started","graph_name":"agent"}',
      'messages 1 agent {"event":"message-start"',
      'messages 1 agent {"event":"content-block-start","index":0,"content":{"type":"text","text":""}}',
      ...[..."Hi there"].map((text) => `messages 1 agent {"event":"content-block-delta","index":0,"delta":{"type":"text-delta","text":"${text}"}}`),
      'messages 1 agent {"event":"content-block-finish","index":0,"content":{"type":"text","text":"Hi there"}}',
      'messages 1 agent {"event":"message-finish","reason":"stop"}',
      "updates 0 agent messages",
      "tasks 0 - result agent",
      'lifecycle 1 - {"event":"completed","graph_name":"agent"}',
      // Each step's checkpoint comes just before its values, in both.
      "checkpoints 0 -",
      "values 0 - 2 messages",
      'lifecycle 0 - {"event":"completed","graph_name":"root"}',
    ];
    // LangGraph's message-start has `run_id` only; Weft's says `role` too.
    const lines = (events: ProtocolEvent[]) => events.map(describe_).map((line) => line.replace(/\{"event":"message-start".*$/, '{"event":"message-start"'));
    assert.deepEqual(lines(theirs), expected);
    assert.deepEqual(lines(ours), expected);
    assert.deepEqual(describe_(ours.find((event) => (event.params.data as { event?: string }).event === "message-start")!), 'messages 1 agent {"event":"message-start","role":"ai"}');
    // One checkpoint per step in both.
    const checkpoints = (events: ProtocolEvent[]) => events.filter((event) => event.method === "checkpoints").map((event) => (event.params.data as { step: number; source: string }).step);
    assert.deepEqual(checkpoints(ours), [-1, 0, 1].slice(3 - checkpoints(theirs).length));
    assert.deepEqual(checkpoints(ours), checkpoints(theirs));
    // The message events of one call carry its id (the final AIMessage's), the namespace is the task's.
    const messageEvents = ours.filter((event) => event.method === "messages");
    const finalMessage = ((await weft.getState(config)).values.messages as Array<{ id: string }>).at(-1)!;
    assert.ok(messageEvents.every((event) => (event.params.data as { id: string }).id === finalMessage.id));
    assert.match(messageEvents[0]!.params.namespace[0]!, /^agent:[0-9a-f-]{36}$/);
  });

  it("gives the same events as LangGraph.js 1.7.3 for a ReAct agent (reasoning, a tool call) run as a subgraph, then an interrupt, apart from four documented differences", async () => {
    const script: StreamedAnswer[] = [
      { reasoning: ["Need ", "weather."], content: ["Checking."], toolCalls: [{ id: "call_1", name: "get_weather", args: { city: "Oslo" } }] },
      { reasoning: ["Got ", "it."], content: ["It ", "is ", "sunny."] },
    ];
    const weather = async ({ city }: { city: string }) => `Sunny in ${city}`;
    const schema = z.object({ city: z.string() });
    const config = { configurable: { thread_id: "t-compare" } };
    const theirAgent = createLangGraphAgent({ llm: new StreamingScriptedLangChainModel(script), tools: [langChainTool(weather, { name: "get_weather", description: "Weather", schema })] });
    const langGraph = new LGStateGraph(MessagesAnnotation)
      .addNode("assistant", theirAgent)
      .addNode("approve", () => ({ messages: [{ role: "ai", content: `Approved: ${lgInterrupt("Send it?")}`, id: "approved" }] }))
      .addEdge(LG_START, "assistant")
      .addEdge("assistant", "approve")
      .compile({ checkpointer: new LGMemorySaver() });
    const theirs = await all(await (langGraph as unknown as { streamEvents(input: unknown, options: unknown): Promise<AsyncIterable<ProtocolEvent>> }).streamEvents(USER, { version: "v3", ...config }));
    const ourAgent = createReactAgent({ llm: new FakeChatModel({ responses: script }), tools: [tool(weather, { name: "get_weather", description: "Weather", schema })] });
    const weft = new StateGraph(MessagesState)
      .addNode("assistant", ourAgent)
      .addNode("approve", () => ({ messages: [new AIMessage({ content: `Approved: ${interrupt<string>("Send it?")}`, id: "approved" })] }))
      .addEdge(START, "assistant")
      .addEdge("assistant", "approve")
      .compile({ checkpointer: new MemorySaver() });
    const ours = await all(await weft.streamEvents(USER, { version: "v3", ...config }));

    // 1. Tool events: LangGraph's streamEvents puts them under the tool node's task; Weft at the graph
    //    running the tool node, as `graph.stream(..., { subgraphs: true })` does in both libraries.
    const toolEvents = (events: ProtocolEvent[]) => events.filter((event) => event.method === "tools").map((event) => [outline(event).split(" ")[1], (event.params.data as { event: string; tool_call_id: string }).event]);
    assert.deepEqual(toolEvents(theirs), [["assistant/tools", "tool-started"], ["assistant/tools", "tool-finished"]]);
    assert.deepEqual(toolEvents(ours), [["assistant", "tool-started"], ["assistant", "tool-finished"]]);
    // 2. Weft streams the ToolMessage the tool node returns as a message (role "tool"); LangGraph 1.7.3 none.
    const toolMessageIds = new Set(ours.filter((event) => event.method === "messages" && (event.params.data as { role?: string }).role === "tool").map((event) => (event.params.data as { id: string }).id));
    assert.equal(toolMessageIds.size, 1);
    // 3. The interrupt: Weft sends `input` (requested) and ends the root "interrupted", as the protocol over
    //    HTTP does; LangGraph's streamEvents passes on the `__interrupt__` update and values and ends "completed".
    assert.deepEqual(ours.filter((event) => event.method === "input").map((event) => (event.params.data as { payload: unknown }).payload), ["Send it?"]);
    assert.deepEqual([theirs.at(-1)!.params.data, ours.at(-1)!.params.data], [{ event: "completed", graph_name: "root" }, { event: "interrupted", graph_name: "root" }]);
    assert.deepEqual(theirs.filter((event) => outline(event).includes("__interrupt__")).map(outline), ["updates root __interrupt__ 0", "values root - __interrupt__"]);
    const shared = (events: ProtocolEvent[]) =>
      events
        .filter((event) => event.method !== "tools" && event.method !== "input" && !toolMessageIds.has((event.params.data as { id?: string }).id ?? "") && !outline(event).includes("__interrupt__"))
        .slice(0, -1)
        .map(outline);
    // 4. Message data apart from ids and what the model decides: Weft's message-start also says `role`,
    //    and LangGraph's task events carry their config's `metadata` (Weft's carry none).
    const expected = shared(theirs);
    assert.deepEqual(shared(ours), expected);
    assert.deepEqual(
      expected.filter((line) => line.startsWith("lifecycle")),
      [
        'lifecycle root - {"event":"running","graph_name":"root"}',
        'lifecycle assistant - {"event":"started","graph_name":"assistant"}',
        'lifecycle assistant/agent - {"event":"started","graph_name":"agent"}',
        'lifecycle assistant/agent - {"event":"completed","graph_name":"agent"}',
        'lifecycle assistant/tools - {"event":"started","graph_name":"tools"}',
        'lifecycle assistant/tools - {"event":"completed","graph_name":"tools"}',
        'lifecycle assistant/agent - {"event":"started","graph_name":"agent"}',
        'lifecycle assistant/agent - {"event":"completed","graph_name":"agent"}',
        'lifecycle assistant - {"event":"completed","graph_name":"assistant"}',
      ],
    );
    assert.ok(expected.includes('messages assistant/agent agent {"event":"content-block-delta","index":0,"delta":{"type":"reasoning-delta","reasoning":"Need "}}'), "reasoning is compared");
    assert.ok(expected.includes('messages assistant/agent agent {"event":"content-block-finish","index":2,"content":{"type":"tool_call","id":"call_1","name":"get_weather","args":{"city":"Oslo"}}}'), "the tool call is compared");
    // Every values event of a graph follows that graph's checkpoint, in both.
    for (const events of [theirs, ours]) {
      events.forEach((event, index) => {
        if (event.method === "values" && !outline(event).includes("__interrupt__")) assert.deepEqual([events[index - 1]!.method, events[index - 1]!.params.namespace], ["checkpoints", event.params.namespace]);
      });
    }
  });

  it("names the tool call that ran a sub-agent as the `cause` of its namespace; the lifecycle is otherwise LangGraph.js 1.7.3's", async () => {
    const schema = z.object({ question: z.string() });
    const script = [{ content: "", toolCalls: [{ id: "call_research", name: "research", args: { question: "Why?" } }] }, { content: "Because." }];
    const input = { messages: [{ role: "user" as const, content: "Research it" }] };
    const theirResearcher = createLangGraphAgent({ llm: new ScriptedLangChainModel([{ content: "Found it." }]), tools: [] });
    const theirResearch = langChainTool(async ({ question }, config) => (await theirResearcher.invoke({ messages: [{ role: "user", content: question }] }, config)).messages.at(-1)!.content as string, { name: "research", description: "Research", schema });
    const langGraph = createLangGraphAgent({ llm: new ScriptedLangChainModel(script), tools: [theirResearch] });
    const ourResearcher = createReactAgent({ llm: new FakeChatModel({ responses: ["Found it."] }), tools: [] });
    const ourResearch = tool(async ({ question }, config) => (await ourResearcher.invoke({ messages: [{ role: "user", content: question }] }, config)).messages.at(-1)!.text, { name: "research", description: "Research", schema });
    const weft = createReactAgent({ llm: new FakeChatModel({ responses: script }), tools: [ourResearch] });

    const lifecycle = async (run: { lifecycle: AsyncIterable<LifecycleEntry> }) =>
      (await all(run.lifecycle)).map(({ namespace, event, graph_name, cause }) => [namespace.map((segment) => segment.split(":")[0]).join("/") || "root", event, graph_name, cause]);
    const theirs = await lifecycle(await (langGraph as unknown as { streamEvents(input: unknown, options: unknown): Promise<{ lifecycle: AsyncIterable<LifecycleEntry> }> }).streamEvents(input, { version: "v3" }));
    const run = await weft.streamEvents(input, { version: "v3" });
    const ours = await lifecycle(run);
    const cause = { type: "toolCall", tool_call_id: "call_research" };
    assert.deepEqual(ours, [
      ["root", "running", "root", undefined],
      ["agent", "started", "agent", undefined],
      ["agent", "completed", "agent", undefined],
      ["tools", "started", "tools", cause],
      ["tools/agent", "started", "agent", undefined],
      ["tools/agent", "completed", "agent", undefined],
      ["tools", "completed", "tools", undefined],
      ["agent", "started", "agent", undefined],
      ["agent", "completed", "agent", undefined],
      ["root", "completed", "root", undefined],
    ]);
    // LangGraph's rule (deriveToolCallCause) keys the call by the task of the namespace, as Weft does, but
    // fires only for a namespace whose first event is a task tagged `lc_agent_name`; here the tool's own
    // event opens the namespace first, so LangGraph 1.7.3 names no cause.
    assert.deepEqual(theirs, ours.map(([path, event, name]) => [path, event, name, undefined]));
    // The sub-agent's events, with the tool's: the call starts before the namespace it caused.
    const events = await all(run);
    const started = events.findIndex((event) => event.method === "lifecycle" && (event.params.data as { cause?: unknown }).cause !== undefined);
    assert.equal(events[started - 1]!.method, "tools");
    assert.deepEqual(events[started - 1]!.params.data, { event: "tool-started", tool_call_id: "call_research", tool_name: "research", input: { question: "Why?" } });
    const subAgent = (await all(run.subgraphs))[1]!;
    assert.equal(subAgent.name, "tools");
    const subAgentCalls = await all(subAgent.messages);
    assert.deepEqual(await Promise.all(subAgentCalls.map(async (message) => [message.node, await message.text])), [["agent", "Found it."]]);
  });

  it("projects each model call as a ChatModelStream: text, reasoning, tool calls, usage and the whole message, readable in any order", async () => {
    const getWeather = tool(async ({ city }: { city: string }) => `Sunny in ${city}`, { name: "get_weather", description: "Weather", schema: z.object({ city: z.string() }) });
    const llm = new FakeChatModel({
      responses: [
        { content: "Let me check.", toolCalls: [{ id: "call_1", name: "get_weather", args: { city: "Oslo" } }], usage: { inputTokens: 3, outputTokens: 5, totalTokens: 8 } },
        { content: ["It ", "is ", "sunny."], reasoning: ["The tool ", "said so."] },
      ],
    });
    const agent = createReactAgent({ llm, tools: [getWeather] });
    const run = await agent.streamEvents({ messages: [{ role: "user", content: "Weather in Oslo?" }] }, { version: "v3" });
    const state = await run.output; // the run is over; every projection still replays from its start
    const messages: ChatModelStream[] = await all(run.messages);
    assert.equal(messages.length, 2);
    const [first, second] = messages as [ChatModelStream, ChatModelStream];
    assert.deepEqual(await all(second.text), ["It ", "is ", "sunny."]);
    assert.equal(await second.text, "It is sunny.");
    assert.equal(await second.reasoning, "The tool said so.");
    assert.deepEqual(await second.toolCalls, []);
    assert.deepEqual(await first.toolCalls, [{ id: "call_1", name: "get_weather", args: { city: "Oslo" } }]);
    assert.deepEqual(await first.usage, { inputTokens: 3, outputTokens: 5, totalTokens: 8 });
    assert.deepEqual(await all(first.text), ["Let ", "me ", "check."]);
    assert.deepEqual([first.node, second.node], ["agent", "agent"]);
    const output = await second.output;
    assert.equal(output.id, second.id);
    assert.equal(output.text, "It is sunny.");
    assert.equal(output.reasoning, "The tool said so.");
    assert.deepEqual(JSON.parse(JSON.stringify(state.messages.at(-1))).content, "It is sunny.");
    assert.equal(state.messages.at(-1)!.id, second.id);
    assert.deepEqual(
      (await all(first)).map((event) => (event.event === "content-block-delta" ? `${event.event} ${event.delta.type}` : event.event)),
      ["message-start", "content-block-start", "content-block-delta text-delta", "content-block-delta text-delta", "content-block-delta text-delta", "content-block-start", "content-block-delta tool-call-delta", "content-block-delta tool-call-delta", "content-block-finish", "content-block-finish", "message-finish"],
    );
    assert.deepEqual((await all(run.messagesFrom("tools"))).length, 0, "tool messages are not model calls");
    assert.deepEqual((await all(run.values)).map((values) => values.messages.length), [1, 2, 3, 4]);
    assert.deepEqual(await run.values, state);
    assert.deepEqual(
      (await all(run)).filter((event) => event.method === "tools").map((event) => (event.params.data as { event: string }).event),
      ["tool-started", "tool-finished"],
    );
  });

  it("streams while the run goes: a token reaches .text before the model makes the next", async () => {
    const llm = new PacedChatModel({ responses: [["one ", "two ", "three"]] });
    llm.pace();
    const run = oneNodeGraph(llm).compile().streamEvents(USER, { version: "v3" });
    const messages = run.messages[Symbol.asyncIterator]();
    llm.release();
    const message = (await messages.next()).value as ChatModelStream;
    const tokens = message.text[Symbol.asyncIterator]();
    assert.deepEqual(await tokens.next(), { value: "one ", done: false });
    llm.release();
    assert.deepEqual(await tokens.next(), { value: "two ", done: false });
    llm.release();
    assert.deepEqual(await tokens.next(), { value: "three", done: false });
    assert.deepEqual(await tokens.next(), { value: undefined, done: true });
    assert.equal((await run.output).messages.at(-1)!.text, "one two three");
  });

  it("gives each subgraph a stream of its own, with its messages, values and lifecycle", async () => {
    const inner = new FakeChatModel({ responses: [["in", "ner"]] });
    const child = new StateGraph(MessagesState)
      .addNode("think", async (state) => ({ messages: [await inner.invoke(state.messages)] }))
      .addEdge(START, "think")
      .compile();
    const parent = new StateGraph(MessagesState).addNode("child", child).addEdge(START, "child").compile();
    const run = await parent.streamEvents(USER, { version: "v3" });
    const subgraphs = await all(run.subgraphs);
    assert.deepEqual(subgraphs.map((subgraph) => [subgraph.name, subgraph.index, subgraph.path.length]), [["child", 0, 1]]);
    const [subgraph] = subgraphs;
    assert.equal(subgraph!.taskId, subgraph!.path[0]!.slice("child:".length));
    assert.deepEqual(await all(run.messages), [], "the root's nodes made no model call");
    const innerMessages = await all(subgraph!.messages);
    assert.deepEqual(await Promise.all(innerMessages.map((message) => message.text.then((text) => text))), ["inner"]);
    assert.deepEqual(innerMessages[0]!.namespace.map((segment) => segment.split(":")[0]), ["child", "think"]);
    assert.deepEqual((await all(subgraph!.values)).map((values) => (values.messages as unknown[]).length), [1, 2]);
    assert.equal(((await subgraph!.output).messages as Array<{ text: string }>).at(-1)!.text, "inner");
    const lifecycle = (entries: LifecycleEntry[]) => entries.map((entry) => `${entry.namespace.map((segment) => segment.split(":")[0]).join("/") || "root"} ${entry.event}`);
    assert.deepEqual(lifecycle(await all(run.lifecycle)), ["root running", "child started", "child/think started", "child/think completed", "child completed", "root completed"]);
    assert.deepEqual(lifecycle(await all(subgraph!.lifecycle)), ["child started", "child/think started", "child/think completed", "child completed"]);
    assert.ok((await all(subgraph!)).every((event) => event.params.namespace[0] === subgraph!.path[0]));
  });

  it("reports an interrupt: .interrupted, .interrupts, an input event, and the root's lifecycle ends interrupted", async () => {
    const graph = new StateGraph({ answer: lastValue<string>() })
      .addNode("ask", () => ({ answer: interrupt<string, string>("Which city?") }))
      .addEdge(START, "ask")
      .compile({ checkpointer: new MemorySaver() });
    const run = await graph.streamEvents({ answer: "" }, { version: "v3", configurable: { thread_id: "t-interrupt" } });
    const events = await all(run);
    assert.equal(run.interrupted, true);
    assert.equal(run.interrupts.length, 1);
    assert.equal(run.interrupts[0]!.payload, "Which city?");
    const input = events.find((event) => event.method === "input")!;
    assert.deepEqual(input.params.data, { event: "requested", interrupt_id: run.interrupts[0]!.interruptId, payload: "Which city?" });
    assert.deepEqual(events.at(-1)!.params.data, { event: "interrupted", graph_name: "root" });
    assert.deepEqual(await run.output, { answer: "" });
  });

  it("abort() stops the run: events so far, then ABORTED from every projection, and the root's lifecycle says failed", async () => {
    const llm = new PacedChatModel({ responses: [["one ", "two ", "three"]] });
    llm.pace();
    const run = oneNodeGraph(llm).compile().streamEvents(USER, { version: "v3" });
    llm.release(2);
    const events: ProtocolEvent[] = [];
    const isDelta = (event: ProtocolEvent) => event.method === "messages" && (event.params.data as { event: string }).event === "content-block-delta";
    const iterator = run[Symbol.asyncIterator]();
    while (events.filter(isDelta).length < 2) events.push((await iterator.next()).value as ProtocolEvent);
    run.abort();
    const isAborted = (error: unknown) => WeftError.isInstance(error) && error.code === "ABORTED";
    await assert.rejects(
      (async () => {
        for (let result = await iterator.next(); !result.done; result = await iterator.next()) events.push(result.value);
      })(),
      isAborted,
    );
    await assert.rejects(run.output, isAborted);
    await assert.rejects(all(run.lifecycle), isAborted);
    assert.equal(run.signal.aborted, true);
    assert.deepEqual(events.filter(isDelta).map((event) => (event.params.data as { delta: { text: string } }).delta.text), ["one ", "two "]);
    assert.deepEqual(
      events.slice(-5).map((event) => `${event.method} ${(event.params.data as { event?: string }).event ?? ""} ${event.params.namespace.length}`.trimEnd()),
      ["messages content-block-finish 1", "messages message-finish 1", "tasks  0", "lifecycle failed 1", "lifecycle failed 0"],
      "the cut message ends, then its task fails, then the root",
    );
    assert.match((events.at(-1)!.params.data as { error: string }).error, /aborted/);
  });

  it("refuses other versions, saying what is built", () => {
    const graph = oneNodeGraph(new FakeChatModel({ responses: ["x"] })).compile();
    assert.throws(() => graph.streamEvents(USER, { version: "v2" } as never), /streams the v3 protocol: pass \{ version: "v3" \}/);
  });
});
