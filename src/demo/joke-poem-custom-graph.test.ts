import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createJokePoemCustomGraph, type TokenChunk } from "./joke-poem-custom-graph.js";

describe("createJokePoemCustomGraph", () => {
  it("sends each raw token through the writer with the node's metadata and its tag, as the seed does", async () => {
    const prompts: string[] = [];
    async function* streamTokens(messages: Array<{ content: string }>): AsyncGenerator<TokenChunk> {
      prompts.push(messages[0]!.content);
      const words = messages[0]!.content.includes("poem") ? ["Soft ", "paws."] : ["Why ", "cats?"];
      for (const content of words) yield { role: "assistant", content };
    }
    const progress: string[] = [];
    const graph = createJokePoemCustomGraph({ streamTokens, onProgress: (message) => progress.push(message) });
    const seen: Array<[TokenChunk, Record<string, unknown>]> = [];
    for await (const chunk of graph.stream({ topic: "cats", joke: "", poem: "" }, { streamMode: "custom", metadata: { user: "u1" } })) {
      seen.push(chunk as [TokenChunk, Record<string, unknown>]);
    }
    assert.deepEqual(
      seen.map(([token, metadata]) => [token.content, metadata.tags, metadata.user, metadata.langgraph_node]),
      [
        ["Why ", ["joke"], "u1", "callModel"],
        ["cats?", ["joke"], "u1", "callModel"],
        ["Soft ", ["poem"], "u1", "callModel"],
        ["paws.", ["poem"], "u1", "callModel"],
      ],
    );
    assert.deepEqual(prompts, ["Write a joke about cats", "Write a short poem about cats"]);
    assert.deepEqual(progress, ["Writing joke...", "Writing poem..."]);
    assert.deepEqual(await graph.invoke({ topic: "cats", joke: "", poem: "" }), { topic: "cats", joke: "Why cats?", poem: "Soft paws." });
  });
});
