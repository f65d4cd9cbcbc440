import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { START, StateGraph, WeftError, type NodeConfig } from "../../index.js";
import { CORPUS_DIRECTORY, loadCorpus } from "./corpus.js";
import { TinyChatModel } from "./tiny-chat-model.js";
import { tokenizeWords } from "./word-tokens.js";

const corpusTexts = new Set([...loadCorpus("joke"), ...loadCorpus("poem")].map((entry) => entry.tokens.join(" ")));

async function chunksOf(model: TinyChatModel, prompt: string, signal?: AbortSignal): Promise<string[]> {
  const chunks: string[] = [];
  for await (const chunk of model.stream(prompt, { signal })) if (chunk.content !== "") chunks.push(chunk.content);
  return chunks;
}

describe("TinyChatModel corpus", () => {
  it("ships at least 150 jokes and 150 poems, all different, from the package's corpus folder", () => {
    assert.equal(fileURLToPath(CORPUS_DIRECTORY), fileURLToPath(new URL("../../../corpus/", import.meta.url)));
    const jokes = loadCorpus("joke");
    const poems = loadCorpus("poem");
    assert.ok(jokes.length >= 150, `${jokes.length} jokes`);
    assert.ok(poems.length >= 150, `${poems.length} poems`);
    assert.equal(corpusTexts.size, jokes.length + poems.length, "no entry is written twice");
    assert.ok(jokes.every((joke) => !joke.text.includes("\n") && joke.tokens.length >= 8));
    assert.ok(poems.every((poem) => poem.text.split("\n").length >= 3));
  });
});

describe("TinyChatModel generation", () => {
  const prompts = ["Write a joke about cats", "Write a short poem about cats", "Write a joke about dark chocolate", "Write a short poem about the sea"];

  it("never returns a verbatim corpus entry", async () => {
    for (const prompt of prompts) {
      for (let seed = 0; seed < 40; seed++) {
        const answer = await new TinyChatModel({ seed }).invoke(prompt);
        assert.ok(!corpusTexts.has(tokenizeWords(answer.content).join(" ")), `seed ${seed}, ${prompt}: copied ${JSON.stringify(answer.content)}`);
      }
    }
  });

  it("is reproducible for one seed, token for token", async () => {
    for (const prompt of prompts) {
      const first = await chunksOf(new TinyChatModel({ seed: 11 }), prompt);
      const second = await chunksOf(new TinyChatModel({ seed: 11 }), prompt);
      assert.deepEqual(second, first);
      assert.ok(first.length > 5);
    }
  });

  it("differs across seeds", async () => {
    for (const prompt of prompts) {
      const texts = new Set<string>();
      for (let seed = 0; seed < 20; seed++) texts.add((await new TinyChatModel({ seed }).invoke(prompt)).content);
      assert.ok(texts.size >= 15, `${texts.size} different texts from 20 seeds for ${prompt}`);
    }
  });

  it("writes about the prompt's topic, also one it has never seen", async () => {
    for (const [prompt, word] of [["Write a joke about cats", /\bcats?\b/i], ["Write a short poem about dark chocolate", /\bdark chocolates?\b/i]] as const) {
      let mentioned = 0;
      for (let seed = 0; seed < 20; seed++) if (word.test((await new TinyChatModel({ seed }).invoke(prompt)).content)) mentioned++;
      assert.ok(mentioned >= 18, `${mentioned} of 20 texts mention the topic of ${JSON.stringify(prompt)}`);
    }
  });

  it("writes a one-line joke or a poem of several lines, as asked", async () => {
    for (let seed = 0; seed < 10; seed++) {
      const joke = (await new TinyChatModel({ seed }).invoke("Write a joke about dogs")).content;
      const poem = (await new TinyChatModel({ seed }).invoke("Write a short poem about dogs")).content;
      assert.ok(!joke.includes("\n"), joke);
      assert.ok(poem.split("\n").length >= 3 && poem.split("\n").length <= 4, poem);
    }
  });

  it("streams words with their spacing, so the chunks join into the text", async () => {
    const model = new TinyChatModel({ seed: 3 });
    const chunks = await chunksOf(model, "Write a joke about coffee");
    const answer = await model.invoke("Write a joke about coffee");
    assert.equal(chunks.join(""), answer.content);
    assert.match(chunks[0]!, /^\S+$/);
    assert.ok(chunks.slice(1).every((chunk) => /^( [\w'’-]+|[.,!?;:]|\n)$/.test(chunk)), JSON.stringify(chunks));
    assert.equal(answer.usage?.outputTokens, chunks.length);
    assert.equal(answer.usage?.inputTokens, 5);
  });

  it("stops at maxTokens", async () => {
    const answer = await new TinyChatModel({ seed: 1, maxTokens: 4 }).invoke("Write a short poem about rain");
    assert.equal(tokenizeWords(answer.content).length, 4);
    assert.equal(answer.responseMetadata.finishReason, "length");
  });

  it("keeps to its pace in tokens per second", async () => {
    const model = new TinyChatModel({ seed: 5, tokensPerSecond: 200, maxTokens: 12 });
    const started = performance.now();
    const chunks = await chunksOf(model, "Write a joke about bread");
    const elapsed = performance.now() - started;
    assert.equal(chunks.length, 12);
    assert.ok(elapsed >= 11 * 5, `12 tokens at 200/s took ${elapsed.toFixed(1)} ms, less than 55 ms`);
  });

  it("stops streaming when aborted", async () => {
    const controller = new AbortController();
    const received: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const chunk of new TinyChatModel({ seed: 2, tokensPerSecond: 1000 }).stream("Write a poem about snow", { signal: controller.signal })) {
          received.push(chunk.content);
          if (received.length === 3) controller.abort();
        }
      })(),
      (error: unknown) => WeftError.isInstance(error) && error.code === "ABORTED" && error.details.partialText === received.join(""),
    );
    assert.equal(received.length, 3);
  });

  it("streams in messages mode inside a graph with weft-tiny metadata", async () => {
    const model = new TinyChatModel({ seed: 9, tags: ["joke"] });
    const graph = new StateGraph<{ topic: string; joke: string }>()
      .addNode("write", async (state: { topic: string }, config: NodeConfig) => ({ joke: (await model.invoke(`Write a joke about ${state.topic}`, config)).content }))
      .addEdge(START, "write")
      .compile();
    const tokens: string[] = [];
    for await (const [message, metadata] of graph.stream({ topic: "owls", joke: "" }, { streamMode: "messages" })) {
      assert.equal(metadata.ls_provider, "weft-tiny");
      assert.equal(metadata.ls_model_name, "weft-tiny-trigram");
      assert.equal(metadata.ls_temperature, 0.8);
      assert.deepEqual(metadata.tags, ["joke"]);
      tokens.push(message.text);
    }
    assert.equal(tokens.join(""), (await new TinyChatModel({ seed: 9 }).invoke("Write a joke about owls")).content);
  });

  it("rejects bad options with what to pass", () => {
    for (const [name, value] of [["seed", -1], ["seed", 1.5], ["temperature", -0.1], ["maxTokens", 0], ["tokensPerSecond", Number.NaN]] as const) {
      assert.throws(
        () => new TinyChatModel({ [name]: value }),
        (error: unknown) => WeftError.isInstance(error) && error.code === "INVALID_OPTIONS" && error.message.includes(`\`${name}\``),
      );
    }
  });
});
