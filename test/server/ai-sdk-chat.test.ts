// useChat's own transport (DefaultChatTransport from `ai`, the client @ai-sdk/react uses) against the
// server's /ai-sdk/:assistant routes, with `readUIMessageStream` assembling what useChat would render:
// a tool-calling agent's turns on a saved thread, regenerate, an interrupt answered with `resume`,
// resuming an unfinished answer, the stop route, a second turn while one runs (409), and bad requests.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DefaultChatTransport, type UIMessage, readUIMessageStream } from "ai";
import { z } from "zod";
import { AIMessage, END, MemorySaver, MessagesState, START, StateGraph, interrupt, tool } from "weft";
import { createReactAgent } from "weft/prebuilt";
import { type RunningServer, createHandler, serve } from "weft/server";
import { FakeChatModel } from "weft/testing";
import { PacedChatModel } from "../support/paced-chat-model.js";

const getWeather = tool(async ({ city }: { city: string }) => `Sunny in ${city}`, {
  name: "get_weather",
  description: "The weather in a city",
  schema: z.object({ city: z.string() }),
});

/** Send a turn as useChat does and assemble the assistant message it renders (the last state of the stream). */
async function turn(transport: DefaultChatTransport<UIMessage>, chatId: string, messages: UIMessage[], options: { trigger?: "submit-message" | "regenerate-message"; body?: object } = {}) {
  const stream = await transport.sendMessages({
    chatId,
    messages,
    trigger: options.trigger ?? "submit-message",
    messageId: undefined,
    abortSignal: undefined,
    body: options.body,
  });
  return lastMessage(stream);
}

async function lastMessage(stream: ReadableStream<any>): Promise<UIMessage> {
  let last: UIMessage | undefined;
  for await (const message of readUIMessageStream({ stream, terminateOnError: true })) last = message;
  assert.ok(last !== undefined, "the stream rendered a message");
  return last;
}

const user = (id: string, text: string): UIMessage => ({ id, role: "user", parts: [{ type: "text", text }] });
const texts = (message: UIMessage) => message.parts.filter((part) => part.type === "text").map((part) => (part as { text: string }).text);

describe("useChat's transport against weft serve's /ai-sdk routes", () => {
  let server: RunningServer;
  let transport: DefaultChatTransport<UIMessage>;
  const llm = new FakeChatModel({
    responses: [
      { content: ["Let ", "me ", "check."], toolCalls: [{ id: "call_1", name: "get_weather", args: { city: "Oslo" } }] },
      ["It ", "is ", "sunny ", "in ", "Oslo."],
      ["You ", "asked ", "about ", "Oslo."],
      ["Oslo ", "again: ", "sunny."],
    ],
  });
  const paced = new PacedChatModel({ responses: [["One ", "two ", "three."], ["Four ", "five."]] });
  const approvals = new StateGraph(MessagesState)
    .addNode("ask", () => {
      const answer = interrupt<string, string>("Send the email?");
      // A message object (not a plain dict), so messages mode streams it, as in LangGraph.
      return { messages: [new AIMessage(`You said ${answer}.`)] };
    })
    .addEdge(START, "ask")
    .addEdge("ask", END);

  before(async () => {
    paced.pace();
    server = await serve(
      createHandler({
        graphs: {
          agent: createReactAgent({ llm, tools: [getWeather] }),
          paced: createReactAgent({ llm: paced, tools: [] }),
          approvals: approvals.compile(),
        },
        checkpointer: new MemorySaver(),
        heartbeatMs: 0,
      }),
      { port: 0 },
    );
    transport = new DefaultChatTransport({ api: `${server.url}/ai-sdk/agent` });
  });
  after(() => server.close());

  it("streams a turn with its tool call and result; the next turn has the thread's history; regenerate forks from the question", async () => {
    const question = user("u1", "Weather in Oslo?");
    const first = await turn(transport, "chat-1", [question]);
    assert.equal(first.role, "assistant");
    assert.deepEqual(texts(first), ["Let me check.", "It is sunny in Oslo."]);
    const toolPart = first.parts.find((part) => part.type === "tool-get_weather") as { state: string; input: unknown; output: unknown };
    assert.deepEqual([toolPart.state, toolPart.input, toolPart.output], ["output-available", { city: "Oslo" }, "Sunny in Oslo"]);
    const state = await (await fetch(`${server.url}/threads/chat-1/state`)).json();
    assert.equal(state.values.messages.at(-1).content, "It is sunny in Oslo.", "the rendered answer is the thread's state");
    // What a reloaded page starts with: the same turn, read back from the thread.
    const saved = (await (await fetch(`${server.url}/ai-sdk/agent/chat-1/messages`)).json()) as UIMessage[];
    assert.deepEqual(saved.map((message) => [message.role, texts(message)]), [["user", ["Weather in Oslo?"]], ["assistant", ["Let me check.", "It is sunny in Oslo."]]]);
    assert.equal(saved[0]!.id, "u1");
    assert.deepEqual(await (await fetch(`${server.url}/ai-sdk/agent/no-such-chat/messages`)).json(), []);

    // Turn 2: useChat posts the whole conversation; the thread already has it, so only the new question goes in.
    const second = await turn(transport, "chat-1", [question, first, user("u2", "What did I ask?")]);
    assert.deepEqual(texts(second), ["You asked about Oslo."]);
    assert.deepEqual(
      llm.calls[2]!.map((message) => [message.role, message.text]),
      [["user", "Weather in Oslo?"], ["assistant", "Let me check."], ["tool", "Sunny in Oslo"], ["assistant", "It is sunny in Oslo."], ["user", "What did I ask?"]],
    );

    // Regenerate the second answer: useChat drops it and posts up to the question; the run forks from where it was added.
    const regenerated = await turn(transport, "chat-1", [question, first, user("u2", "What did I ask?")], { trigger: "regenerate-message" });
    assert.deepEqual(texts(regenerated), ["Oslo again: sunny."]);
    assert.deepEqual(
      llm.calls[3]!.map((message) => message.text),
      llm.calls[2]!.map((message) => message.text),
      "the regenerated call saw the same history",
    );
    const after = await (await fetch(`${server.url}/threads/chat-1/state`)).json();
    assert.deepEqual(
      after.values.messages.map((message: { content: string }) => message.content),
      ["Weather in Oslo?", "Let me check.", "Sunny in Oslo", "It is sunny in Oslo.", "What did I ask?", "Oslo again: sunny."],
      "the fork replaced the old answer instead of adding to it",
    );
  });

  it("shows an interrupt as a data-interrupt part and goes on with the answer sent as `resume`", async () => {
    const approvalsTransport = new DefaultChatTransport<UIMessage>({ api: `${server.url}/ai-sdk/approvals` });
    const asked = await turn(approvalsTransport, "chat-approve", [user("a1", "Email Bob")]);
    const interruptPart = asked.parts.find((part) => part.type === "data-interrupt") as { id: string; data: { id: string; value: string } };
    assert.equal(interruptPart.data.value, "Send the email?");
    assert.equal(typeof interruptPart.data.id, "string");
    assert.equal((await (await fetch(`${server.url}/threads/chat-approve`)).json()).status, "interrupted");
    const answered = await turn(approvalsTransport, "chat-approve", [user("a1", "Email Bob"), asked], { body: { resume: "yes" } });
    assert.deepEqual(texts(answered), ["You said yes."]);
  });

  it("replays an unfinished answer from its start to reconnectToStream, and the stop route cancels it", async () => {
    const pacedTransport = new DefaultChatTransport<UIMessage>({ api: `${server.url}/ai-sdk/paced` });
    // The first answer: the client reads two tokens, then leaves (a reload); the run goes on.
    const leaving = new AbortController();
    const stream = await pacedTransport.sendMessages({ chatId: "chat-paced", messages: [user("p1", "Count")], trigger: "submit-message", messageId: undefined, abortSignal: leaving.signal });
    paced.release(2);
    const reader = stream.getReader();
    const seen: string[] = [];
    while (seen.filter((type) => type === "text-delta").length < 2) seen.push(((await reader.read()).value as { type: string }).type);
    leaving.abort();
    await reader.cancel().catch(() => undefined);
    // Reconnect (useChat resume: true): the whole answer from its start, then the rest as it comes.
    const resumed = await pacedTransport.reconnectToStream({ chatId: "chat-paced" });
    assert.ok(resumed !== null, "an unfinished answer is there to resume");
    paced.release(1);
    const whole = await lastMessage(resumed);
    assert.deepEqual(texts(whole), ["One two three."]);
    assert.equal(await pacedTransport.reconnectToStream({ chatId: "chat-paced" }), null, "204 once the answer is done");

    // The second answer is stopped on the server.
    const next = await pacedTransport.sendMessages({ chatId: "chat-paced", messages: [user("p1", "Count"), whole, user("p2", "More")], trigger: "submit-message", messageId: undefined, abortSignal: undefined });
    paced.release(1);
    const chunks: Array<{ type: string; delta?: string }> = [];
    const nextReader = next.getReader();
    while (!chunks.some((chunk) => chunk.type === "text-delta")) chunks.push((await nextReader.read()).value as { type: string; delta?: string });
    // A second turn while this one runs is refused, and the running one goes on.
    const busy = await fetch(`${server.url}/ai-sdk/paced`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ id: "chat-paced", messages: [user("p3", "Again")] }) });
    assert.equal(busy.status, 409);
    assert.match(((await busy.json()) as { message: string }).message, /already running/);
    const stopped = await fetch(`${server.url}/ai-sdk/paced/chat-paced/stop`, { method: "POST" });
    assert.equal(stopped.status, 204);
    for (let result = await nextReader.read(); !result.done; result = await nextReader.read()) chunks.push(result.value as { type: string; delta?: string });
    assert.deepEqual(chunks.filter((chunk) => chunk.type === "text-delta").map((chunk) => chunk.delta), ["Four "]);
    assert.equal(chunks.at(-1)!.type, "abort");
    const runs = await (await fetch(`${server.url}/threads/chat-paced/runs`)).json();
    assert.deepEqual(runs.map((run: { status: string }) => run.status).sort(), ["interrupted", "success"]);
  });

  it("refuses bad requests with 422 naming the field, and an unknown assistant with 404", async () => {
    const post = (path: string, body: unknown) => fetch(`${server.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const cases: Array<[unknown, string]> = [
      [{ messages: [] }, "id"],
      [{ id: "x y", messages: [] }, "id"],
      [{ id: "c", messages: "hi" }, "messages"],
      [{ id: "c", messages: [{ id: "m", role: "robot", parts: [] }] }, "messages"],
      [{ id: "c", messages: [], trigger: "rewind" }, "trigger"],
      [{ id: "c", messages: [], surprise: 1 }, "surprise"],
    ];
    for (const [body, field] of cases) {
      const response = await post("/ai-sdk/agent", body);
      assert.equal(response.status, 422, JSON.stringify(body));
      assert.equal((await response.json()).field, field, JSON.stringify(body));
    }
    assert.equal((await post("/ai-sdk/nope", { id: "c", messages: [user("m", "hi")] })).status, 404);
    const answered = await post("/ai-sdk/agent", { id: "chat-1", messages: [user("u9", "hi")], trigger: "regenerate-message" });
    assert.equal(answered.status, 422, "regenerating a question the thread never saw");
  });
});
