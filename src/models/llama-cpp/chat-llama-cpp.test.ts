import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { WeftError } from "../../errors.js";
import { HumanMessage, Message, SystemMessage } from "../../core/messages.js";
import { streamFromCallback } from "./callback-stream.js";
import { ChatLlamaCpp } from "./chat-llama-cpp.js";
import { defaultThreadCount } from "./default-threads.js";
import { loadNodeLlamaCpp } from "./load-model.js";
import { renderPlainPrompt, toChatHistory } from "./render-prompt.js";

function isWeftError(code: string, pattern: RegExp) {
  return (error: unknown) => WeftError.isInstance(error) && error.code === code && pattern.test(error.message);
}

describe("ChatLlamaCpp options", () => {
  it("says where it looked when the model file is missing", () => {
    assert.throws(
      () => new ChatLlamaCpp({ modelPath: "no/such/model.gguf" }),
      isWeftError("MODEL_NOT_FOUND", /No GGUF model file at \/.*no\/such\/model\.gguf .*resolved from .*pass its path as `modelPath`/),
    );
  });

  it("rejects bad options with what to pass instead", () => {
    assert.throws(() => new ChatLlamaCpp({} as never), isWeftError("INVALID_OPTIONS", /needs `modelPath`/));
    for (const [name, value] of [["temperature", -1], ["maxTokens", 0], ["threads", 1.5], ["contextSize", "big"], ["seed", -3]] as const) {
      assert.throws(
        () => new ChatLlamaCpp({ modelPath: "x.gguf", [name]: value }),
        isWeftError("INVALID_OPTIONS", new RegExp(`\`${name}\` must be`)),
      );
    }
  });
});

describe("node-llama-cpp as an optional dependency", () => {
  it("says how to install it when it is missing", async () => {
    const missing = Object.assign(new Error("Cannot find package 'node-llama-cpp'"), { code: "ERR_MODULE_NOT_FOUND" });
    await assert.rejects(
      loadNodeLlamaCpp(() => Promise.reject(missing)),
      isWeftError("MISSING_DEPENDENCY", /npm install node-llama-cpp/),
    );
  });
});

describe("defaultThreadCount", () => {
  it("uses one thread on machines with two cores or fewer, else every physical core", () => {
    assert.deepEqual([1, 2, 3, 4, 16].map(defaultThreadCount), [1, 1, 3, 4, 16]);
    assert.equal(defaultThreadCount(Number.NaN), 1);
  });
});

describe("prompt rendering", () => {
  it("sends a lone user message as plain text to continue, and joins several with blank lines", () => {
    assert.equal(renderPlainPrompt([new HumanMessage("Once upon a time")]), "Once upon a time");
    assert.equal(renderPlainPrompt([new SystemMessage("Be brief."), new HumanMessage("Hi")]), "Be brief.\n\nHi");
  });

  it("maps roles to a node-llama-cpp chat history ending with the model turn to fill", () => {
    const history = toChatHistory([
      new SystemMessage("Be brief."),
      new HumanMessage("Hi"),
      new Message("assistant", "Hello"),
      new HumanMessage("A joke?"),
    ]);
    assert.deepEqual(history, [
      { type: "system", text: "Be brief." },
      { type: "user", text: "Hi" },
      { type: "model", response: ["Hello"] },
      { type: "user", text: "A joke?" },
      { type: "model", response: [] },
    ]);
  });
});

describe("streamFromCallback", () => {
  it("yields pushed text in order, then rethrows a failure after the text pushed before it", async () => {
    const seen: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const piece of streamFromCallback(async (push) => {
          push("a");
          push("b");
          await Promise.resolve();
          push("c");
          throw new Error("boom");
        }, undefined)) seen.push(piece);
      })(),
      /boom/,
    );
    assert.deepEqual(seen, ["a", "b", "c"]);
  });

  it("aborts the generation when the reader leaves early", async () => {
    let generationSignal: AbortSignal | undefined;
    const stream = streamFromCallback(async (push, signal) => {
      generationSignal = signal;
      push("a");
      await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
    }, undefined);
    for await (const piece of stream) {
      assert.equal(piece, "a");
      break;
    }
    assert.equal(generationSignal?.aborted, true);
  });
});
