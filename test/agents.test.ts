// Chat agents end to end: createReactAgent, ToolNode, toolsCondition and tool() in a running graph,
// with the exact messages- and tools-mode streams they produce.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import {
  AIMessage,
  AIMessageChunk,
  END,
  HumanMessage,
  MemorySaver,
  Message,
  MessagesState,
  START,
  StateGraph,
  ToolMessage,
  WeftError,
  jsonSerde,
  tool,
} from "weft";
import { ToolNode, createReactAgent, toolsCondition } from "weft/prebuilt";
import { FakeChatModel } from "weft/testing";

const getWeather = tool(async ({ city }) => `Sunny in ${city}`, {
  name: "get_weather",
  description: "The current weather in a city",
  schema: z.object({ city: z.string() }),
});

/** One messages-mode item, reduced to what a UI routes on. */
function describeItem([message, metadata]: [AIMessageChunk | Message, Record<string, unknown>]) {
  const node = metadata.langgraph_node;
  if (message instanceof AIMessageChunk) {
    const item: Record<string, unknown> = { node, chunk: message.content, id: message.id };
    if (message.toolCallChunks.length > 0) item.toolCallChunks = message.toolCallChunks;
    if (message.reasoning !== undefined) item.reasoning = message.reasoning;
    if (message.usage !== undefined) item.usage = true;
    return item;
  }
  return { node, message: message.type, id: message.id, content: message.content, toolCallId: message.toolCallId, status: (message as ToolMessage).status };
}

describe("createReactAgent", () => {
  it("one turn: [human, ai(toolCalls), tool, ai(text)]; the model's second call receives the ToolMessage", async () => {
    const llm = new FakeChatModel({
      responses: [{ content: "Let me check.", toolCalls: [{ id: "call_p", name: "get_weather", args: { city: "Paris" } }] }, { content: "Sunny in Paris." }],
    });
    const agent = createReactAgent({ llm, tools: [getWeather], prompt: "Be brief." });
    const { messages } = await agent.invoke({ messages: [{ role: "user", content: "Weather in Paris?" }] });
    assert.deepEqual(
      messages.map((message) => [message.type, message.text]),
      [["human", "Weather in Paris?"], ["ai", "Let me check."], ["tool", "Sunny in Paris"], ["ai", "Sunny in Paris."]],
    );
    assert.deepEqual(messages[1]!.toolCalls, [{ id: "call_p", name: "get_weather", args: { city: "Paris" } }]);
    const answer = messages[2] as ToolMessage;
    assert.ok(answer instanceof ToolMessage);
    assert.deepEqual([answer.toolCallId, answer.name, answer.status], ["call_p", "get_weather", "success"]);
    assert.ok((messages[3] as AIMessage).usage !== undefined, "usage on the final message of each call");
    assert.deepEqual(
      llm.calls[1]!.map((message) => [message.type, message.text]),
      [["system", "Be brief."], ["human", "Weather in Paris?"], ["ai", "Let me check."], ["tool", "Sunny in Paris"]],
    );
    assert.equal(llm.calls[1]![3], answer, "the same ToolMessage the state holds");
    assert.equal(llm.toolsOfCalls[0]![0]!.name, "get_weather");
  });

  it("messages mode: the agent's tokens and tool-call chunks (id on each), then the ToolMessage once, from node \"tools\"", async () => {
    const llm = new FakeChatModel({
      responses: [
        { content: ["Checking."], toolCalls: [{ id: "call_p", name: "get_weather", args: { city: "Paris" } }, { id: "call_o", name: "get_weather", args: { city: "Oslo" } }] },
        { reasoning: ["Both ", "sunny."], content: ["Sunny ", "in both."] },
      ],
    });
    const agent = createReactAgent({ llm, tools: [getWeather] });
    const items: unknown[] = [];
    let final: { messages: Message[] } | undefined;
    for await (const [mode, chunk] of agent.stream({ messages: [new HumanMessage("Paris and Oslo?", { id: "h1" })] }, { streamMode: ["messages", "values"] })) {
      if (mode === "messages") items.push(describeItem(chunk));
      else final = chunk;
    }
    const [, first, paris, oslo, second] = final!.messages;
    assert.deepEqual(items, [
      { node: "agent", chunk: "Checking.", id: first!.id },
      { node: "agent", chunk: "", id: first!.id, toolCallChunks: [{ index: 0, id: "call_p", name: "get_weather", args: '{"city":' }] },
      { node: "agent", chunk: "", id: first!.id, toolCallChunks: [{ index: 0, id: "call_p", args: '"Paris"}' }] },
      { node: "agent", chunk: "", id: first!.id, toolCallChunks: [{ index: 1, id: "call_o", name: "get_weather", args: '{"city"' }] },
      { node: "agent", chunk: "", id: first!.id, toolCallChunks: [{ index: 1, id: "call_o", args: ':"Oslo"}' }] },
      { node: "agent", chunk: "", id: first!.id, usage: true },
      { node: "tools", message: "tool", id: paris!.id, content: "Sunny in Paris", toolCallId: "call_p", status: "success" },
      { node: "tools", message: "tool", id: oslo!.id, content: "Sunny in Oslo", toolCallId: "call_o", status: "success" },
      { node: "agent", chunk: "", id: second!.id, reasoning: "Both " },
      { node: "agent", chunk: "", id: second!.id, reasoning: "sunny." },
      { node: "agent", chunk: "Sunny ", id: second!.id },
      { node: "agent", chunk: "in both.", id: second!.id },
      { node: "agent", chunk: "", id: second!.id, usage: true },
    ]);
    assert.equal((second as AIMessage).reasoning, "Both sunny.", "reasoning kept whole, apart from content");
    assert.equal(second!.content, "Sunny in both.");
    assert.notEqual(first!.id, second!.id);
  });

  it("tools mode: on_tool_start, each writer and generator event, on_tool_end, in order per call", async () => {
    const slowSearch = tool(
      async ({ query }, config) => {
        config.writer({ progress: 0.5 });
        config.writer({ progress: 1 });
        return `found ${query}`;
      },
      { name: "search", schema: z.object({ query: z.string() }) },
    );
    const countdown = tool(
      async function* ({ from }) {
        for (let step = from; step > 0; step--) yield { step };
        return "liftoff";
      },
      { name: "countdown", schema: z.object({ from: z.number() }) },
    );
    const llm = new FakeChatModel({
      responses: [{ toolCalls: [{ id: "s", name: "search", args: { query: "cats" } }, { id: "c", name: "countdown", args: { from: 2 } }] }, "Done."],
    });
    const agent = createReactAgent({ llm, tools: [slowSearch, countdown] });
    const events: any[] = [];
    const custom: unknown[] = [];
    for await (const [mode, chunk] of agent.stream({ messages: ["go"] }, { streamMode: ["tools", "custom"] })) (mode === "tools" ? events : custom).push(chunk);
    const perCall = (id: string) =>
      events.filter((event) => event.toolCallId === id).map(({ event, name, input, data, output }) => ({ event, name, ...(input && { input }), ...(data && { data }), ...(output && { output: output.content }) }));
    assert.deepEqual(perCall("s"), [
      { event: "on_tool_start", name: "search", input: { query: "cats" } },
      { event: "on_tool_event", name: "search", data: { progress: 0.5 } },
      { event: "on_tool_event", name: "search", data: { progress: 1 } },
      { event: "on_tool_end", name: "search", output: "found cats" },
    ]);
    assert.deepEqual(perCall("c"), [
      { event: "on_tool_start", name: "countdown", input: { from: 2 } },
      { event: "on_tool_event", name: "countdown", data: { step: 2 } },
      { event: "on_tool_event", name: "countdown", data: { step: 1 } },
      { event: "on_tool_end", name: "countdown", output: "liftoff" },
    ]);
    assert.equal(events.length, 8);
    assert.ok(events[1].event === "on_tool_start", "both calls start before anything else happens");
    assert.deepEqual(custom, [{ progress: 0.5 }, { progress: 1 }], "config.writer in a tool also reaches custom mode");
  });

  it("two tool calls of one message run concurrently: both start before either ends", { timeout: 10_000 }, async () => {
    // Each call waits until both have started: run one after the other, the first would never finish.
    const started: string[] = [];
    let bothStarted!: () => void;
    const gate = new Promise<void>((resolve) => (bothStarted = resolve));
    const finished: string[] = [];
    const wait = tool(
      async ({ name }) => {
        started.push(name);
        if (started.length === 2) bothStarted();
        await gate;
        finished.push(name);
        return `${name} done`;
      },
      { name: "wait", schema: z.object({ name: z.string() }) },
    );
    const llm = new FakeChatModel({ responses: [{ toolCalls: [{ name: "wait", args: { name: "a" } }, { name: "wait", args: { name: "b" } }] }, "ok"] });
    const { messages } = await createReactAgent({ llm, tools: [wait] }).invoke({ messages: ["go"] });
    assert.deepEqual(started, ["a", "b"]);
    assert.deepEqual(finished, ["a", "b"]);
    assert.deepEqual(messages.filter((message) => message.role === "tool").map((message) => [message.toolCallId, message.content]), [
      ["call_1_0", "a done"],
      ["call_1_1", "b done"],
    ]);
  });

  it("a throwing tool becomes an error ToolMessage (and on_tool_error), and the agent goes on", async () => {
    const explode = tool(
      async () => {
        throw new Error("boom");
      },
      { name: "explode" },
    );
    const llm = new FakeChatModel({ responses: [{ toolCalls: [{ id: "x1", name: "explode", args: {} }] }, "It failed, sorry."] });
    const agent = createReactAgent({ llm, tools: [explode] });
    const events: any[] = [];
    let final: { messages: Message[] } | undefined;
    for await (const [mode, chunk] of agent.stream({ messages: ["try it"] }, { streamMode: ["tools", "values"] })) {
      if (mode === "tools") events.push(chunk);
      else final = chunk;
    }
    const failed = final!.messages[2] as ToolMessage;
    assert.deepEqual([failed.status, failed.content, failed.toolCallId, failed.name], ["error", "Error: boom\n Please fix your mistakes.", "x1", "explode"]);
    assert.equal(final!.messages[3]!.content, "It failed, sorry.");
    assert.equal(llm.calls[1]!.at(-1), failed, "the model saw the error");
    assert.deepEqual(events.map((event) => event.event), ["on_tool_start", "on_tool_error"]);
    assert.equal(events[1].error.message, "boom");

    const strict = createReactAgent({ llm: new FakeChatModel({ responses: [{ toolCalls: [{ name: "explode", args: {} }] }] }), tools: new ToolNode([explode], { handleToolErrors: false }) });
    await assert.rejects(strict.invoke({ messages: ["try it"] }), (error: unknown) => {
      assert.ok(WeftError.isInstance(error));
      assert.deepEqual([error.code, error.node, (error.cause as Error).message], ["NODE_FAILED", "tools", "boom"]);
      return true;
    });
  });

  it("a bad tool input is refused before the tool runs, naming the field; an unknown tool names the available ones", async () => {
    let runs = 0;
    const weather = tool(
      async ({ city }) => {
        runs++;
        return `Sunny in ${city}`;
      },
      { name: "get_weather", schema: z.object({ city: z.string() }) },
    );
    const llm = new FakeChatModel({
      responses: [{ toolCalls: [{ id: "bad", name: "get_weather", args: { city: 5 } }, { id: "lost", name: "get_wether", args: {} }] }, "Let me fix that."],
    });
    const { messages } = await createReactAgent({ llm, tools: [weather] }).invoke({ messages: ["weather?"] });
    assert.equal(runs, 0);
    const [bad, lost] = messages.filter((message): message is ToolMessage => message instanceof ToolMessage);
    assert.equal(bad!.status, "error");
    assert.match(bad!.text, /^Error: Tool "get_weather" was called with input its schema refuses \(city: .*string.*\)/);
    assert.match(lost!.text, /^Error: The model called tool "get_wether", which is not one of the available tools \("get_weather"\)\. Call one of those\./);

    const strict = new ToolNode([weather], { handleToolErrors: false });
    const badCall = new AIMessage("", { toolCalls: [{ id: "bad", name: "get_weather", args: { city: 5 } }] });
    await assert.rejects(strict.invoke({ messages: [badCall] }), (error: unknown) => WeftError.isInstance(error) && error.code === "INVALID_TOOL_INPUT" && error.details.tool === "get_weather");
  });

  it("a second turn on a checkpointed thread keeps the history; new message fields survive the checkpoint", async () => {
    const llm = new FakeChatModel({
      responses: [
        { content: "Looking.", toolCalls: [{ id: "c1", name: "get_weather", args: { city: "Oslo" } }] },
        { reasoning: ["The tool said sunny."], content: "Sunny in Oslo." },
        "You asked about Oslo.",
      ],
    });
    const agent = createReactAgent({ llm, tools: [getWeather], checkpointer: new MemorySaver() });
    const thread = { configurable: { thread_id: "t1" } };
    const picture = [{ type: "text" as const, text: "Weather where this was taken?" }, { type: "image" as const, url: "https://example.com/oslo.jpg" }];
    await agent.invoke({ messages: [new HumanMessage(picture)] }, thread);
    const second = await agent.invoke({ messages: [{ role: "user", content: "What did I ask?" }] }, thread);
    assert.deepEqual(
      second.messages.map((message) => [message.type, message.text]),
      [
        ["human", "Weather where this was taken?"],
        ["ai", "Looking."],
        ["tool", "Sunny in Oslo"],
        ["ai", "Sunny in Oslo."],
        ["human", "What did I ask?"],
        ["ai", "You asked about Oslo."],
      ],
    );
    assert.equal(llm.calls[2]!.length, 5, "the third model call saw the whole thread");
    // Turn two read the thread back from the checkpoint: classes and the new fields came through it.
    const [human, , toolAnswer, answer] = second.messages;
    assert.ok(human instanceof HumanMessage);
    assert.deepEqual(human.content, picture);
    assert.ok(toolAnswer instanceof ToolMessage);
    assert.equal(toolAnswer.status, "success");
    assert.ok(answer instanceof AIMessage);
    assert.equal(answer.reasoning, "The tool said sunny.");
    const failed = new ToolMessage("Error: x", "c9", { status: "error", name: "t", id: "m9" });
    const restored = jsonSerde.parse(jsonSerde.stringify([...second.messages, failed])) as Message[];
    assert.deepEqual(restored, [...second.messages, failed]);
    assert.ok(restored.every((message, index) => message.constructor === [...second.messages, failed][index]!.constructor));
  });

  it("prompt as a function of the state, and name set on the agent's messages", async () => {
    const llm = new FakeChatModel({ responses: ["Hi Ada."] });
    const agent = createReactAgent({
      llm,
      tools: [],
      name: "greeter",
      prompt: (state) => [{ role: "system", content: `Greet. ${state.messages.length} message(s).` }, ...state.messages],
    });
    const { messages } = await agent.invoke({ messages: ["I am Ada"] });
    assert.deepEqual(llm.calls[0]!.map((message) => message.text), ["Greet. 1 message(s).", "I am Ada"]);
    assert.equal(messages[1]!.name, "greeter");
    assert.equal(agent.name, "greeter");
  });

  it("a returnDirect tool ends the turn with its result", async () => {
    const lookup = tool(async () => "42", { name: "lookup", returnDirect: true });
    const llm = new FakeChatModel({ responses: [{ toolCalls: [{ name: "lookup", args: {} }] }, "never asked"] });
    const { messages } = await createReactAgent({ llm, tools: [lookup] }).invoke({ messages: ["answer?"] });
    assert.deepEqual(messages.map((message) => message.type), ["human", "ai", "tool"]);
    assert.equal(llm.calls.length, 1);
  });
});

describe("ToolNode and toolsCondition in a hand-built graph", () => {
  it("addNode(\"tools\", new ToolNode(tools)) with toolsCondition routes to tools and back, then ends", async () => {
    const model = new FakeChatModel({ responses: [{ toolCalls: [{ name: "get_weather", args: { city: "Rome" } }] }, "Warm."] }).bindTools([getWeather]);
    const nodes: string[] = [];
    const graph = new StateGraph(MessagesState)
      .addNode("agent", async (state, config) => ({ messages: [await model.invoke(state.messages, config)] }))
      .addNode("tools", new ToolNode([getWeather]))
      .addEdge(START, "agent")
      .addConditionalEdges("agent", toolsCondition, ["tools", END])
      .addEdge("tools", "agent")
      .compile();
    for await (const update of graph.stream({ messages: ["Rome?"] }, { streamMode: "updates" })) nodes.push(...Object.keys(update));
    assert.deepEqual(nodes, ["agent", "tools", "agent"]);
  });

  it("takes a list or a state, skips calls already answered, and says what it needs", async () => {
    const node = new ToolNode([getWeather]);
    const ai = new AIMessage("", { toolCalls: [{ id: "a", name: "get_weather", args: { city: "Lima" } }, { id: "b", name: "get_weather", args: { city: "Quito" } }] });
    const answeredA = new ToolMessage("old", "a");
    const fromList = await node.invoke([ai, answeredA]);
    assert.deepEqual(fromList.map((message) => [(message as ToolMessage).toolCallId, (message as ToolMessage).content]), [["b", "Sunny in Quito"]]);
    const fromState = await node.invoke({ messages: [ai] });
    assert.equal((fromState as { messages: ToolMessage[] }).messages.length, 2);
    await assert.rejects(node.invoke({ messages: [new HumanMessage("no ai here")] }), /found no AI message/);
    await assert.rejects(node.invoke(42 as never), (error: unknown) => WeftError.isInstance(error) && error.code === "INVALID_INPUT");
    assert.throws(() => new ToolNode([getWeather, getWeather]), /named "get_weather"/);
    assert.equal(toolsCondition({ messages: [ai] }), "tools");
    assert.equal(toolsCondition([new AIMessage("plain")]), END);
    assert.equal(toolsCondition({ messages: [{ type: "ai", content: "", tool_calls: [{ id: "x", name: "f", args: {} }] }] }), "tools");
    assert.equal(toolsCondition({ messages: [] }), END);
    for (const [bad, pattern] of [
      [{}, /not an object without `messages` \(keys: none\)/],
      [{ history: [] }, /keys: history/],
      [undefined, /not undefined/],
      [null, /not null/],
      ["hi", /not string/],
    ] as const) {
      assert.throws(() => toolsCondition(bad as never), (error: unknown) => WeftError.isInstance(error) && error.code === "INVALID_INPUT" && pattern.test(error.message));
    }
  });
});
