// A Weft run as the AI SDK's UI message stream, read by the AI SDK's own client code (`ai`: the SSE parser
// with `uiMessageChunkSchema` that DefaultChatTransport uses, readUIMessageStream, reconnectToStream), and
// useChat's messages back into graph input with fromUIMessages.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DefaultChatTransport, type UIMessage as AIUIMessage, type UIMessageChunk as AIUIMessageChunk, parseJsonEventStream, readUIMessageStream, uiMessageChunkSchema } from "ai";
import { z } from "zod";
import { AIMessage, MemorySaver, type Message, MessagesState, START, StateGraph, ToolMessage, WeftError, interrupt, tool } from "weft";
import { ResumableUIMessageStreams, type UIMessage, fromUIMessages, toUIMessageStream, toUIMessageStreamResponse } from "weft/ai-sdk/ui";
import { createReactAgent } from "weft/prebuilt";
import { FakeChatModel } from "weft/testing";
import { PacedChatModel } from "./support/paced-chat-model.js";

const getWeather = tool(
  async ({ city }: { city: string }, config) => {
    config.writer({ type: "weather-progress", id: "weather-1", data: { city, status: "looking" } });
    return `Sunny in ${city}`;
  },
  { name: "get_weather", description: "The weather in a city", schema: z.object({ city: z.string() }) },
);

const script = () => [
  { content: "Let me check.", toolCalls: [{ id: "call_1", name: "get_weather", args: { city: "Oslo" } }] },
  { content: "It is sunny in Oslo.", reasoning: ["The tool ", "says sunny."] },
];

const MODES = ["messages", "custom", "tools"] as const;

/** The chunks of a Response as the AI SDK's client parses them (DefaultChatTransport.processResponseStream does this). */
async function parseChunks(response: Response): Promise<AIUIMessageChunk[]> {
  const chunks: AIUIMessageChunk[] = [];
  const parsed = parseJsonEventStream({ stream: response.body!, schema: uiMessageChunkSchema });
  for await (const result of parsed as unknown as AsyncIterable<{ success: boolean; value?: AIUIMessageChunk; error?: unknown }>) {
    assert.ok(result.success, `the AI SDK refuses a chunk: ${String(result.error)}`);
    chunks.push(result.value!);
  }
  return chunks;
}

/** The final UI message readUIMessageStream assembles from the chunks. */
async function assemble(chunks: readonly AIUIMessageChunk[], message?: AIUIMessage): Promise<AIUIMessage> {
  const errors: unknown[] = [];
  let last: AIUIMessage | undefined;
  const stream = new ReadableStream<AIUIMessageChunk>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  for await (const snapshot of readUIMessageStream({ stream, message, onError: (error) => errors.push(error), terminateOnError: true })) last = snapshot;
  assert.deepEqual(errors, []);
  return last!;
}

/** Replace model-call ids (run-<uuid>) by "call 1", "call 2" in order of appearance. */
function positional<T>(value: T): T {
  const ids = new Map<string, string>();
  return JSON.parse(JSON.stringify(value).replace(/run-[0-9a-f-]{36}/g, (id) => {
    if (!ids.has(id)) ids.set(id, `call ${ids.size + 1}`);
    return ids.get(id)!;
  }));
}

describe("toUIMessageStreamResponse", () => {
  it("streams an agent's turn as the UI message stream protocol: steps, text, reasoning, tool and data parts", async () => {
    const agent = createReactAgent({ llm: new FakeChatModel({ responses: script() }), tools: [getWeather] });
    const response = toUIMessageStreamResponse(agent.stream({ messages: [{ role: "user", content: "Weather in Oslo?" }] }, { streamMode: [...MODES] }), { messageId: "answer-1" });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("x-vercel-ai-ui-message-stream"), "v1");
    assert.equal(response.headers.get("content-type"), "text/event-stream");
    const [forText, forParser] = response.body!.tee();
    const sse = await new Response(forText).text();
    assert.ok(sse.startsWith('data: {"type":"start","messageId":"answer-1"}\n\n'), sse.slice(0, 80));
    assert.ok(sse.endsWith('data: {"type":"finish","finishReason":"stop"}\n\ndata: [DONE]\n\n'), sse.slice(-120));
    const chunks = positional(await parseChunks(new Response(forParser)));
    assert.deepEqual(chunks, [
      { type: "start", messageId: "answer-1" },
      { type: "start-step" },
      { type: "text-start", id: "call 1" },
      { type: "text-delta", id: "call 1", delta: "Let " },
      { type: "text-delta", id: "call 1", delta: "me " },
      { type: "text-delta", id: "call 1", delta: "check." },
      { type: "tool-input-start", toolCallId: "call_1", toolName: "get_weather" },
      { type: "tool-input-delta", toolCallId: "call_1", inputTextDelta: '{"city"' },
      { type: "tool-input-delta", toolCallId: "call_1", inputTextDelta: ':"Oslo"}' },
      { type: "text-end", id: "call 1" },
      { type: "tool-input-available", toolCallId: "call_1", toolName: "get_weather", input: { city: "Oslo" } },
      { type: "data-weather-progress", id: "weather-1", data: { city: "Oslo", status: "looking" } },
      { type: "tool-output-available", toolCallId: "call_1", output: "Sunny in Oslo" },
      { type: "finish-step" },
      { type: "start-step" },
      { type: "reasoning-start", id: "call 2:reasoning" },
      { type: "reasoning-delta", id: "call 2:reasoning", delta: "The tool " },
      { type: "reasoning-delta", id: "call 2:reasoning", delta: "says sunny." },
      { type: "reasoning-end", id: "call 2:reasoning" },
      { type: "text-start", id: "call 2" },
      ...["It ", "is ", "sunny ", "in ", "Oslo."].map((delta) => ({ type: "text-delta", id: "call 2", delta })),
      { type: "text-end", id: "call 2" },
      { type: "finish-step" },
      { type: "finish", finishReason: "stop" },
    ]);
    const message = await assemble(chunks);
    assert.equal(message.id, "answer-1");
    // Through JSON: the AI SDK sets keys such as providerMetadata to undefined.
    assert.deepEqual(JSON.parse(JSON.stringify(message.parts)), [
      { type: "step-start" },
      { type: "text", text: "Let me check.", state: "done" },
      { type: "tool-get_weather", toolCallId: "call_1", state: "output-available", input: { city: "Oslo" }, output: "Sunny in Oslo" },
      { type: "data-weather-progress", id: "weather-1", data: { city: "Oslo", status: "looking" } },
      { type: "step-start" },
      { type: "reasoning", id: "call 2:reasoning", text: "The tool says sunny.", state: "done" },
      { type: "text", text: "It is sunny in Oslo.", state: "done" },
    ]);
  });

  it("reads the [namespace, mode, chunk] items of a stream with subgraphs: an agent run as a subgraph streams the same parts", async () => {
    const direct = createReactAgent({ llm: new FakeChatModel({ responses: script() }), tools: [getWeather] });
    const expected = positional(await parseChunks(toUIMessageStreamResponse(direct.stream({ messages: [{ role: "user", content: "Weather in Oslo?" }] }, { streamMode: [...MODES] }), { messageId: "answer-1" })));
    const inner = createReactAgent({ llm: new FakeChatModel({ responses: script() }), tools: [getWeather] });
    const parent = new StateGraph(MessagesState).addNode("assistant", inner).addEdge(START, "assistant").compile();
    const items: unknown[] = [];
    const run = parent.stream({ messages: [{ role: "user", content: "Weather in Oslo?" }] }, { streamMode: [...MODES], subgraphs: true });
    const recorded = (async function* () {
      for await (const item of run) yield (items.push(item), item);
    })();
    const chunks = positional(await parseChunks(toUIMessageStreamResponse(recorded, { messageId: "answer-1" })));
    assert.ok(items.every((item) => Array.isArray(item) && item.length === 3 && Array.isArray(item[0])), "the items are [namespace, mode, chunk]");
    assert.ok(items.some((item) => (item as [string[]])[0].length > 0), "some come from below the root");
    assert.deepEqual(chunks, expected);
    assert.ok(chunks.some((chunk) => chunk.type === "tool-output-available") && chunks.some((chunk) => chunk.type === "reasoning-delta"));
  });

  it("sends a tool that fails as a tool-output-error chunk, which the AI SDK shows as the part's output-error", async () => {
    const failing = tool(
      async (): Promise<string> => {
        throw new Error("the weather service is down");
      },
      { name: "get_weather", description: "The weather in a city", schema: z.object({ city: z.string() }) },
    );
    const agent = createReactAgent({ llm: new FakeChatModel({ responses: [script()[0]!, { content: "Sorry, no weather." }] }), tools: [failing] });
    const chunks = positional(await parseChunks(toUIMessageStreamResponse(agent.stream({ messages: [{ role: "user", content: "Weather in Oslo?" }] }, { streamMode: [...MODES] }), { messageId: "m" })));
    const toolChunks = chunks.filter((chunk) => chunk.type.startsWith("tool-"));
    assert.deepEqual(toolChunks.slice(-2), [
      { type: "tool-input-available", toolCallId: "call_1", toolName: "get_weather", input: { city: "Oslo" } },
      { type: "tool-output-error", toolCallId: "call_1", errorText: "the weather service is down" },
    ]);
    const message = await assemble(chunks);
    const part = message.parts.find((each) => each.type === "tool-get_weather") as { state: string; errorText: string; input: unknown };
    assert.deepEqual([part.state, part.errorText, part.input], ["output-error", "the weather service is down", { city: "Oslo" }]);
    assert.equal(message.parts.filter((each) => each.type === "text").map((each) => (each as { text: string }).text).join("|"), "Let me check.|Sorry, no weather.", "the model answers after the error");
  });

  it("keeps the conversation: fromUIMessages of what useChat holds is the graph's own history", async () => {
    const llm = new FakeChatModel({ responses: [...script(), "You asked about Oslo."] });
    const agent = createReactAgent({ llm, tools: [getWeather] });
    const user1: UIMessage = { id: "user-1", role: "user", parts: [{ type: "text", text: "Weather in Oslo?" }] };
    let final: { messages: Message[] } | undefined;
    const run = agent.stream({ messages: fromUIMessages([user1]) }, { streamMode: [...MODES, "values"] });
    const withValues = (async function* () {
      for await (const item of run) {
        if (item[0] === "values") final = item[1] as { messages: Message[] };
        yield item;
      }
    })();
    const answer = await assemble(await parseChunks(toUIMessageStreamResponse(withValues, { messageId: "answer-1" })));
    const history = fromUIMessages([user1, answer as unknown as UIMessage]);
    const shape = (messages: readonly Message[]) =>
      messages.map((message) => ({ role: message.role, text: message.text, toolCalls: message.toolCalls, toolCallId: message.toolCallId, reasoning: (message as AIMessage).reasoning }));
    assert.deepEqual(shape(history), shape(final!.messages));
    assert.deepEqual(
      history.map((message) => message.id),
      ["user-1", "answer-1", "answer-1-call_1", "answer-1-1"],
    );

    const user2: UIMessage = { id: "user-2", role: "user", parts: [{ type: "text", text: "What did I ask?" }] };
    const second = await parseChunks(toUIMessageStreamResponse(agent.stream({ messages: fromUIMessages([user1, answer as unknown as UIMessage, user2]) }, { streamMode: [...MODES] })));
    assert.equal((await assemble(second)).parts.filter((part) => part.type === "text").map((part) => (part as { text: string }).text).join(""), "You asked about Oslo.");
    assert.deepEqual(shape(llm.calls[2]!), [...shape(final!.messages), { role: "user", text: "What did I ask?", toolCalls: [], toolCallId: undefined, reasoning: undefined }]);
  });

  it("sends a failed run as an error chunk, masked unless onError says otherwise", async () => {
    const failing = () =>
      new StateGraph(MessagesState)
        .addNode("agent", () => {
          throw new Error("database password is hunter2");
        })
        .addEdge(START, "agent")
        .compile()
        .stream({ messages: [] }, { streamMode: [...MODES] });
    assert.deepEqual(await parseChunks(toUIMessageStreamResponse(failing(), { messageId: "m" })), [
      { type: "start", messageId: "m" },
      { type: "error", errorText: "An error occurred." },
    ]);
    const shown = await parseChunks(toUIMessageStreamResponse(failing(), { messageId: "m", onError: (error) => (error as Error).message }));
    assert.deepEqual(shown.at(-1), { type: "error", errorText: 'Node "agent" failed: database password is hunter2' });
  });

  it("ends with an abort chunk when the run is aborted on the server, and cancels the run when the client goes away", async () => {
    const llm = new PacedChatModel({ responses: ["one two three four"] });
    llm.pace();
    const agent = createReactAgent({ llm, tools: [] });
    const run = agent.stream({ messages: [{ role: "user", content: "count" }] }, { streamMode: [...MODES] });
    const reader = toUIMessageStream(run, { messageId: "m" }).getReader();
    assert.deepEqual((await reader.read()).value, { type: "start", messageId: "m" });
    llm.release();
    assert.deepEqual((await reader.read()).value, { type: "start-step" });
    assert.equal(((await reader.read()).value as { type: string }).type, "text-start");
    assert.equal(((await reader.read()).value as { delta: string }).delta, "one ");
    run.abort();
    const rest: unknown[] = [];
    for (let result = await reader.read(); !result.done; result = await reader.read()) rest.push(result.value);
    assert.deepEqual(positional(rest), [
      { type: "text-end", id: "call 1" },
      { type: "finish-step" },
      { type: "abort", reason: "An error occurred." },
    ]);

    const second = agent.stream({ messages: [{ role: "user", content: "count" }] }, { streamMode: [...MODES] });
    const client = toUIMessageStream(second).getReader();
    await client.read();
    const waiting = llm.waitingForRelease();
    const pending = client.read();
    await waiting;
    assert.equal(second.signal.aborted, false);
    await client.cancel();
    assert.equal(second.signal.aborted, true, "the client's cancel aborted the run");
    assert.ok(WeftError.isInstance(second.signal.reason) && second.signal.reason.code === "ABORTED");
    assert.deepEqual(await pending, { done: true, value: undefined });
  });

  it("sends a pause at interrupt() as a data-interrupt part per interrupt, which the AI SDK keeps in the message", async () => {
    const graph = new StateGraph(MessagesState)
      .addNode("ask", () => {
        const answer = interrupt<string, string>("Send it?");
        return { messages: [new AIMessage(`You said ${answer}.`)] };
      })
      .addEdge(START, "ask")
      .compile({ checkpointer: new MemorySaver() });
    const response = toUIMessageStreamResponse(
      graph.stream({ messages: [{ role: "user", content: "Send the report" }] }, { streamMode: ["messages", "updates"], configurable: { thread_id: "ask-1" } }),
      { messageId: "m1" },
    );
    const chunks = await parseChunks(response);
    const interruptId = (await graph.getState({ configurable: { thread_id: "ask-1" } })).tasks[0]!.interrupts[0]!.id;
    assert.deepEqual(chunks, [
      { type: "start", messageId: "m1" },
      { type: "start-step" },
      { type: "data-interrupt", id: interruptId, data: { id: interruptId, value: "Send it?" } },
      { type: "finish-step" },
      { type: "finish", finishReason: "stop" },
    ]);
    const message = await assemble(chunks);
    assert.deepEqual(message.parts, [{ type: "step-start" }, { type: "data-interrupt", id: interruptId, data: { id: interruptId, value: "Send it?" } }]);
  });

  it("refuses a stream whose items are not [mode, chunk], naming the fix", async () => {
    const graph = new StateGraph(MessagesState).addNode("agent", () => ({})).addEdge(START, "agent").compile();
    const chunks = await parseChunks(toUIMessageStreamResponse(graph.stream({ messages: [] }, { streamMode: "values" }), { messageId: "m", onError: (error) => (error as Error).message }));
    assert.equal(chunks.length, 2);
    assert.match((chunks[1] as { errorText: string }).errorText, /streamMode: \["messages", "custom", "tools"\]/);
  });
});

describe("ResumableUIMessageStreams", () => {
  it("replays an interrupted response from its start to the AI SDK's reconnectToStream, then answers 204", async () => {
    const llm = new PacedChatModel({ responses: ["It is sunny in Oslo."] });
    llm.pace();
    const agent = createReactAgent({ llm, tools: [] });
    const streams = new ResumableUIMessageStreams();
    let run: ReturnType<typeof agent.stream> | undefined;
    // The chat route, called by the AI SDK's own transport (no network: fetch is the handler).
    const handler = async (request: Request): Promise<Response> => {
      const url = new URL(request.url);
      const resumed = /^\/api\/chat\/([^/]+)\/stream$/.exec(url.pathname);
      if (request.method === "GET" && resumed) return streams.resume(decodeURIComponent(resumed[1]!));
      const { id, messages } = (await request.json()) as { id: string; messages: UIMessage[] };
      run = agent.stream({ messages: fromUIMessages(messages) }, { streamMode: [...MODES] });
      return streams.respond(id, toUIMessageStream(run, { messageId: "answer-1" }));
    };
    const transport = new DefaultChatTransport({ api: "http://weft.test/api/chat", fetch: (async (input: RequestInfo | URL, init?: RequestInit) => handler(new Request(input, init))) as typeof fetch });
    const user: AIUIMessage = { id: "user-1", role: "user", parts: [{ type: "text", text: "Weather?" }] };
    const first = (await transport.sendMessages({ chatId: "chat-1", messages: [user], trigger: "submit-message", messageId: undefined, abortSignal: undefined })).getReader();
    llm.release(2);
    const seen: AIUIMessageChunk[] = [];
    while (seen.filter((chunk) => chunk.type === "text-delta").length < 2) seen.push((await first.read()).value!);
    await first.cancel(); // the tab closed
    assert.equal(run!.signal.aborted, false, "the run goes on without its client");
    assert.equal(streams.has("chat-1"), true);

    const resumed = await transport.reconnectToStream({ chatId: "chat-1" });
    assert.ok(resumed !== null);
    llm.release(3);
    const replayed: AIUIMessageChunk[] = [];
    for await (const chunk of resumed as unknown as AsyncIterable<AIUIMessageChunk>) replayed.push(chunk);
    assert.deepEqual(replayed.slice(0, seen.length), seen, "the replay starts from the first chunk");
    const message = await assemble(replayed);
    assert.equal(message.id, "answer-1");
    assert.deepEqual(JSON.parse(JSON.stringify(message.parts)), [{ type: "step-start" }, { type: "text", text: "It is sunny in Oslo.", state: "done" }]);
    assert.equal(streams.has("chat-1"), false);
    assert.equal(await transport.reconnectToStream({ chatId: "chat-1" }), null, "204: nothing to resume once the response ended");
  });

  it("stop(chatId) cancels the run of the active response", async () => {
    const llm = new PacedChatModel({ responses: ["never finishes"] });
    llm.pace();
    const run = createReactAgent({ llm, tools: [] }).stream({ messages: [{ role: "user", content: "hi" }] }, { streamMode: [...MODES] });
    const streams = new ResumableUIMessageStreams();
    const response = streams.respond("chat-2", toUIMessageStream(run));
    await llm.waitingForRelease();
    await streams.stop("chat-2");
    assert.equal(run.signal.aborted, true);
    assert.equal(streams.has("chat-2"), false);
    assert.equal(streams.resume("chat-2").status, 204);
    await response.body!.cancel();
  });
});

describe("fromUIMessages", () => {
  it("reads files, dynamic tools, failed and denied tool calls, and system messages", () => {
    const messages = fromUIMessages([
      { id: "s", role: "system", parts: [{ type: "text", text: "Be brief." }] },
      {
        id: "u",
        role: "user",
        parts: [
          { type: "text", text: "What is this?" },
          { type: "file", mediaType: "image/png", url: "data:image/png;base64,iVBORw0KGgo=" },
          { type: "file", mediaType: "image/jpeg", url: "https://example.com/cat.jpg" },
        ],
      },
      {
        id: "a",
        role: "assistant",
        parts: [
          { type: "step-start" },
          { type: "dynamic-tool", toolName: "lookup", toolCallId: "c1", state: "output-error", input: { q: 1 }, errorText: "lookup is down" },
          { type: "tool-search", toolCallId: "c2", state: "output-denied", input: { q: 2 } },
          { type: "tool-search", toolCallId: "c3", state: "input-streaming", input: { q: 3 } },
          { type: "data-progress", data: 1 },
          { type: "step-start" },
          { type: "tool-search", toolCallId: "c4", state: "output-available", input: { q: 4 }, output: { hits: 2 } },
          { type: "step-start" },
          { type: "text", text: "A cat." },
        ],
      },
    ]);
    assert.deepEqual(
      messages.map((message) => JSON.parse(JSON.stringify(message))),
      [
        { type: "system", content: "Be brief.", id: "s", additional_kwargs: {} },
        {
          type: "human",
          id: "u",
          additional_kwargs: {},
          content: [
            { type: "text", text: "What is this?" },
            { type: "image", data: "iVBORw0KGgo=", mimeType: "image/png" },
            { type: "image", url: "https://example.com/cat.jpg", mimeType: "image/jpeg" },
          ],
        },
        {
          type: "ai", content: "", id: "a", additional_kwargs: {}, invalid_tool_calls: [], response_metadata: {},
          tool_calls: [{ type: "tool_call", id: "c1", name: "lookup", args: { q: 1 } }, { type: "tool_call", id: "c2", name: "search", args: { q: 2 } }],
        },
        { type: "tool", content: "lookup is down", id: "a-c1", name: "lookup", additional_kwargs: {}, tool_call_id: "c1", status: "error" },
        { type: "tool", content: "The user denied this tool call.", id: "a-c2", name: "search", additional_kwargs: {}, tool_call_id: "c2", status: "error" },
        { type: "ai", content: "", id: "a-1", additional_kwargs: {}, invalid_tool_calls: [], response_metadata: {}, tool_calls: [{ type: "tool_call", id: "c4", name: "search", args: { q: 4 } }] },
        { type: "tool", content: '{"hits":2}', id: "a-c4", name: "search", additional_kwargs: {}, tool_call_id: "c4", status: "success" },
        { type: "ai", content: "A cat.", id: "a-2", additional_kwargs: {}, invalid_tool_calls: [], response_metadata: {}, tool_calls: [] },
      ],
    );
    assert.ok(messages[4] instanceof ToolMessage && messages[5] instanceof AIMessage);
  });

  it("refuses what a Weft message cannot carry, saying what to do", () => {
    assert.throws(
      () => fromUIMessages([{ id: "u", role: "user", parts: [{ type: "file", mediaType: "application/pdf", url: "data:application/pdf;base64,JVBERi0=" }] }]),
      /UI message 0, part 0, is a "application\/pdf" file; Weft messages carry text and images/,
    );
    assert.throws(() => fromUIMessages([{ id: "x", role: "tool", parts: [] } as unknown as UIMessage]), /UI message 0 has role "tool"/);
    assert.throws(() => fromUIMessages("hi" as unknown as UIMessage[]), /fromUIMessages\(\) takes the array of UI messages/);
  });
});
