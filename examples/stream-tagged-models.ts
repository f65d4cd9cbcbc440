// The seed's first program in TypeScript: two tagged models called inside one node, streamed in
// "messages" mode and filtered by tag. Run: npm run example:joke
import { pathToFileURL } from "node:url";
import { START, StateGraph, type NodeConfig } from "weft";
import { FakeChatModel } from "weft/testing";

// Two models with tags for filtering outputs. Swap in `new ChatOpenAI({ model: "gpt-4o-mini", tags: ["joke"] })`
// from "weft/openai" for a real model; nothing else changes.
export const jokeModel = new FakeChatModel({
  responses: [["Why ", "did ", "the ", "cat ", "sit ", "on ", "the ", "computer? ", "To ", "keep ", "an ", "eye ", "on ", "the ", "mouse!"]],
  tags: ["joke"],
  model: "gpt-4o-mini",
});
export const poemModel = new FakeChatModel({
  responses: [["Soft ", "paws ", "at ", "dawn, ", "a ", "purr ", "like ", "rain; ", "the ", "cat ", "returns ", "to ", "sleep ", "again."]],
  tags: ["poem"],
  model: "gpt-4o-mini",
});

type State = { topic: string; joke: string; poem: string };

// `config` may be passed explicitly (works everywhere) or left out (found through AsyncLocalStorage on Node).
async function callModel(state: State, config: NodeConfig) {
  const topic = state.topic;
  console.log("Writing joke...");
  const jokeResponse = await jokeModel.invoke([{ role: "user", content: `Write a joke about ${topic}` }], config);
  console.log("\n\nWriting poem...");
  const poemResponse = await poemModel.invoke([{ role: "user", content: `Write a short poem about ${topic}` }], config);
  return { joke: jokeResponse.content, poem: poemResponse.content };
}

export const graph = new StateGraph<State>().addNode(callModel).addEdge(START, "callModel").compile();

async function main() {
  for await (const [message, metadata] of graph.stream({ topic: "cats" }, { streamMode: "messages" })) {
    // Keep only the joke: filter on the model's tag.
    if (message.content && metadata.tags.includes("joke")) process.stdout.write(message.content + "|");
  }
  process.stdout.write("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
