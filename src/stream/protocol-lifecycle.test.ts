import assert from "node:assert/strict";
import { it } from "node:test";
import type { PendingEvent } from "./protocol-events.js";
import { NamespaceLifecycles } from "./protocol-lifecycle.js";

const taskStart = (namespace: string[], id: string, name: string, input: unknown = { messages: [] }): PendingEvent => ({ method: "tasks", namespace, data: { id, name, input, triggers: [] } });
const taskResult = (namespace: string[], id: string, name: string, extra: Record<string, unknown> = {}): PendingEvent => ({
  method: "tasks",
  namespace,
  data: { id, name, error: null, result: {}, interrupts: [], ...extra },
});
const tool = (event: string, callId: string): PendingEvent => ({ method: "tools", namespace: [], data: { event, tool_call_id: callId } });
const values = (namespace: string[]): PendingEvent => ({ method: "values", namespace, data: {} });

/** The lifecycle data each event brings, before and after it. */
function run(events: PendingEvent[]): Array<[string, unknown]> {
  const lifecycles = new NamespaceLifecycles();
  const changes: Array<[string, unknown]> = [];
  for (const event of events) {
    for (const change of [...lifecycles.before(event), ...lifecycles.after(event)]) changes.push([change.namespace.join("/"), change.data]);
  }
  return changes;
}

it("names the tool call a task runs as the cause of the namespace it opens meanwhile (a sub-agent), and no other", () => {
  assert.deepEqual(run([taskStart([], "t1", "tools"), tool("tool-started", "call_1"), values(["tools:t1"]), values(["tools:t1", "agent:t2"])]), [
    ["tools:t1", { event: "started", graph_name: "tools", cause: { type: "toolCall", tool_call_id: "call_1" } }],
    ["tools:t1/agent:t2", { event: "started", graph_name: "agent" }],
  ]);
  // A plain tool's answer opens the task's namespace after the call finished: no cause.
  assert.deepEqual(run([taskStart([], "t1", "tools"), tool("tool-started", "call_1"), tool("tool-finished", "call_1"), values(["tools:t1"])]), [["tools:t1", { event: "started", graph_name: "tools" }]]);
  // Two calls running in one task share its namespace: which one spawned it is not known.
  assert.deepEqual(run([taskStart([], "t1", "tools"), tool("tool-started", "call_1"), tool("tool-started", "call_2"), values(["tools:t1"])]), [["tools:t1", { event: "started", graph_name: "tools" }]]);
  // A subgraph node runs no tool call.
  assert.deepEqual(run([taskStart([], "t1", "child"), values(["child:t1"])]), [["child:t1", { event: "started", graph_name: "child" }]]);
});

it("ties a tool call to the task it was sent to (LangGraph's input shapes) when several tasks run", () => {
  const events = [
    taskStart([], "t1", "tools", { __type: "tool_call_with_context", tool_call: { id: "call_1", name: "research", args: {} }, state: {} }),
    taskStart([], "t2", "tools", [{ id: "call_2", name: "research", args: {} }]),
    tool("tool-started", "call_1"),
    tool("tool-started", "call_2"),
    values(["tools:t2"]),
    values(["tools:t1"]),
  ];
  assert.deepEqual(run(events), [
    ["tools:t2", { event: "started", graph_name: "tools", cause: { type: "toolCall", tool_call_id: "call_2" } }],
    ["tools:t1", { event: "started", graph_name: "tools", cause: { type: "toolCall", tool_call_id: "call_1" } }],
  ]);
  // Without a sent call, a tool call among several running tasks is nobody's.
  assert.deepEqual(run([taskStart([], "t1", "a"), taskStart([], "t2", "b"), tool("tool-started", "call_1"), values(["a:t1"])]), [["a:t1", { event: "started", graph_name: "a" }]]);
});

it("ends the namespaces below a task when its result comes: completed, failed or interrupted", () => {
  const opened = [taskStart([], "t1", "a"), values(["a:t1"]), values(["a:t1", "inner:t9"])];
  assert.deepEqual(run([...opened, taskResult([], "t1", "a")]).slice(2), [
    ["a:t1", { event: "completed", graph_name: "a" }],
    ["a:t1/inner:t9", { event: "completed", graph_name: "inner" }],
  ]);
  assert.deepEqual(run([...opened, taskResult([], "t1", "a", { error: { message: "boom" } })]).slice(2).map(([, data]) => (data as { event: string }).event), ["failed", "failed"]);
  assert.deepEqual(run([...opened, taskResult([], "t1", "a", { interrupts: [{ id: "i1" }] })]).slice(2).map(([, data]) => (data as { event: string }).event), ["interrupted", "interrupted"]);
  const lifecycles = new NamespaceLifecycles();
  for (const event of opened) lifecycles.before(event);
  assert.deepEqual(
    lifecycles.end("failed", "boom").map((change) => [change.namespace.join("/"), change.data]),
    [
      ["a:t1", { event: "failed", graph_name: "a" }],
      ["a:t1/inner:t9", { event: "failed", graph_name: "inner" }],
      ["", { event: "failed", graph_name: "root", error: "boom" }],
    ],
  );
});
