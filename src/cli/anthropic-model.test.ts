// The demo's Anthropic choice: what it needs (a key, the provider package) and how it reads ANTHROPIC_BASE_URL.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { WeftError } from "../errors.js";
import { apiBaseURL, createAnthropicModel } from "./anthropic-model.js";

const settings = { pace: 0 };

describe("createAnthropicModel", () => {
  it("without @ai-sdk/anthropic installed: MISSING_DEPENDENCY that says what to install", async () => {
    const missing = () => Promise.reject(Object.assign(new Error("Cannot find package '@ai-sdk/anthropic'"), { code: "ERR_MODULE_NOT_FOUND" }));
    const error = await createAnthropicModel("claude-sonnet-4-5", settings, { ANTHROPIC_API_KEY: "sk-ant" }, missing).catch((caught: unknown) => caught);
    assert.ok(WeftError.isInstance(error) && error.code === "MISSING_DEPENDENCY", String(error));
    assert.match(error.message, /needs the AI SDK's Anthropic provider, which is not installed\. Install it with: npm install @ai-sdk\/anthropic/);
  });

  it("without ANTHROPIC_API_KEY: INVALID_OPTIONS naming the variable, before loading anything", async () => {
    let loaded = false;
    const load = async () => ((loaded = true), { createAnthropic: () => () => ({}) as never });
    const error = await createAnthropicModel("claude-sonnet-4-5", settings, { ANTHROPIC_API_KEY: " " }, load).catch((caught: unknown) => caught);
    assert.ok(WeftError.isInstance(error) && error.code === "INVALID_OPTIONS");
    assert.match(error.message, /set the ANTHROPIC_API_KEY environment variable/);
    assert.equal(loaded, false);
  });

  it("builds a Weft model over the real provider, with the key and base URL", async () => {
    const model = await createAnthropicModel("claude-sonnet-4-5", { ...settings, temperature: 0.3 }, { ANTHROPIC_API_KEY: "sk-ant", ANTHROPIC_BASE_URL: "http://127.0.0.1:9/" });
    assert.deepEqual([model.provider, model.modelName, model.temperature], ["anthropic", "claude-sonnet-4-5", 0.3]);
  });
});

describe("apiBaseURL", () => {
  it("takes the server root (Anthropic SDK style) or a URL ending in /v1 (AI SDK style)", () => {
    assert.equal(apiBaseURL(undefined), undefined);
    assert.equal(apiBaseURL(""), undefined);
    assert.equal(apiBaseURL("https://api.anthropic.com"), "https://api.anthropic.com/v1");
    assert.equal(apiBaseURL("http://127.0.0.1:8080/v1/"), "http://127.0.0.1:8080/v1");
    assert.throws(() => apiBaseURL("not a url"), /ANTHROPIC_BASE_URL "not a url" is not a URL/);
  });
});
