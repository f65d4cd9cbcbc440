// A thread that pauses for a human: a model drafts, interrupt() asks for approval, and the thread,
// saved in a SQLite file, resumes with the answer — even from another process.
// Run: npx tsx --conditions=source examples/human-in-the-loop.ts
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Command, INTERRUPT, START, StateGraph, interrupt, type NodeConfig } from "weft";
import { SqliteSaver } from "weft/checkpoint/sqlite";
import { FakeChatModel } from "weft/testing";

type State = { topic: string; draft: string; verdict: string };

export function buildGraph(checkpointer: SqliteSaver) {
  // Swap in `new ChatOpenAI({ model: "gpt-4o-mini" })` from "weft/openai" for a real model.
  const writer = new FakeChatModel({ responses: [["A ", "cat ", "naps ", "in ", "the ", "sun."]], tags: ["draft"] });
  return new StateGraph<State>()
    .addNode("write", async (state: State, config: NodeConfig) => ({ draft: (await writer.invoke(`Write about ${state.topic}`, config)).content }))
    .addNode("approve", (state: State) => {
      // Pauses the run; when resumed, returns the human's answer.
      const verdict = interrupt<string>({ question: "Publish this draft?", draft: state.draft });
      return { verdict };
    })
    .addEdge(START, "write")
    .addEdge("write", "approve")
    .compile({ checkpointer });
}

export async function main(log: (line: string) => void = console.log): Promise<State> {
  const directory = mkdtempSync(join(tmpdir(), "weft-hitl-"));
  const config = { configurable: { thread_id: "draft-1" } };
  try {
    const saver = SqliteSaver.fromPath(join(directory, "threads.db"));
    let graph = buildGraph(saver);
    for await (const update of graph.stream({ topic: "cats" }, { ...config, streamMode: "updates" })) {
      if (INTERRUPT in update) log(`paused: ${JSON.stringify((update as Record<string, Array<{ value: unknown }>>)[INTERRUPT]![0]!.value)}`);
      else log(`update: ${JSON.stringify(update)}`);
    }
    log(`next: ${(await graph.getState(config)).next.join(", ")}`);
    saver.close();

    // Later, perhaps in another process: open the same file and answer.
    const reopened = SqliteSaver.fromPath(join(directory, "threads.db"));
    graph = buildGraph(reopened);
    const final = (await graph.invoke(new Command({ resume: "yes" }), config)) as State;
    log(`final: ${JSON.stringify(final)}`);
    reopened.close();
    return final;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
