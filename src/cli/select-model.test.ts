import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { WeftError } from "../errors.js";
import { describeChoice, selectModel, type ModelSelectionInput } from "./select-model.js";

function input(overrides: Partial<ModelSelectionInput> & { folders?: Record<string, string[]> } = {}): ModelSelectionInput {
  const folders = overrides.folders ?? {};
  return { env: {}, cwd: "/work/app", listFolder: (path) => folders[path], ...overrides };
}

describe("selectModel", () => {
  it("takes --model first: openai:<name>, a .gguf path (resolved from the working directory) or tiny", () => {
    const env = { WEFT_MODEL: "openai:other", OPENAI_API_KEY: "sk-test" };
    assert.deepEqual(selectModel(input({ flag: "openai:gpt-4.1", env })), { kind: "openai", model: "gpt-4.1", reason: "from --model" });
    assert.deepEqual(selectModel(input({ flag: "models/a.gguf", env })), { kind: "gguf", path: "/work/app/models/a.gguf", reason: "from --model" });
    assert.deepEqual(selectModel(input({ flag: "/m/B.GGUF", env })), { kind: "gguf", path: "/m/B.GGUF", reason: "from --model" });
    assert.deepEqual(selectModel(input({ flag: "tiny", env })), { kind: "tiny", reason: "from --model" });
    assert.deepEqual(selectModel(input({ flag: "anthropic:claude-sonnet-4-5", env })), { kind: "anthropic", model: "claude-sonnet-4-5", reason: "from --model" });
  });

  it("then WEFT_MODEL", () => {
    const env = { WEFT_MODEL: "openai:llama3.2", OPENAI_API_KEY: "sk-test" };
    assert.deepEqual(selectModel(input({ env })), { kind: "openai", model: "llama3.2", reason: "from WEFT_MODEL" });
  });

  it("then OpenAI gpt-4o-mini when OPENAI_API_KEY or OPENAI_BASE_URL is set", () => {
    const folders = { "/work/app/models": ["a.gguf"] };
    assert.deepEqual(selectModel(input({ env: { OPENAI_API_KEY: "sk" }, folders })), { kind: "openai", model: "gpt-4o-mini", reason: "OPENAI_API_KEY is set" });
    assert.deepEqual(selectModel(input({ env: { OPENAI_BASE_URL: "http://127.0.0.1:11434/v1" }, folders })), {
      kind: "openai",
      model: "gpt-4o-mini",
      reason: "OPENAI_BASE_URL is set",
    });
  });

  it("then the first .gguf file by name in WEFT_MODELS_DIR, default ./models", () => {
    const folders = { "/work/app/models": ["notes.txt", "zeta.gguf", "alpha.gguf"], "/opt/llm": ["x.gguf"] };
    assert.deepEqual(selectModel(input({ folders })), { kind: "gguf", path: "/work/app/models/alpha.gguf", reason: "the first .gguf file in ./models" });
    assert.deepEqual(selectModel(input({ env: { WEFT_MODELS_DIR: "/opt/llm" }, folders })), {
      kind: "gguf",
      path: "/opt/llm/x.gguf",
      reason: "the first .gguf file in WEFT_MODELS_DIR",
    });
  });

  it("else the built-in tiny model; blank variables count as unset", () => {
    const choice = selectModel(input({ env: { WEFT_MODEL: " ", OPENAI_API_KEY: "" }, folders: { "/work/app/models": ["readme.md"] } }));
    assert.equal(choice.kind, "tiny");
    assert.match(describeChoice(choice), /^tiny, the built-in n-gram demo model \(no --model, WEFT_MODEL, OPENAI_API_KEY, OPENAI_BASE_URL or \.gguf file in \.\/models\)$/);
  });

  it("rejects a value it cannot read, saying what it accepts and where the value came from", () => {
    for (const [flag, env, pattern] of [
      ["gpt-4o-mini", {}, /^--model "gpt-4o-mini" is not a model the demo knows; use "openai:<model name>"/],
      ["openai:", {}, /^--model "openai:" names no model/],
      [undefined, { WEFT_MODEL: "llama.bin" }, /^WEFT_MODEL "llama.bin" is not a model/],
    ] as const) {
      assert.throws(
        () => selectModel(input({ flag, env })),
        (error: unknown) => WeftError.isInstance(error) && error.code === "INVALID_OPTIONS" && pattern.test(error.message),
      );
    }
  });
});
