// The Agent Streaming Protocol routes read with the real protocol client: the ThreadStream of the
// @langchain/langgraph-sdk that @langchain/react 1.1.0 pins (1.11.0), plus raw requests for `since`,
// filters and bad input.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import { AIMessage, MemorySaver, MessagesState, START, StateGraph, interrupt, tool } from "weft";
import { createReactAgent } from "weft/prebuilt";
import { type RunningServer, createHandler, serve } from "weft/server";
import { FakeChatModel } from "weft/testing";
import { postJson, readSse } from "./fixtures.js";

// The SDK the hook uses, not the newer one at the top of node_modules.
const requireFromReact = createRequire(createRequire(import.meta.url).resolve("@langchain/react"));
const { Client } = (await import(pathToFileURL(requireFromReact.resolve("@langchain/langgraph-sdk/client")).href)) as { Client: new (options: object) => any };

type WireEvent = { type: "event"; event_id: string; seq: number; method: string; params: { namespace: string[]; node?: string; data: any } };

const getWeather = tool(async ({ city }: { city: string }) => `Sunny in ${city}`, { name: "get_weather", schema: z.object({ city: z.string() }) });

/** A ReAct agent whose tool `research` runs another ReAct agent (a sub-agent). */
function supervisorAgent() {
  const researcher = createReactAgent({ llm: new FakeChatModel({ responses: [{ content: ["Found ", "it."] }] }), tools: [], name: "researcher" });
  const research = tool(async ({ question }: { question: string }, config) => (await researcher.invoke({ messages: [{ role: "user", content: question }] }, config)).messages.at(-1)!.text, {
    name: "research",
    schema: z.object({ question: z.string() }),
  });
  const llm = new FakeChatModel({ responses: [{ toolCalls: [{ id: "call_research", name: "research", args: { question: "Why?" } }] }, { content: ["Because."] }] });
  return createReactAgent({ llm, tools: [research], name: "supervisor" });
}

/** A graph answering each run with the next number ("Answer 1", "Answer 2", ...): a forked run's answer differs from the first. */
function counterGraph() {
  let answers = 0;
  return new StateGraph(MessagesState)
    .addNode("answer", () => ({ messages: [new AIMessage({ content: `Answer ${++answers}`, id: `answer-${answers}` })] }))
    .addEdge(START, "answer")
    .compile({ name: "counter" });
}

describe("the Agent Streaming Protocol over HTTP", () => {
  let server: RunningServer;
  let client: any;
  before(async () => {
    const llm = new FakeChatModel({ responses: [{ toolCalls: [{ id: "c1", name: "get_weather", args: { city: "Paris" } }] }, { content: ["Sunny ", "today."] }] });
    const approval = new StateGraph(MessagesState)
      .addNode("ask", () => ({ messages: [new AIMessage({ content: `Sent: ${interrupt<string>({ question: "Send?" })}`, id: "sent" })] }))
      .addEdge(START, "ask")
      .compile({ name: "approval" });
    server = await serve(
      createHandler({ graphs: { agent: createReactAgent({ llm, tools: [getWeather], name: "agent" }), approval, supervisor: supervisorAgent(), counter: counterGraph() }, checkpointer: new MemorySaver(), heartbeatMs: 0 }),
      { port: 0 },
    );
    client = new Client({ apiUrl: server.url, callerOptions: { maxRetries: 0 } });
  });
  after(() => server.close());

  /** Every event of the thread's run, through the client, until the root's end. */
  async function runToEnd(thread: any, start: () => Promise<unknown>, earlier: readonly WireEvent[] = []): Promise<{ events: WireEvent[]; result: unknown }> {
    // A new subscription replays the thread's latest run from its start: skip the events of earlier runs.
    const seen = new Set(earlier.map((event) => event.event_id));
    const subscription = await thread.subscribe({ channels: ["lifecycle", "messages", "tools", "values", "checkpoints", "input"] });
    const result = await start();
    const events: WireEvent[] = [];
    for await (const event of subscription as AsyncIterable<WireEvent>) {
      if (seen.has(event.event_id)) continue;
      events.push(event);
      if (event.method === "lifecycle" && event.params.namespace.length === 0 && ["completed", "failed", "interrupted"].includes(event.params.data.event)) break;
    }
    subscription.close();
    return { events, result };
  }

  it("run.start creates the browser's thread, runs a normal server run, and streams lifecycles, messages and tools in order", async () => {
    const threadId = randomUUID();
    const thread = client.threads.stream(threadId, { assistantId: "agent" });
    const { events, result } = await runToEnd(thread, () => thread.run.start({ input: { messages: [{ type: "human", content: "Weather in Paris?" }] } }));
    await thread.close();
    const runs = (await (await fetch(`${server.url}/threads/${threadId}/runs`)).json()) as Array<{ run_id: string; status: string }>;
    assert.deepEqual(result, { run_id: runs[0]!.run_id });
    assert.equal(runs[0]!.status, "success");

    assert.deepEqual(
      events.filter((event) => event.method === "lifecycle").map((event) => [event.params.namespace.map((segment) => segment.split(":")[0]), event.params.data.event]),
      // Each task's namespace completes when the task's result comes, as in process and in LangGraph's protocol.
      [[[], "running"], [["agent"], "started"], [["agent"], "completed"], [["tools"], "started"], [["tools"], "completed"], [["agent"], "started"], [["agent"], "completed"], [[], "completed"]],
    );
    assert.ok(events.every((event) => event.method !== "lifecycle" || event.params.data.cause === undefined), "a plain tool call spawns no namespace");
    const answer = events.filter((event) => event.method === "messages" && event.params.data.event === "content-block-delta").map((event) => event.params.data.delta.text ?? event.params.data.delta.args);
    assert.deepEqual(answer, ['{"city":', '"Paris"}', "Sunny in Paris", "Sunny ", "today."]);
    assert.deepEqual(
      events.filter((event) => event.method === "messages" && event.params.data.event === "content-block-finish").map((event) => event.params.data.content),
      [{ type: "tool_call", id: "c1", name: "get_weather", args: { city: "Paris" } }, { type: "text", text: "Sunny in Paris" }, { type: "text", text: "Sunny today." }],
    );
    assert.deepEqual(
      events.filter((event) => event.method === "tools").map((event) => [event.params.data.event, event.params.data.tool_call_id]),
      [["tool-started", "c1"], ["tool-finished", "c1"]],
    );
    const seqs = events.map((event) => event.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), "seq grows");
    assert.equal(new Set(events.map((event) => event.event_id)).size, events.length, "event ids are unique");
    // Each values event follows the checkpoint of its step.
    const valuesIndex = events.findLastIndex((event) => event.method === "values");
    assert.equal(events[valuesIndex - 1]!.method, "checkpoints");
    const finalValues = events[valuesIndex]!.params.data;
    assert.deepEqual(finalValues.messages.map((message: { content: string }) => message.content), ["Weather in Paris?", "", "Sunny in Paris", "Sunny today."]);

    // The state commands, through the same client.
    const reopened = client.threads.stream(threadId, { assistantId: "agent" });
    const state = await reopened.state.get({ namespace: [] });
    assert.deepEqual(state.values.messages.map((message: { content: string }) => message.content), ["Weather in Paris?", "", "Sunny in Paris", "Sunny today."]);
    assert.equal(state.checkpoint.id, events[valuesIndex - 1]!.params.data.id, "state.get names the last checkpoint the stream announced");
    const { checkpoints } = await reopened.state.listCheckpoints({ limit: 3 });
    assert.deepEqual(checkpoints.map((checkpoint: { id: string }) => checkpoint.id)[0], state.checkpoint.id);
    assert.equal(checkpoints.length, 3);
    await reopened.close();
  });

  it("ties a sub-agent to the tool call that ran it: its lifecycle `started` has the call as `cause`, which the client's subgraph handle reads", async () => {
    const threadId = randomUUID();
    const thread = client.threads.stream(threadId, { assistantId: "supervisor" });
    // The client's discovery of the root's subgraphs, until the namespace of the answer after the tool.
    const discovered = (async () => {
      const handles: any[] = [];
      for await (const handle of thread.subgraphs as AsyncIterable<any>) {
        handles.push(handle);
        if (handles.some((each) => each.name === "tools") && handle.name === "agent") return handles;
      }
      return handles;
    })();
    const { events } = await runToEnd(thread, () => thread.run.start({ input: { messages: [{ type: "human", content: "Research it" }] } }));
    const handles = await discovered;
    await thread.close();

    const started = events.filter((event) => event.method === "lifecycle" && event.params.data.event === "started");
    const toolsTask = started.find((event) => event.params.namespace.length === 1 && event.params.namespace[0]!.startsWith("tools:"))!;
    assert.deepEqual(toolsTask.params.data, { event: "started", graph_name: "tools", cause: { type: "toolCall", tool_call_id: "call_research" } });
    assert.deepEqual(
      started.filter((event) => event !== toolsTask).map((event) => [event.params.namespace.map((segment) => segment.split(":")[0]), event.params.data.cause]),
      [[["agent"], undefined], [["tools", "agent"], undefined], [["agent"], undefined]],
      "the sub-agent's own nodes and the supervisor's model calls have no cause",
    );
    // The sub-agent's first event comes after the cause is announced, and its answer is the tool's result.
    const subAgentValues = events.findIndex((event) => event.method === "values" && event.params.namespace[0] === toolsTask.params.namespace[0]);
    assert.ok(events.indexOf(toolsTask) < subAgentValues);
    assert.deepEqual(events.filter((event) => event.method === "tools").map((event) => [event.params.data.event, event.params.data.tool_call_id]), [["tool-started", "call_research"], ["tool-finished", "call_research"]]);

    assert.deepEqual(handles.map((handle) => [handle.name, handle.cause]), [["agent", undefined], ["tools", { type: "toolCall", tool_call_id: "call_research" }], ["agent", undefined]]);
    const subAgent = handles[1];
    assert.equal(subAgent.graphName, "tools");
    assert.deepEqual(subAgent.namespace, toolsTask.params.namespace);
    assert.deepEqual(subAgent.toolStartedEvent.params.data, { event: "tool-started", tool_call_id: "call_research", tool_name: "research", input: { question: "Why?" } });
  });

  it("replays a finished run after `since` and filters by namespace and depth", async () => {
    const threadId = randomUUID();
    const thread = client.threads.stream(threadId, { assistantId: "agent" });
    const { events } = await runToEnd(thread, () => thread.run.start({ input: { messages: [{ type: "human", content: "Again?" }] } }));
    await thread.close();
    const messages = events.filter((event) => event.method === "messages");
    const since = messages[3]!.seq;
    const response = await postJson(`${server.url}/threads/${threadId}/stream/events`, { channels: ["messages"], since });
    assert.equal(response.headers.get("content-type")?.split(";")[0], "text/event-stream");
    const replayed = await readSse(response, (event) => (event.data as WireEvent).event_id === messages.at(-1)!.event_id);
    assert.deepEqual(
      replayed.map((event) => [event.event, event.id, (event.data as WireEvent).seq]),
      messages.slice(4).map((event) => ["messages", event.event_id, event.seq]),
      "exactly the events after `since`, in order, with SSE ids",
    );
    const tools = await readSse(await postJson(`${server.url}/threads/${threadId}/stream/events`, { channels: ["lifecycle"], namespaces: [["tools"]], depth: 0 }), (event) => (event.data as WireEvent).params.data.event === "completed");
    assert.deepEqual(tools.map((event) => [(event.data as WireEvent).params.namespace[0]!.split(":")[0], (event.data as WireEvent).params.data.event]), [["tools", "started"], ["tools", "completed"]]);
  });

  it("shows an interrupt as input.requested and resumes it with input.respond, or with run.start's input", async () => {
    const threadId = randomUUID();
    const thread = client.threads.stream(threadId, { assistantId: "approval" });
    const paused = await runToEnd(thread, () => thread.run.start({ input: { messages: [{ type: "human", content: "Go" }] } }));
    const requested = paused.events.find((event) => event.method === "input.requested")!;
    assert.deepEqual(requested.params.data.payload, { question: "Send?" });
    assert.equal(paused.events.at(-1)!.params.data.event, "interrupted");
    const wrong = await postJson(`${server.url}/threads/${threadId}/commands`, { id: 7, method: "input.respond", params: { namespace: [], interrupt_id: "nope", response: "yes" } });
    assert.equal(wrong.status, 404);
    assert.deepEqual(await wrong.json(), {
      type: "error",
      id: 7,
      error: "no_such_interrupt",
      message: `Thread ${threadId} has no pending interrupt "nope"; read GET /threads/${threadId}/state for the pending ones.`,
      field: "params.interrupt_id",
    });
    const resumed = await runToEnd(thread, () => thread.input.respond({ namespace: [], interrupt_id: requested.params.data.interrupt_id, response: "yes" }), paused.events);
    assert.equal(resumed.events.at(-1)!.params.data.event, "completed");
    const state = await thread.state.get({ namespace: [] });
    assert.deepEqual(state.values.messages.map((message: { content: string }) => message.content), ["Go", "Sent: yes"]);
    await thread.close();

    // run.start on a paused thread resumes it with its input, as the protocol says.
    const other = randomUUID();
    const second = client.threads.stream(other, { assistantId: "approval" });
    const waiting = await runToEnd(second, () => second.run.start({ input: { messages: [{ type: "human", content: "Go" }] } }));
    const viaStart = await runToEnd(second, () => second.run.start({ input: "later" }), waiting.events);
    assert.equal(viaStart.events.at(-1)!.params.data.event, "completed");
    assert.deepEqual((await second.state.get({ namespace: [] })).values.messages.map((message: { content: string }) => message.content), ["Go", "Sent: later"]);
    await second.close();
  });

  it("state.fork runs again from a checkpoint the stream announced: a new branch from it, the old one kept in the history", async () => {
    const threadId = randomUUID();
    const thread = client.threads.stream(threadId, { assistantId: "counter" });
    const first = await runToEnd(thread, () => thread.run.start({ input: { messages: [{ type: "human", content: "Question" }] } }));
    const contents = async () => (await thread.state.get({ namespace: [] })).values.messages.map((message: { content: string }) => message.content);
    assert.deepEqual(await contents(), ["Question", "Answer 1"]);
    // The checkpoint before the answer: the parent of the run's last one (step numbers are not relied on).
    const checkpoints = first.events.filter((event) => event.method === "checkpoints").map((event) => event.params.data as { id: string; parent_id?: string });
    const last = checkpoints.at(-1)!;
    const forkPoint = checkpoints.find((checkpoint) => checkpoint.id === last.parent_id)!;
    assert.ok(forkPoint !== undefined, "the stream announced the parent of its last checkpoint");

    const forked = await runToEnd(thread, () => thread.state.fork({ checkpoint_id: forkPoint.id, input: null }), first.events);
    const runs = (await (await fetch(`${server.url}/threads/${threadId}/runs`)).json()) as Array<{ run_id: string; status: string }>;
    assert.equal(runs.length, 2);
    assert.deepEqual(forked.result, { run_id: (forked.result as { run_id: string }).run_id, thread_id: threadId });
    assert.ok(runs.every((run) => run.status === "success") && runs.some((run) => run.run_id === (forked.result as { run_id: string }).run_id), "state.fork started a second run, which succeeded");
    assert.equal(forked.events.at(-1)!.params.data.event, "completed");
    const branch = forked.events.filter((event) => event.method === "checkpoints").map((event) => event.params.data as { id: string; parent_id?: string });
    assert.equal(branch[0]!.parent_id, forkPoint.id, "the forked run's first checkpoint is a child of the fork point");
    assert.deepEqual(await contents(), ["Question", "Answer 2"]);
    // Both branches stay in the history: the first run's last checkpoint is still there.
    const { checkpoints: history } = await thread.state.listCheckpoints({ limit: 20 });
    const ids = history.map((checkpoint: { id: string }) => checkpoint.id);
    assert.ok(ids.includes(last.id) && ids.includes(branch.at(-1)!.id));
    assert.equal(ids[0], branch.at(-1)!.id, "the newest checkpoint is the fork's");

    // A checkpoint the thread does not have, and a missing one, answer 4xx naming the field.
    const commands = `${server.url}/threads/${threadId}/commands`;
    const unknown = await postJson(commands, { id: 20, method: "state.fork", params: { checkpoint_id: "nope" } });
    const unknownAnswer = (await unknown.json()) as { error: string; field: string; message: string };
    assert.deepEqual([unknown.status, unknownAnswer.error, unknownAnswer.field], [404, "no_such_checkpoint", "params.checkpoint_id"]);
    assert.match(unknownAnswer.message, /is not a checkpoint of thread/);
    const missing = await postJson(commands, { id: 21, method: "state.fork", params: {} });
    assert.deepEqual([missing.status, ((await missing.json()) as { field: string }).field], [422, "params.checkpoint_id"]);
    await thread.close();
  });

  it("answers bad commands and filters with a 4xx naming the field", async () => {
    const threadId = randomUUID();
    const commands = `${server.url}/threads/${threadId}/commands`;
    const cases: Array<[unknown, number, string, string]> = [
      [{ id: 1, method: "run.start", params: {} }, 422, "invalid_argument", "params.assistant_id"],
      [{ id: 2, method: "run.start", params: { assistant_id: "agent", input: "hi" } }, 422, "invalid_argument", "params.input"],
      [{ id: 3, method: "run.start", params: { assistant_id: "agent", input: null, multitaskStrategy: "sometimes" } }, 422, "invalid_argument", "params.multitaskStrategy"],
      [{ id: 9, method: "run.start", params: { assistant_id: "nope", input: null } }, 404, "invalid_argument", "params.assistant_id"],
      [{ id: 10, method: "run.start", params: { assistant_id: "agent", input: null, config: { configurable: { checkpoint_id: "nope" } } } }, 404, "no_such_checkpoint", "params.config.configurable.checkpoint_id"],
      [{ id: 4, method: "run.launch", params: {} }, 400, "unknown_command", "method"],
      [{ id: 5, method: "subscription.subscribe", params: {} }, 400, "not_supported", "method"],
      [{ id: -1, method: "state.get" }, 422, "invalid_argument", "id"],
      [{ id: 6, method: "state.get", extra: true }, 422, "invalid_argument", "extra"],
    ];
    for (const [body, status, code, field] of cases) {
      const response = await postJson(commands, body);
      const answer = (await response.json()) as { type: string; error: string; field: string; message: string };
      assert.deepEqual([response.status, answer.type, answer.error, answer.field], [status, "error", code, field], JSON.stringify(body));
      assert.ok(answer.message.length > 20, answer.message);
    }
    const missing = await postJson(`${server.url}/threads/${randomUUID()}/commands`, { id: 8, method: "state.get", params: {} });
    assert.deepEqual([missing.status, ((await missing.json()) as { error: string }).error], [404, "no_such_run"]);
    for (const [body, field] of [
      [{ channels: ["nope"] }, "channels"],
      [{ channels: [] }, "channels"],
      [{ channels: ["values"], namespaces: ["agent"] }, "namespaces"],
      [{ channels: ["values"], depth: -1 }, "depth"],
      [{ channels: ["values"], since: 1.5 }, "since"],
      [{ channels: ["values"], filter: {} }, "filter"],
    ] as const) {
      const response = await postJson(`${server.url}/threads/${threadId}/stream/events`, body);
      assert.equal(response.status, 422, JSON.stringify(body));
      assert.equal(((await response.json()) as { field: string }).field, field);
    }
  });
});
