// The seed's second program in TypeScript: a provider used without a wrapper class, its tokens
// streamed through the node's writer in "custom" mode with the metadata to filter them.
// Run: npm run example:custom
import { pathToFileURL } from "node:url";
import { START, StateGraph, type NodeConfig } from "weft";

type State = { topic: string; joke: string; poem: string };
type TokenChunk = { role: string; content: string };

// Stands in for a raw provider stream (the seed uses the OpenAI SDK's `chat.completions.create({ stream: true })`):
// an async generator of deltas, the first carrying the role.
const scripted: Record<string, string[]> = {
  joke: ["Why ", "do ", "cats ", "love ", "boxes? ", "Thinking ", "outside ", "them ", "is ", "overrated."],
  poem: ["Whiskers ", "twitch ", "in ", "dreams, ", "moonlight ", "on ", "a ", "sleeping ", "cat."],
};

export async function* streamTokens(modelName: string, messages: Array<{ role: string; content: string }>): AsyncGenerator<TokenChunk> {
  const kind = messages[0]!.content.includes("poem") ? "poem" : "joke";
  let role: string | undefined;
  for (const [index, content] of scripted[kind]!.entries()) {
    const delta = { role: index === 0 ? "assistant" : undefined, content };
    if (delta.role !== undefined) role = delta.role;
    if (delta.content) yield { role: role!, content: delta.content };
  }
  void modelName;
}

const modelName = "gpt-4o-mini";

async function callModel(state: State, config: NodeConfig) {
  const topic = state.topic;
  let joke = "";
  let poem = "";

  console.log("Writing joke...");
  for await (const messageChunk of streamTokens(modelName, [{ role: "user", content: `Write a joke about ${topic}` }])) {
    joke += messageChunk.content;
    const metadata = { ...config.metadata, tags: ["joke"] };
    config.writer([messageChunk, metadata]);
  }

  console.log("\n\nWriting poem...");
  for await (const messageChunk of streamTokens(modelName, [{ role: "user", content: `Write a short poem about ${topic}` }])) {
    poem += messageChunk.content;
    const metadata = { ...config.metadata, tags: ["poem"] };
    config.writer([messageChunk, metadata]);
  }
  return { joke, poem };
}

export const graph = new StateGraph<State>().addNode(callModel).addEdge(START, "callModel").compile();

async function main() {
  for await (const [message, metadata] of graph.stream({ topic: "cats" }, { streamMode: "custom" })) {
    // Keep only the poem.
    if (metadata.tags?.includes("poem")) process.stdout.write(message.content + "|");
  }
  process.stdout.write("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
