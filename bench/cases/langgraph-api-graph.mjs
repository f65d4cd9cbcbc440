// The graph the LangGraph.js API server anchor serves (bench/cases/server.mjs): one node, one model
// call streaming BENCH_TOKENS tokens the way ChatOpenAI reports them, counted in globalThis.benchProduced.
import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, AIMessageChunk, HumanMessage } from "@langchain/core/messages";
import { ChatGenerationChunk } from "@langchain/core/outputs";
import { Annotation, START, StateGraph } from "@langchain/langgraph";
import { makeTokens } from "../lib/harness.mjs";

// Read per call: one child may serve several cases (sizes) with this one module.
const tokenLists = new Map();
function currentTokens() {
  const count = Number(process.env.BENCH_TOKENS ?? 200);
  if (!tokenLists.has(count)) tokenLists.set(count, makeTokens(count));
  return tokenLists.get(count);
}
globalThis.benchProduced ??= 0;

class BenchChatModel extends BaseChatModel {
  _llmType() {
    return "bench";
  }

  async _generate() {
    const text = currentTokens().join("");
    return { generations: [{ text, message: new AIMessage(text) }] };
  }

  async *_streamResponseChunks(_messages, _options, runManager) {
    for (const token of currentTokens()) {
      const chunk = new ChatGenerationChunk({ text: token, message: new AIMessageChunk({ content: token }) });
      globalThis.benchProduced++;
      yield chunk;
      await runManager?.handleLLMNewToken(token, undefined, undefined, undefined, undefined, { chunk });
    }
  }
}

const model = new BenchChatModel({});
export const graph = new StateGraph(Annotation.Root({ topic: Annotation(), text: Annotation() }))
  .addNode("callModel", async (state, config) => {
    const answer = await model.invoke([new HumanMessage(`Write a story about ${state.topic}`)], config);
    return { text: answer.content };
  })
  .addEdge(START, "callModel")
  .compile();
