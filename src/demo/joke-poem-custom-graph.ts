// The seed's "without LangChain" variant of the joke/poem graph: the node reads a provider's raw
// token stream itself and sends each token through the `custom` stream mode with its own tags.
import type { CompileOptions } from "../graph/compiled-graph.js";
import { START } from "../core/constants.js";
import { StateGraph } from "../graph/state-graph.js";
import type { NodeConfig } from "../runtime/config.js";
import { type JokePoemState, jokePrompt, poemPrompt } from "./joke-poem-graph.js";

/** One streamed token, as the seed's `stream_tokens` yields it. */
export interface TokenChunk {
  role: string;
  content: string;
}

/** A provider's token stream for one request, e.g. `streamOpenAITokens` from `weft/openai` bound to a client. */
export type TokenStreamer = (messages: Array<{ role: "user"; content: string }>, signal: AbortSignal) => AsyncIterable<TokenChunk>;

export interface JokePoemCustomGraphOptions extends CompileOptions {
  /** Streams the tokens of one answer (used for both the joke and the poem). */
  streamTokens: TokenStreamer;
  /** Called before each model call ("Writing joke...", "Writing poem..."). */
  onProgress?: (message: string) => void;
}

/**
 * The joke/poem graph without chat-model classes: stream it with `streamMode: "custom"`; each
 * chunk is `[{ role, content }, { ...metadata, tags: ["joke"] | ["poem"] }]`.
 *
 * @example
 * const graph = createJokePoemCustomGraph({
 *   streamTokens: (messages, signal) => streamOpenAITokens(client, "gpt-4o-mini", messages, signal),
 * });
 * for await (const [token, metadata] of graph.stream({ topic: "cats" }, { streamMode: "custom" })) {
 *   if (metadata.tags.includes("poem")) process.stdout.write(token.content);
 * }
 */
export function createJokePoemCustomGraph(options: JokePoemCustomGraphOptions) {
  const { streamTokens, onProgress } = options;
  async function streamAnswer(prompt: string, tag: "joke" | "poem", config: NodeConfig): Promise<string> {
    let text = "";
    for await (const token of streamTokens([{ role: "user", content: prompt }], config.signal)) {
      text += token.content;
      config.writer([token, { ...config.metadata, tags: [tag] }]);
    }
    return text;
  }
  async function callModel(state: JokePoemState, config: NodeConfig) {
    onProgress?.("Writing joke...");
    const joke = await streamAnswer(jokePrompt(state.topic), "joke", config);
    onProgress?.("Writing poem...");
    const poem = await streamAnswer(poemPrompt(state.topic), "poem", config);
    return { joke, poem };
  }
  return new StateGraph<JokePoemState>().addNode(callModel).addEdge(START, "callModel").compile(options);
}
