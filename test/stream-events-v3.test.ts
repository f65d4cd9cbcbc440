// graph.streamEvents(input, { version: "v3" }): the run's events with sequence numbers and their projections
// (.messages with .text/.reasoning/.toolCalls/.usage/.output, .values, .output, .subgraphs, .lifecycle,
// .interrupts), abort(), and the same event sequence as LangGraph.js 1.7.3 for the same graph.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { END as LG_END, MemorySaver as LGMemorySaver, MessagesAnnotation, START as LG_START, StateGraph as LGStateGraph } from "@langchain/langgraph";
import { z } from "zod";
import { type ChatModelStream, END, type LifecycleEntry, MemorySaver, MessagesState, type ProtocolEvent, START, StateGraph, WeftError, interrupt, lastValue, tool } from "weft";
import { createReactAgent } from "weft/prebuilt";
import { FakeChatModel } from "weft/testing";
import { PacedChatModel } from "./support/paced-chat-model.js";

const USER = { messages: [{ role: "user" as const, content: "hello" }] };

function oneNodeGraph(model: FakeChatModel) {
  return new StateGraph(MessagesState)
    .addNode("agent", async (state) => ({ messages: [await model.invoke(state.messages)] }))
    .addEdge(START, "agent")
    .addEdge("agent", END);
}

/** An event as `method depth node detail`, with ids and task ids left out. */
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

async function all<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describe("streamEvents v3", () => {
  it("logs the run's events in order with contiguous sequence numbers, the same as LangGraph.js 1.7.3 (checkpoints apart)", async () => {
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
    const withoutCheckpoints = (events: ProtocolEvent[]) => events.filter((event) => event.method !== "checkpoints").map(describe_);
    const expected = [
      'lifecycle 0 - {"event":"running","graph_name":"root"}',
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
      "values 0 - 2 messages",
      'lifecycle 0 - {"event":"completed","graph_name":"root"}',
    ];
    // LangGraph's message-start has `run_id` only; Weft's says `role` too.
    assert.deepEqual(withoutCheckpoints(theirs).map((line) => line.replace(/\{"event":"message-start".*$/, '{"event":"message-start"')), expected);
    assert.deepEqual(withoutCheckpoints(ours).map((line) => line.replace(/\{"event":"message-start".*$/, '{"event":"message-start"')), expected);
    assert.deepEqual(describe_(ours.find((event) => (event.params.data as { event?: string }).event === "message-start")!), 'messages 1 agent {"event":"message-start","role":"ai"}');
    // One checkpoint per step in both (Weft logs it after the step's values, LangGraph before).
    const checkpoints = (events: ProtocolEvent[]) => events.filter((event) => event.method === "checkpoints").map((event) => (event.params.data as { step: number; source: string }).step);
    assert.deepEqual(checkpoints(ours), [-1, 0, 1].slice(3 - checkpoints(theirs).length));
    assert.deepEqual(checkpoints(ours), checkpoints(theirs));
    // The message events of one call carry its id (the final AIMessage's), the namespace is the task's.
    const messageEvents = ours.filter((event) => event.method === "messages");
    const finalMessage = ((await weft.getState(config)).values.messages as Array<{ id: string }>).at(-1)!;
    assert.ok(messageEvents.every((event) => (event.params.data as { id: string }).id === finalMessage.id));
    assert.match(messageEvents[0]!.params.namespace[0]!, /^agent:[0-9a-f-]{36}$/);
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
