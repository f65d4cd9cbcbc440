// The rest of the LangGraph server API that UIs and the SDK call, with the official client in both
// versions users run (1.x and 2.x): thread search filters, state updates as a node, runs forked
// from a checkpoint, strict_resume, runs/wait, joining a thread's run, Last-Event-ID -1, and the
// assistant's graph and schemas.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Client as ClientV1 } from "@langchain/langgraph-sdk";
import { Client as ClientV2 } from "@langchain/langgraph-sdk-v2";
import { END, MemorySaver, START, StateGraph, interrupt, lastValue, reducer } from "weft";
import { createReactAgent } from "weft/prebuilt";
import { type RunningServer, createHandler, serve } from "weft/server";
import { FakeChatModel } from "weft/testing";

type State = { log: string[]; answer: string };
const schema = () => ({ log: reducer((all: string[], more: string[]) => [...all, ...more], () => []), answer: lastValue<string>() });
type Part = { event: string; data: any; id?: string };

for (const [version, Client] of [
  ["1.x", ClientV1],
  ["2.x", ClientV2],
] as const) {
  describe(`the LangGraph API for UIs, with SDK ${version}`, () => {
    let server: RunningServer;
    let client: ClientV1;
    let openGate!: () => void;
    let gateEntered!: () => void;
    let entered: Promise<void>;

    before(async () => {
      const counter = new StateGraph<State>(schema())
        .addNode("note", () => ({ log: ["ran"] }))
        .addNode("review", () => ({ answer: "reviewed" }))
        .addEdge(START, "note")
        .addConditionalEdges("note", (state: State) => (state.answer === "skip" ? END : "review"), { review: "review", [END]: END })
        .addEdge("review", END)
        .compile();
      const approval = new StateGraph<State>(schema())
        .addNode("ask", () => {
          const answer = interrupt<string>({ question: "Publish?" });
          return { answer, log: [`answered ${answer}`] };
        })
        .addEdge(START, "ask")
        .addEdge("ask", END)
        .compile();
      const gated = new StateGraph<State>(schema())
        .addNode("wait", async () => {
          gateEntered();
          await new Promise<void>((resolve) => (openGate = resolve));
          return { log: ["released"] };
        })
        .addEdge(START, "wait")
        .compile();
      const broken = new StateGraph<State>(schema())
        .addNode("fail", () => {
          throw new Error("the node broke");
        })
        .addEdge(START, "fail")
        .compile();
      const llm = new FakeChatModel({ responses: [{ content: ["Hi ", "there."] }] });
      const agent = createReactAgent({ llm, tools: [], name: "agent" });
      server = await serve(createHandler({ graphs: { counter, approval, gated, agent, broken }, checkpointer: new MemorySaver(), heartbeatMs: 0 }), { port: 0 });
      client = new Client({ apiUrl: server.url, callerOptions: { maxRetries: 0 } }) as unknown as ClientV1;
    });
    after(() => server.close());

    const drain = async (threadId: string | null, assistantId: string, payload: Record<string, unknown>) => {
      const parts: Part[] = [];
      for await (const part of client.runs.stream(threadId as string, assistantId, payload)) parts.push(part as Part);
      return parts;
    };

    it("POST /threads/search filters by metadata, status, values and ids, sorts, pages and selects", async () => {
      const tag = `search-${version}`;
      const made: string[] = [];
      for (const name of ["b", "a", "c"]) {
        const thread = await client.threads.create({ metadata: { tag, name } });
        made.push(thread.thread_id);
        await client.runs.wait(thread.thread_id, "counter", { input: { log: [name], answer: name === "c" ? "skip" : "" } });
      }
      const byName = async (query: Record<string, unknown>) =>
        (await client.threads.search({ metadata: { tag }, ...query })).map((thread) => (thread.metadata as { name: string }).name);
      assert.deepEqual(await byName({ sortBy: "created_at", sortOrder: "asc" }), ["b", "a", "c"]);
      assert.deepEqual(await byName({ sortBy: "created_at", sortOrder: "desc", limit: 2, offset: 1 }), ["a", "b"]);
      assert.deepEqual(await byName({ values: { answer: "skip" } }), ["c"]);
      assert.deepEqual(await byName({ values: { log: ["a", "ran"] } }), ["a"]);
      assert.deepEqual(await byName({ ids: [made[0]!, made[2]!], sortBy: "created_at", sortOrder: "asc" }), ["b", "c"]);
      assert.deepEqual(await byName({ status: "busy" }), []);
      const selected = await client.threads.search({ metadata: { tag, name: "a" }, select: ["thread_id", "status"] });
      assert.deepEqual(selected, [{ thread_id: made[1], status: "idle" }]);
      const response = await fetch(`${server.url}/threads/search`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ sort_by: "color" }) });
      assert.equal(response.status, 422);
      assert.equal(((await response.json()) as { field: string }).field, "sort_by");

      // The status filter finds each kind of thread: one paused at an interrupt, one whose run failed.
      const paused = await client.threads.create({ metadata: { tag, name: "d" } });
      await client.runs.wait(paused.thread_id, "approval", { input: { log: [], answer: "" } });
      const failed = await client.threads.create({ metadata: { tag, name: "e" } });
      const failedRun = await fetch(`${server.url}/threads/${failed.thread_id}/runs/wait`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ assistant_id: "broken", input: { log: [], answer: "" } }),
      });
      await failedRun.body?.cancel();
      assert.equal((await client.threads.get(failed.thread_id)).status, "error");
      const sorted = { sortBy: "created_at", sortOrder: "asc" };
      assert.deepEqual(await byName({ status: "idle", ...sorted }), ["b", "a", "c"]);
      assert.deepEqual(await byName({ status: "interrupted", ...sorted }), ["d"]);
      assert.deepEqual(await byName({ status: "error", ...sorted }), ["e"]);
      assert.deepEqual(await byName({ status: "busy", ...sorted }), []);
    });

    it("POST /threads/{id}/state updates the state as a node: its reducers apply and the next task is where it routes", async () => {
      const thread = await client.threads.create();
      await client.runs.wait(thread.thread_id, "counter", { input: { log: ["start"], answer: "skip" } });
      const updated = await client.threads.updateState(thread.thread_id, { values: { log: ["edited"], answer: "go" }, asNode: "note" });
      const state = await client.threads.getState<State>(thread.thread_id);
      assert.deepEqual(state.values, { log: ["start", "ran", "edited"], answer: "go" });
      assert.deepEqual(state.next, ["review"], "as_node note routes to review (answer is no longer skip)");
      assert.equal(state.checkpoint.checkpoint_id, updated.configurable?.checkpoint_id);
      assert.equal(state.checkpoint.checkpoint_id, (updated as unknown as { checkpoint: { checkpoint_id: string } }).checkpoint.checkpoint_id);
      assert.equal((state.metadata as { source: string }).source, "update");
      assert.equal((await client.threads.get(thread.thread_id)).status, "interrupted", "a thread with tasks left waits for a run");
      const continued = (await client.runs.wait(thread.thread_id, "counter", { input: null })) as State;
      assert.deepEqual(continued, { log: ["start", "ran", "edited"], answer: "reviewed" });
      const bad = await fetch(`${server.url}/threads/${thread.thread_id}/state`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ values: {}, as_node: "nowhere" }) });
      assert.equal(bad.status, 422);
      assert.equal(((await bad.json()) as { field: string }).field, "as_node");
    });

    it("a run with `checkpoint` forks from it: the new checkpoints branch there and the history shows both branches", async () => {
      const thread = await client.threads.create();
      await client.runs.wait(thread.thread_id, "counter", { input: { log: ["one"], answer: "skip" } });
      const afterFirst = (await client.threads.getState<State>(thread.thread_id)).checkpoint;
      await client.runs.wait(thread.thread_id, "counter", { input: { log: ["two"], answer: "skip" } });
      const secondHead = (await client.threads.getState<State>(thread.thread_id)).checkpoint;
      const forked = (await client.runs.wait(thread.thread_id, "counter", { input: { log: ["three"], answer: "skip" }, checkpoint: afterFirst })) as State;
      assert.deepEqual(forked.log, ["one", "ran", "three", "ran"], "the fork continues the state after run one, without run two");
      const history = await client.threads.getHistory<State>(thread.thread_id, { limit: 100 });
      const ids = history.map((state) => state.checkpoint.checkpoint_id);
      assert.ok(ids.includes(secondHead.checkpoint_id!), "run two's branch is still in the history");
      const forkStart = history.filter((state) => state.parent_checkpoint?.checkpoint_id === afterFirst.checkpoint_id);
      assert.equal(forkStart.length, 2, "two checkpoints have run one's last checkpoint as parent: one per branch");
      const older = await client.threads.getHistory<State>(thread.thread_id, { limit: 100, before: { configurable: { checkpoint_id: secondHead.checkpoint_id! } } });
      assert.deepEqual(
        older.map((state) => state.checkpoint.checkpoint_id),
        ids.slice(ids.indexOf(secondHead.checkpoint_id!) + 1),
        "before: the states older than that checkpoint, newest first",
      );
      const inputs = await client.threads.getHistory<State>(thread.thread_id, { limit: 2, metadata: { source: "input" } });
      assert.deepEqual(
        inputs.map((state) => state.values.log),
        [
          ["one", "ran", "three"],
          ["one", "ran", "two"],
        ],
        "metadata: the two newest input checkpoints",
      );
      const selected = await fetch(`${server.url}/threads/${thread.thread_id}/history`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ limit: 1, select: ["next", "values"] }),
      });
      assert.deepEqual(await selected.json(), [{ next: [], values: { log: ["one", "ran", "three", "ran"], answer: "skip" } }]);
      const byId = await client.runs.wait(thread.thread_id, "counter", { input: { log: ["four"], answer: "skip" }, checkpointId: afterFirst.checkpoint_id! });
      assert.deepEqual((byId as State).log, ["one", "ran", "four", "ran"]);
      const missing = await fetch(`${server.url}/threads/${thread.thread_id}/runs/wait`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ assistant_id: "counter", input: null, checkpoint_id: "no-such-checkpoint" }),
      });
      assert.equal(missing.status, 404);
      assert.equal(((await missing.json()) as { field: string }).field, "checkpoint_id");
    });

    it("strict_resume refuses a resume no interrupt waits for, and resumes one that waits", async () => {
      const thread = await client.threads.create();
      const refused = () =>
        fetch(`${server.url}/threads/${thread.thread_id}/runs/wait`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ assistant_id: "approval", command: { resume: { "not-an-interrupt": "yes", other: 1 } }, strict_resume: true }),
        });
      await client.runs.wait(thread.thread_id, "approval", { input: { log: [] } });
      const paused = await client.threads.getState<State>(thread.thread_id);
      const interruptId = paused.tasks[0]!.interrupts[0]!.id!;
      const mixed = await fetch(`${server.url}/threads/${thread.thread_id}/runs/wait`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ assistant_id: "approval", command: { resume: { [interruptId]: "yes", stale: "no" } }, strict_resume: true }),
      });
      assert.equal(mixed.status, 409);
      assert.match(((await mixed.json()) as { message: string }).message, /"stale" .* is not waiting/);
      const resumed = (await client.runs.wait(thread.thread_id, "approval", { command: { resume: { [interruptId]: "yes" } }, strictResume: true })) as State;
      assert.deepEqual(resumed, { log: ["answered yes"], answer: "yes" });
      const again = await refused();
      assert.equal(again.status, 409);
      assert.equal(((await again.json()) as { field: string }).field, "command.resume");
      assert.deepEqual((await client.threads.getState<State>(thread.thread_id)).values, { log: ["answered yes"], answer: "yes" }, "the refused resume left the thread as it was");
    });

    it("runs/wait answers the final values, stateless too, an interrupt's pause, and a failure as __error__", async () => {
      assert.deepEqual(await client.runs.wait(null, "counter", { input: { log: ["x"], answer: "skip" } }), { log: ["x", "ran"], answer: "skip" });
      const thread = await client.threads.create();
      const paused = (await client.runs.wait(thread.thread_id, "approval", { input: { log: [] } })) as Record<string, any>;
      assert.deepEqual(paused.__interrupt__.map((each: { value: unknown }) => each.value), [{ question: "Publish?" }]);
      // The SDK reads `__error__` and throws it as `<error>: <message>`.
      await assert.rejects(client.runs.wait(null, "broken", { input: { log: [] } }), { message: 'NODE_FAILED: Node "fail" failed: the node broke' });
      const raw = await fetch(`${server.url}/runs/wait`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ assistant_id: "broken", input: { log: [] } }) });
      assert.equal(raw.status, 200);
      assert.deepEqual(await raw.json(), { __error__: { error: "NODE_FAILED", message: 'Node "fail" failed: the node broke' } });
    });

    it("GET /threads/{id}/stream joins the thread's current run; Last-Event-ID -1 replays it from the first event", async () => {
      const thread = await client.threads.create();
      entered = new Promise<void>((resolve) => (gateEntered = resolve));
      const run = await client.runs.create(thread.thread_id, "gated", { input: { log: ["in"] }, streamMode: ["values", "updates"] });
      await entered;
      // Both readers hold their first event (so they joined while the run runs) before the run may finish.
      const read = async (stream: AsyncIterable<unknown>, parts: Part[], first: () => void) => {
        for await (const part of stream) {
          parts.push(part as Part);
          if (parts.length === 1) first();
        }
      };
      const joined: Part[] = [];
      const fromStart: Part[] = [];
      let firstJoined!: () => void;
      let firstReplayed!: () => void;
      const bothJoined = Promise.all([new Promise<void>((resolve) => (firstJoined = resolve)), new Promise<void>((resolve) => (firstReplayed = resolve))]);
      const reading = read(client.threads.joinStream(thread.thread_id, { lastEventId: "-1" }), joined, firstJoined);
      const replaying = read(client.runs.joinStream(thread.thread_id, run.run_id, { lastEventId: "-1" }), fromStart, firstReplayed);
      await bothJoined;
      openGate();
      await Promise.all([reading, replaying]);
      const shape = (parts: Part[]) => parts.map((part) => [part.event, part.event === "metadata" ? part.data.run_id : part.data]);
      const expected = [
        ["metadata", run.run_id],
        ["values", { log: ["in"] }],
        ["updates", { wait: { log: ["released"] } }],
        ["values", { log: ["in", "released"] }],
      ];
      assert.deepEqual(shape(joined), expected);
      assert.deepEqual(shape(fromStart), expected);
      const idle = await fetch(`${server.url}/threads/${thread.thread_id}/stream`);
      assert.equal(idle.status, 404, "a thread with no run in progress has nothing to join");
      await idle.body?.cancel();
    });

    it("values carry messages in LangChain's serialized shape", async () => {
      const final = (await client.runs.wait(null, "agent", { input: { messages: [{ type: "human", content: "Hello" }] } })) as { messages: any[] };
      assert.deepEqual(
        final.messages.map((message) => [message.type, message.content, typeof message.id, message.tool_calls ?? null]),
        [
          ["human", "Hello", "string", null],
          ["ai", "Hi there.", "string", []],
        ],
      );
    });

    it("GET /assistants/{id}/graph and /schemas describe the graph", async () => {
      const graph = await client.assistants.getGraph("counter");
      assert.deepEqual(
        graph.nodes.map((node) => node.id),
        ["__start__", "note", "review", "__end__"],
      );
      assert.deepEqual(
        graph.edges.map((edge) => [edge.source, edge.target, edge.conditional]),
        [
          ["__start__", "note", false],
          ["review", "__end__", false],
          ["note", "review", true],
          ["note", "__end__", true],
        ],
      );
      const schemas = await client.assistants.getSchemas("agent");
      assert.equal(schemas.graph_id, "agent");
      assert.deepEqual(Object.keys((schemas.state_schema as { properties: object }).properties), ["messages"]);
      assert.equal(((schemas.input_schema as { properties: { messages: { type: string } } }).properties.messages).type, "array");
    });
  });
}
