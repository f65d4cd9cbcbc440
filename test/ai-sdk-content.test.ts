// What fromAISDK sends beyond text, over the real @ai-sdk/anthropic provider (every major this Node
// runs) to the loopback Anthropic server: image blocks as the provider's image parts (by URL and as
// base64), bindTools' tool_choice as Anthropic's tool_choice, and withStructuredOutput.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { WeftError } from "weft";
import { fromAISDK } from "weft/ai-sdk";
import { MODEL, anthropicProviders, withAnthropicServer } from "./support/providers.js";

const providers = await anthropicProviders();
const WEATHER = { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } };

for (const provider of providers) {
  const modelAt = (url: string) => fromAISDK(provider.createAnthropic({ baseURL: url, apiKey: "sk-test" })(MODEL));

  describe(`fromAISDK over ${provider.packageName}@${provider.version}: content and tool choice`, () => {
    it("image blocks become Anthropic image blocks: a URL as a url source, base64 data and data URLs as base64 sources", async () => {
      await withAnthropicServer([{ text: ["Two cats."] }], async (server) => {
        const answer = await modelAt(server.apiURL).invoke([
          {
            role: "user",
            content: [
              { type: "text", text: "Compare:" },
              { type: "image", url: "https://example.com/a.png" },
              { type: "image", data: "iVBORw0KGgo=", mimeType: "image/png" },
              { type: "image_url", image_url: { url: "data:image/gif;base64,R0lGOD" } },
              { type: "image_url", image_url: "https://example.com/b.jpg" },
            ],
          },
        ]);
        assert.equal(answer.content, "Two cats.");
        assert.deepEqual(server.requests[0]!.body.messages, [
          {
            role: "user",
            content: [
              { type: "text", text: "Compare:" },
              { type: "image", source: { type: "url", url: "https://example.com/a.png" } },
              { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
              { type: "image", source: { type: "base64", media_type: "image/gif", data: "R0lGOD" } },
              { type: "image", source: { type: "url", url: "https://example.com/b.jpg" } },
            ],
          },
        ]);
      });
    });

    it("an image in a system message, a data URL that is not base64, or a bad URL is INVALID_MESSAGES before any request", async () => {
      await withAnthropicServer([{ text: ["x"] }], async (server) => {
        const model = modelAt(server.apiURL);
        const refused = async (content: unknown, pattern: RegExp, role = "user") =>
          assert.rejects(model.invoke([{ role, content } as never]), (error: unknown) => WeftError.isInstance(error) && error.code === "INVALID_MESSAGES" && pattern.test(error.message));
        await refused([{ type: "image", url: "https://example.com/a.png" }], /system or tool message with an image block/, "system");
        await refused([{ type: "image_url", image_url: "data:image/png,abc" }], /content block 0, is an image data URL that is not base64/);
        await refused([{ type: "image", url: "not a url" }], /content block 0, has image URL "not a url", which is not a URL/);
        assert.equal(server.requests.length, 0);
      });
    });

    it("bindTools' tool_choice reaches Anthropic: a tool by name as { type: \"tool\" }, \"required\" as { type: \"any\" }", async () => {
      await withAnthropicServer([{ text: ["x"], times: 3 }], async (server) => {
        const model = modelAt(server.apiURL);
        await model.bindTools([WEATHER], { tool_choice: "get_weather" }).invoke("Weather?");
        await model.bindTools([WEATHER], { tool_choice: "required" }).invoke("Weather?");
        await model.bindTools([WEATHER]).invoke("Weather?");
        assert.deepEqual(
          server.requests.map((request) => request.body.tool_choice),
          [{ type: "tool", name: "get_weather" }, { type: "any" }, { type: "auto" }],
        );
        await assert.rejects(model.bindTools([WEATHER], { parallel_tool_calls: false }).invoke("Weather?"), /no common `parallel_tool_calls` option.*disableParallelToolUse/);
      });
    });

    it("withStructuredOutput: the schema's tool is forced and its input, checked, is the answer", async () => {
      await withAnthropicServer([{ toolUses: [{ name: "extract", input: ['{"city": ', '"Paris", "sunny": true}'] }] }], async (server) => {
        const answer = await modelAt(server.apiURL).withStructuredOutput(z.object({ city: z.string(), sunny: z.boolean() })).invoke("Weather in Paris?");
        assert.deepEqual(answer, { city: "Paris", sunny: true });
        assert.deepEqual(server.requests[0]!.body.tool_choice, { type: "tool", name: "extract" });
      });
    });
  });
}
