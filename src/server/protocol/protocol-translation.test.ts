import assert from "node:assert/strict";
import { it } from "node:test";
import { ProtocolRunTranslator } from "./protocol-translation.js";
import { RunStartSignal, matchesFilter } from "./thread-event-stream.js";

const chunk = (content: string) => ({ type: "AIMessageChunk", id: "m1", content, additional_kwargs: {}, response_metadata: {}, tool_calls: [], invalid_tool_calls: [], tool_call_chunks: [] });
const metadata = { langgraph_node: "agent", langgraph_checkpoint_ns: "agent:t1" };

it("translates a run's wire log into protocol events with seq, event ids, a message lifecycle, checkpoints before their values and the root's lifecycle", () => {
  const translator = new ProtocolRunTranslator("r1", 2_000_000_000);
  const events = [
    ...translator.translate("metadata", { run_id: "r1", attempt: 1 }),
    ...translator.translate("messages", [chunk("Hi"), metadata]),
    ...translator.translate("messages", [chunk(" there"), metadata]),
    ...translator.translate("updates", { agent: { messages: [{ type: "ai", id: "m1", content: "Hi there", response_metadata: { finishReason: "stop" } }] } }),
    ...translator.translate("values", { messages: [{ type: "ai", id: "m1", content: "Hi there" }] }),
    // Logged after the values of its step: it goes out before them, as the client pairs them.
    ...translator.translate("debug", { type: "checkpoint", step: 1, payload: { config: { configurable: { checkpoint_id: "c2" } }, parentConfig: { configurable: { checkpoint_id: "c1" } }, metadata: { source: "loop" } } }),
    ...translator.finish({ status: "success" }),
  ];
  assert.deepEqual(
    JSON.parse(JSON.stringify(events.map((event) => [event.seq, event.event_id, event.method, event.params.namespace, event.params.data]))),
    [
      [2_000_000_000, "r1:0", "lifecycle", [], { event: "running", graph_name: "root" }],
      [2_000_000_001, "r1:1", "lifecycle", ["agent:t1"], { event: "started", graph_name: "agent" }],
      [2_000_000_002, "r1:2", "messages", ["agent:t1"], { event: "message-start", id: "m1", role: "ai" }],
      [2_000_000_003, "r1:3", "messages", ["agent:t1"], { event: "content-block-start", id: "m1", index: 0, content: { type: "text", text: "" } }],
      [2_000_000_004, "r1:4", "messages", ["agent:t1"], { event: "content-block-delta", id: "m1", index: 0, delta: { type: "text-delta", text: "Hi" } }],
      [2_000_000_005, "r1:5", "messages", ["agent:t1"], { event: "content-block-delta", id: "m1", index: 0, delta: { type: "text-delta", text: " there" } }],
      [2_000_000_006, "r1:6", "messages", ["agent:t1"], { event: "content-block-finish", id: "m1", index: 0, content: { type: "text", text: "Hi there" } }],
      [2_000_000_007, "r1:7", "messages", ["agent:t1"], { event: "message-finish", id: "m1", reason: "stop" }],
      [2_000_000_008, "r1:8", "updates", [], { node: "agent", values: { messages: [{ type: "ai", content: "Hi there", id: "m1", additional_kwargs: {}, tool_calls: [], invalid_tool_calls: [], response_metadata: { finishReason: "stop" } }] } }],
      [2_000_000_009, "r1:9", "checkpoints", [], { id: "c2", step: 1, source: "loop", parent_id: "c1" }],
      [2_000_000_010, "r1:10", "values", [], { messages: [{ type: "ai", id: "m1", content: "Hi there" }] }],
      [2_000_000_011, "r1:11", "lifecycle", ["agent:t1"], { event: "completed", graph_name: "agent" }],
      [2_000_000_012, "r1:12", "lifecycle", [], { event: "completed", graph_name: "root" }],
    ],
  );
  assert.equal(events[2]!.params.node, "agent");
});

it("turns an interrupt into input.requested, ends the root as interrupted, and a failed run carries its error", () => {
  const paused = new ProtocolRunTranslator("r2", 0);
  const events = [...paused.translate("metadata", {}), ...paused.translate("values", { __interrupt__: [{ id: "i1", value: { question: "ok?" } }] }), ...paused.finish({ status: "success" })];
  assert.deepEqual(
    events.map((event) => [event.method, event.params.data]),
    [
      ["lifecycle", { event: "running", graph_name: "root" }],
      ["input.requested", { interrupt_id: "i1", payload: { question: "ok?" } }],
      ["lifecycle", { event: "interrupted", graph_name: "root" }],
    ],
  );
  const failed = new ProtocolRunTranslator("r3", 0);
  assert.deepEqual(failed.finish({ status: "error", error: { error: "NODE", message: "boom" } }).map((event) => event.params.data), [{ event: "failed", graph_name: "root", error: "boom" }]);
});

it("a sub-agent a tool runs starts with the tool call as its cause, and each namespace completes when its task's result comes, not at the run's end", () => {
  // The log as the server writes it for a ReAct agent whose tool `research` runs another agent: tool
  // events at the graph's namespace, the sub-agent's under the tools task (`tools:t2`).
  const translator = new ProtocolRunTranslator("r4", 0);
  const task = (id: string, name: string) => ({ type: "task", step: 1, timestamp: "", payload: { id, name, input: { messages: [] }, triggers: [] } });
  const result = (id: string, name: string) => ({ type: "task_result", step: 1, timestamp: "", payload: { id, name, error: null, result: {}, interrupts: [] } });
  const log: Array<[string, unknown]> = [
    ["metadata", {}],
    ["debug", task("t2", "tools")],
    ["tools", { event: "on_tool_start", toolCallId: "call_9", name: "research", input: { q: "x" } }],
    ["values|tools:t2", { messages: [] }],
    ["debug|tools:t2", task("t3", "agent")],
    ["updates|tools:t2", { agent: { messages: [] } }],
    ["debug|tools:t2", result("t3", "agent")],
    ["tools", { event: "on_tool_end", toolCallId: "call_9", name: "research", output: "found" }],
    ["updates", { tools: { messages: [] } }],
    ["debug", result("t2", "tools")],
    ["values", { messages: [] }],
  ];
  const events = [...log.flatMap(([name, data]) => translator.translate(name, data)), ...translator.finish({ status: "success" })];
  assert.deepEqual(
    events.map((event) => [event.method, event.params.namespace.join("/"), event.method === "lifecycle" ? event.params.data : ((event.params.data as { event?: string }).event ?? "")]),
    [
      ["lifecycle", "", { event: "running", graph_name: "root" }],
      ["tasks", "", ""],
      ["tools", "", "tool-started"],
      ["lifecycle", "tools:t2", { event: "started", graph_name: "tools", cause: { type: "toolCall", tool_call_id: "call_9" } }],
      ["values", "tools:t2", ""],
      ["tasks", "tools:t2", ""],
      ["updates", "tools:t2", ""],
      ["tasks", "tools:t2", ""],
      ["tools", "", "tool-finished"],
      ["updates", "", ""],
      ["tasks", "", ""],
      ["lifecycle", "tools:t2", { event: "completed", graph_name: "tools" }],
      ["values", "", ""],
      ["lifecycle", "", { event: "completed", graph_name: "root" }],
    ],
  );
});

it("filters by channel, namespace prefix (a bare node name matches its tasks), depth and since", () => {
  const event = (method: string, namespace: string[], seq: number) => ({ type: "event" as const, event_id: String(seq), seq, method, params: { namespace, timestamp: 0, data: {} } });
  assert.equal(matchesFilter(event("messages", ["agent:t1"], 5), { channels: ["messages"], namespaces: [[]], depth: 1 }), true);
  assert.equal(matchesFilter(event("messages", ["agent:t1", "inner:t2"], 5), { channels: ["messages"], namespaces: [[]], depth: 1 }), false);
  assert.equal(matchesFilter(event("messages", ["agent:t1", "inner:t2"], 5), { channels: ["messages"], namespaces: [["agent"]] }), true);
  assert.equal(matchesFilter(event("values", [], 5), { channels: ["messages"] }), false);
  assert.equal(matchesFilter(event("input.requested", [], 5), { channels: ["input"] }), true);
  assert.equal(matchesFilter(event("values", [], 5), { channels: ["values"], since: 5 }), false);
  assert.equal(matchesFilter(event("values", [], 6), { channels: ["values"], since: 5 }), true);
});

it("RunStartSignal wakes the streams waiting on a thread at once, and only those", async () => {
  const runStarts = new RunStartSignal();
  const never = new AbortController();
  const woken: string[] = [];
  const first = runStarts.wait("t1", 600_000, never.signal).then(() => woken.push("t1"));
  const other = runStarts.wait("t2", 600_000, never.signal).then(() => woken.push("t2"));
  runStarts.notify("t1");
  await first;
  assert.deepEqual(woken, ["t1"], "the wait on t1 ended long before its 10 minutes; t2 still waits");
  const stop = new AbortController();
  const aborted = runStarts.wait("t3", 600_000, stop.signal);
  stop.abort();
  await aborted;
  runStarts.notify("t2");
  await other;
  assert.deepEqual(woken, ["t1", "t2"]);
});
