// The seed's joke/poem graph with real provider clients: the joke model from the AI SDK adapter, the
// poem model a LangChain ChatAnthropic called with unchanged LangGraph.js node code. Filtered by tag,
// the stream yields exactly each model's text.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ChatAnthropic } from "@langchain/anthropic";
import { START, StateGraph, type NodeConfig } from "weft";
import { fromAISDK } from "weft/ai-sdk";
import { startAnthropicServer } from "weft/testing";
import { JOKE, MODEL, POEM, anthropicProviders } from "./support/providers.js";

type State = { topic: string; joke: string; poem: string };

for (const provider of await anthropicProviders()) {
  describe(`the seed's graph: joke from fromAISDK(${provider.packageName}@${provider.version}), poem from LangChain's ChatAnthropic`, () => {
    it("filtered by tag, messages mode yields exactly each model's tokens, in order", async () => {
      const server = await startAnthropicServer({
        respond: (request) => ({ text: JSON.stringify(request.body.messages).includes("joke") ? JOKE : POEM }),
      });
      try {
        const jokeModel = fromAISDK(provider.createAnthropic({ baseURL: server.apiURL, apiKey: "sk-test" })(MODEL), { tags: ["joke"] });
        const poemModel = new ChatAnthropic({ model: MODEL, anthropicApiUrl: server.url, apiKey: "sk-test", tags: ["poem"] });

        // The seed's node, as LangGraph.js code writes it.
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
        assert.deepEqual([...providers], ["anthropic"]);
        assert.deepEqual(await graph.invoke({ topic: "cats", joke: "", poem: "" }), { topic: "cats", joke: JOKE.join(""), poem: POEM.join("") });
      } finally {
        await server.close();
      }
    });
  });
}
