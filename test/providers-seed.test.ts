// The seed's joke/poem graph with real provider clients: the joke model from the AI SDK adapter, the
// poem model a LangChain chat model called with unchanged LangGraph.js node code, over Anthropic's wire
// format and over OpenAI's (chat completions). Filtered by tag, the stream yields exactly each model's text.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createOpenAI } from "@ai-sdk/openai";
import { ChatAnthropic } from "@langchain/anthropic";
import { ChatOpenAI } from "@langchain/openai";
import type { BaseChatModel as LangChainChatModel } from "@langchain/core/language_models/chat_models";
import { type BaseChatModel, START, StateGraph, type NodeConfig } from "weft";
import { fromAISDK } from "weft/ai-sdk";
import { startAnthropicServer, startOpenAICompatibleServer } from "weft/testing";
import { JOKE, MODEL, POEM, anthropicProviders } from "./support/providers.js";

type State = { topic: string; joke: string; poem: string };

/**
 * The seed's node, as LangGraph.js code writes it, over these two models: filtered by tag, messages mode
 * yields exactly each model's tokens, all from `provider`; returns the graph.
 */
async function assertSeedStreams(jokeModel: BaseChatModel, poemModel: LangChainChatModel, provider: string) {
  async function callModel(state: State, config: NodeConfig) {
    const topic = state.topic;
    const jokeResponse = await jokeModel.invoke([{ role: "user", content: `Write a joke about ${topic}` }], config);
    const poemResponse = await poemModel.invoke([{ role: "user", content: `Write a short poem about ${topic}` }], config);
    return { joke: jokeResponse.content, poem: poemResponse.text };
  }
  const graph = new StateGraph<State>().addNode(callModel).addEdge(START, "callModel").compile();

  const byTag: Record<string, string[]> = { joke: [], poem: [] };
  const providers = new Set<unknown>();
  for await (const [message, metadata] of graph.stream({ topic: "cats", joke: "", poem: "" }, { streamMode: "messages" })) {
    assert.equal(metadata.langgraph_node, "callModel");
    providers.add(metadata.ls_provider);
    for (const tag of ["joke", "poem"]) if (typeof message.content === "string" && message.content && metadata.tags.includes(tag)) byTag[tag]!.push(message.content);
  }
  assert.deepEqual(byTag, { joke: JOKE, poem: POEM });
  assert.deepEqual([...providers], [provider]);
  return graph;
}

for (const provider of await anthropicProviders()) {
  describe(`the seed's graph: joke from fromAISDK(${provider.packageName}@${provider.version}), poem from LangChain's ChatAnthropic`, () => {
    it("filtered by tag, messages mode yields exactly each model's tokens, in order", async () => {
      const server = await startAnthropicServer({
        respond: (request) => ({ text: JSON.stringify(request.body.messages).includes("joke") ? JOKE : POEM }),
      });
      try {
        const jokeModel = fromAISDK(provider.createAnthropic({ baseURL: server.apiURL, apiKey: "sk-test" })(MODEL), { tags: ["joke"] });
        const poemModel = new ChatAnthropic({ model: MODEL, anthropicApiUrl: server.url, apiKey: "sk-test", tags: ["poem"] });

        const graph = await assertSeedStreams(jokeModel, poemModel, "anthropic");
        assert.deepEqual(await graph.invoke({ topic: "cats", joke: "", poem: "" }), { topic: "cats", joke: JOKE.join(""), poem: POEM.join("") });
      } finally {
        await server.close();
      }
    });
  });
}

describe("the seed's graph over OpenAI's wire format: joke from fromAISDK(@ai-sdk/openai's openai.chat), poem from LangChain's ChatOpenAI", () => {
  it("filtered by tag, messages mode yields exactly each model's tokens, both with ls_provider openai", async () => {
    const server = await startOpenAICompatibleServer({
      respond: (request) => ({ text: JSON.stringify(request.body.messages).includes("joke") ? JOKE : POEM }),
    });
    try {
      const jokeModel = fromAISDK(createOpenAI({ baseURL: server.url, apiKey: "sk-test" }).chat("gpt-4o-mini"), { tags: ["joke"] });
      const poemModel = new ChatOpenAI({ model: "gpt-4o-mini", apiKey: "sk-test", configuration: { baseURL: server.url }, tags: ["poem"] });

      await assertSeedStreams(jokeModel, poemModel, "openai");
    } finally {
      await server.close();
    }
  });
});
