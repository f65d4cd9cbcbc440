// ChatLlamaCpp against a real GGUF model (stories260K, a 260K-parameter Llama) run by llama.cpp.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { START, StateGraph, WeftError, type NodeConfig } from "weft";
import { ChatLlamaCpp } from "weft/llama-cpp";
import { requireTestGguf } from "./support/test-gguf.js";

const PROMPT = "Once upon a time";
const GREEDY_START = "Once upon a time, there was a little girl named Lily";

describe("ChatLlamaCpp with stories260K", () => {
  it("continues a prompt greedily like the reference output (content excludes the prompt)", async () => {
    const model = new ChatLlamaCpp({ modelPath: requireTestGguf(), temperature: 0, maxTokens: 40 });
    const answer = await model.invoke(PROMPT);
    assert.ok(!answer.content.startsWith(PROMPT), "the answer does not repeat the prompt");
    assert.ok((PROMPT + answer.content).startsWith(GREEDY_START), `got ${JSON.stringify(PROMPT + answer.content)}`);
    assert.equal(answer.responseMetadata.provider, "llama-cpp");
    assert.equal(answer.responseMetadata.model, "stories260K.gguf");
    assert.equal(answer.responseMetadata.finishReason, "length");
  });

  it("streams token by token in messages mode inside a graph, with llama-cpp metadata", async () => {
    const model = new ChatLlamaCpp({ modelPath: requireTestGguf(), temperature: 0, maxTokens: 24, tags: ["story"] });
    type State = { prompt: string; story: string };
    const graph = new StateGraph<State>()
      .addNode("write", async (state: State, config: NodeConfig) => ({ story: (await model.invoke(state.prompt, config)).content }))
      .addEdge(START, "write")
      .compile();
    const tokens: string[] = [];
    let final: State | undefined;
    for await (const [mode, chunk] of graph.stream({ prompt: PROMPT, story: "" }, { streamMode: ["messages", "values"] })) {
      if (mode === "values") {
        final = chunk as State;
        continue;
      }
      const [message, metadata] = chunk;
      tokens.push(message.text);
      assert.equal(metadata.ls_provider, "llama-cpp");
      assert.equal(metadata.ls_model_name, "stories260K.gguf");
      assert.equal(metadata.ls_temperature, 0);
      assert.deepEqual(metadata.tags, ["story"]);
      assert.equal(metadata.langgraph_node, "write");
    }
    assert.equal(tokens.length, 24, "one chunk per generated token (all of them single-byte here)");
    assert.equal(tokens.slice(0, 4).join(""), ", there was a");
    assert.equal(final?.story, tokens.join(""));
  });

  it("stops generating when aborted, keeping the tokens already streamed", async () => {
    const model = new ChatLlamaCpp({ modelPath: requireTestGguf(), temperature: 0, maxTokens: 400 });
    const controller = new AbortController();
    const received: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const chunk of model.stream(PROMPT, { signal: controller.signal })) {
          received.push(chunk.content);
          if (received.length === 5) controller.abort();
        }
      })(),
      (error: unknown) => {
        assert.ok(WeftError.isInstance(error));
        assert.equal(error.code, "ABORTED");
        assert.equal(error.details.partialText, received.join(""));
        return true;
      },
    );
    assert.ok(received.length >= 5 && received.length < 400, `stopped after ${received.length} tokens`);
  });

  it("stops generating when the reader breaks out of its loop", async () => {
    const model = new ChatLlamaCpp({ modelPath: requireTestGguf(), temperature: 0, maxTokens: 400 });
    let count = 0;
    for await (const chunk of model.stream(PROMPT)) {
      assert.equal(typeof chunk.content, "string");
      if (++count === 3) break;
    }
    // The model is free again at once: a new call runs to its own end.
    const answer = await new ChatLlamaCpp({ modelPath: requireTestGguf(), temperature: 0, maxTokens: 5 }).invoke(PROMPT);
    assert.equal(answer.content, ", there was a little");
    assert.equal(count, 3);
  });

  it("shares one loaded model between instances with the same path, also on a concurrent first use", async () => {
    const { getSharedLlama } = await import("../src/models/llama-cpp/load-model.js");
    const { llama } = await getSharedLlama();
    // A path no other test used, so this test sees the first load.
    const folder = mkdtempSync(join(tmpdir(), "weft-gguf-"));
    const path = join(folder, "shared.gguf");
    symlinkSync(requireTestGguf(), path);
    const loadModel = llama.loadModel.bind(llama);
    const loadedPaths: string[] = [];
    llama.loadModel = (options) => {
      loadedPaths.push(options.modelPath);
      return loadModel(options);
    };
    try {
      const first = new ChatLlamaCpp({ modelPath: path, temperature: 0, maxTokens: 8 });
      const second = new ChatLlamaCpp({ modelPath: path, temperature: 0.8, seed: 7, maxTokens: 8 });
      const [a, b] = await Promise.all([first.invoke(PROMPT), second.invoke(PROMPT)]);
      await new ChatLlamaCpp({ modelPath: path, maxTokens: 2 }).invoke(PROMPT);
      assert.equal(a.content, ", there was a little girl");
      assert.ok(b.content.length > 0);
      assert.deepEqual(loadedPaths, [path], "one load for three instances");
    } finally {
      llama.loadModel = loadModel;
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it("gives the same sampled answer for the same seed", async () => {
    const options = { modelPath: requireTestGguf(), temperature: 1, seed: 42, maxTokens: 30 };
    const [a, b] = await Promise.all([new ChatLlamaCpp(options).invoke(PROMPT), new ChatLlamaCpp(options).invoke(PROMPT)]);
    assert.equal(a.content, b.content);
  });
});
