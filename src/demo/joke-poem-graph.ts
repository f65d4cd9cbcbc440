// The seed's graph: one node that asks a "joke" model and then a "poem" model about a topic.
// Used by the CLI demo, the server's default assistant and the examples.
import type { CompileOptions } from "../graph/compiled-graph.js";
import { START } from "../core/constants.js";
import { StateGraph } from "../graph/state-graph.js";
import type { BaseChatModel } from "../models/chat-model.js";
import type { NodeConfig } from "../runtime/config.js";

export type JokePoemState = { topic: string; joke: string; poem: string };

export interface JokePoemGraphOptions extends CompileOptions {
  /** The model that writes the joke; tag it "joke" to filter its tokens. */
  jokeModel: BaseChatModel;
  /** The model that writes the poem; tag it "poem". */
  poemModel: BaseChatModel;
  /** Called before each model call ("Writing joke...", "Writing poem..."). */
  onProgress?: (message: string) => void;
}

export function jokePrompt(topic: string): string {
  return `Write a joke about ${topic}`;
}

export function poemPrompt(topic: string): string {
  return `Write a short poem about ${topic}`;
}

/** The seed's joke/poem graph, streaming both models' tokens in `messages` mode. */
export function createJokePoemGraph(options: JokePoemGraphOptions) {
  const { jokeModel, poemModel, onProgress } = options;
  async function callModel(state: JokePoemState, config: NodeConfig) {
    onProgress?.("Writing joke...");
    const joke = await jokeModel.invoke([{ role: "user", content: jokePrompt(state.topic) }], config);
    onProgress?.("Writing poem...");
    const poem = await poemModel.invoke([{ role: "user", content: poemPrompt(state.topic) }], config);
    return { joke: joke.content, poem: poem.content };
  }
  return new StateGraph<JokePoemState>().addNode(callModel).addEdge(START, "callModel").compile(options);
}
