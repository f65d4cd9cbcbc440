// Streaming only observes: a thread's saved checkpoints are byte-for-byte the same whichever stream
// mode ran it (ids and timestamps aside), and the same as invoke()'s.
import assert from "node:assert/strict";
import { it } from "node:test";
import { END, HumanMessage, MemorySaver, START, StateGraph, jsonSerde, lastValue, reducer, type Message, type NodeConfig, type StreamMode } from "weft";
import { FakeChatModel } from "weft/testing";

type State = { messages: Message[]; topic: string; when: Date; summary: string };

function buildGraph() {
  const jokeModel = new FakeChatModel({ responses: [["Why ", "did ", "the ", "cat..."]], tags: ["joke"] });
  const poemModel = new FakeChatModel({ responses: [["Soft ", "paws ", "at ", "dawn."]], tags: ["poem"] });
  const checkpointer = new MemorySaver();
  const messages = reducer((all: Message[], more: Message[]) => [...all, ...more], () => []);
  const built = new StateGraph<State>({ messages, topic: lastValue<string>(), when: lastValue<Date>(), summary: lastValue<string>() })
    .addNode("joke", async (state: State, config: NodeConfig) => {
      config.writer({ progress: "joke" });
      return { messages: [await jokeModel.invoke(`joke about ${state.topic}`, config)] };
    })
    .addNode("poem", async (state: State, config: NodeConfig) => ({ summary: (await poemModel.invoke(`poem about ${state.topic}`, config)).content }))
    .addNode("finish", (state: State) => ({ when: new Date(Date.UTC(2025, 0, 1)), summary: `${state.summary} (${state.messages.length} messages)` }))
    .addEdge(START, "joke")
    .addEdge(START, "poem")
    .addEdge(["joke", "poem"], "finish")
    .addEdge("finish", END)
    .compile({ checkpointer });
  return { graph: built, checkpointer };
}

/** The thread's checkpoints and pending writes, oldest first, with ids and timestamps replaced by placeholders. */
async function savedThread(checkpointer: MemorySaver, threadId: string): Promise<string> {
  const tuples = [];
  for await (const tuple of checkpointer.list({ configurable: { thread_id: threadId } })) tuples.unshift(tuple);
  const text = tuples
    .map((tuple) => jsonSerde.stringify({ checkpoint: tuple.checkpoint, metadata: tuple.metadata, parent: tuple.parentConfig, writes: tuple.pendingWrites }))
    .join("\n");
  const ids = new Map<string, string>();
  return text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => {
      if (!ids.has(id)) ids.set(id, `id-${ids.size}`);
      return ids.get(id)!;
    })
    .replace(/"ts":"[^"]+"/g, '"ts":"T"');
}

it("checkpoints are the same for invoke() and every stream mode", async () => {
  const input = { topic: "cats", messages: [new HumanMessage("hi")] };
  const runs: Array<[string, (graph: ReturnType<typeof buildGraph>["graph"], config: object) => Promise<unknown>]> = [
    ["invoke", (graph, config) => graph.invoke(input, config)],
    ...(["values", "updates", "messages", "custom", "debug"] as StreamMode[]).map(
      (mode): [string, (graph: ReturnType<typeof buildGraph>["graph"], config: object) => Promise<unknown>] => [
        mode,
        async (graph, config) => {
          for await (const _chunk of graph.stream(input, { ...config, streamMode: mode })) void _chunk;
        },
      ],
    ),
    [
      "all modes, subgraphs",
      async (graph, config) => {
        for await (const _chunk of graph.stream(input, { ...config, streamMode: ["values", "updates", "messages", "custom", "debug"], subgraphs: true })) void _chunk;
      },
    ],
  ];
  const saved: Array<[string, string]> = [];
  for (const [name, run] of runs) {
    const { graph, checkpointer } = buildGraph();
    await run(graph, { configurable: { thread_id: "same" } });
    saved.push([name, await savedThread(checkpointer, "same")]);
  }
  const [, reference] = saved[0]!;
  assert.ok(reference.includes("Why did the cat..."), "the model's answer is in the saved state");
  assert.ok(reference.includes('"c":"AIMessage"'), "saved as an AIMessage");
  assert.equal(reference.split("\n").length, 3, "input, after joke+poem, after finish: one checkpoint per superstep");
  for (const [name, text] of saved) assert.equal(text, reference, `checkpoints of the "${name}" run differ from invoke()'s`);
});
