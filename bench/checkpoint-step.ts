// Cost of persistence per superstep: a 20-node chain run many times without a checkpointer, with
// MemorySaver, and with SqliteSaver (a file in a temp dir). Prints microseconds per superstep.
//   node --conditions=source --import tsx bench/checkpoint-step.ts
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { END, MemorySaver, START, StateGraph, type Checkpointer } from "weft";
import { SqliteSaver } from "weft/checkpoint/sqlite";

const NODES = 20;

function chain(checkpointer?: Checkpointer) {
  let builder = new StateGraph<{ n: number; log: string }>();
  for (let index = 0; index < NODES; index++) builder = builder.addNode(`n${index}`, (state: { n: number }) => ({ n: state.n + 1 }));
  builder = builder.addEdge(START, "n0");
  for (let index = 0; index < NODES - 1; index++) builder = builder.addEdge(`n${index}`, `n${index + 1}`);
  return builder.addEdge(`n${NODES - 1}`, END).compile({ checkpointer });
}

async function measure(name: string, checkpointer: Checkpointer | undefined, runs: number): Promise<void> {
  const graph = chain(checkpointer);
  const options = (index: number) => ({ recursionLimit: NODES + 5, configurable: { thread_id: `thread-${index}` } });
  for (let index = 0; index < Math.min(100, runs); index++) await graph.invoke({ n: 0, log: "warm" }, options(-index - 1));
  const started = performance.now();
  for (let index = 0; index < runs; index++) await graph.invoke({ n: 0, log: "x".repeat(200) }, options(index));
  const elapsed = performance.now() - started;
  console.log(`${name.padEnd(16)} ${((elapsed * 1000) / (runs * NODES)).toFixed(1).padStart(7)} µs per superstep`);
}

const directory = mkdtempSync(join(tmpdir(), "weft-bench-"));
const sqlite = SqliteSaver.fromPath(join(directory, "bench.db"));
try {
  await measure("no checkpointer", undefined, 3000);
  await measure("MemorySaver", new MemorySaver(), 300);
  await measure("SqliteSaver", sqlite, 100);
} finally {
  sqlite.close();
  rmSync(directory, { recursive: true, force: true });
}
