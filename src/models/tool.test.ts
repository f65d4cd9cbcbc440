import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { type StandardSchema, ToolMessage, WeftError, tool } from "../index.js";
import { FakeChatModel } from "../testing/index.js";
import { toOpenAITools, toToolDefinition } from "./openai/openai-messages.js";

function refusal(pattern: RegExp) {
  return (error: unknown) => {
    assert.ok(WeftError.isInstance(error), String(error));
    assert.equal(error.code, "INVALID_TOOL_INPUT");
    assert.match(error.message, pattern);
    return true;
  };
}

describe("tool()", () => {
  it("with a zod schema: validates (and transforms) input before the function runs, names the bad field", async () => {
    const runs: unknown[] = [];
    const add = tool(
      async ({ a, b }) => {
        runs.push([a, b]);
        return a + b;
      },
      { name: "add", description: "Add two numbers", schema: z.object({ a: z.number(), b: z.number().default(10) }) },
    );
    assert.equal(await add.invoke({ a: 1, b: 2 }), 3);
    assert.equal(await add.invoke({ a: 1 } as never), 11);
    await assert.rejects(add.invoke({ a: "one" } as never), refusal(/Tool "add" was called with input its schema refuses \(a: .*number.*\)\. Call it with arguments that match/));
    assert.deepEqual(runs, [[1, 2], [1, 10]], "the refused call did not run");
    assert.deepEqual(add.parameters, { type: "object", properties: { a: { type: "number" }, b: { type: "number", default: 10 } }, required: ["a"] });
  });

  it("with a plain JSON Schema (checked by @cfworker/json-schema): missing, wrong and unknown fields are named", async () => {
    const search = tool(async ({ query }) => `results for ${String(query)}`, {
      name: "search",
      schema: { type: "object", properties: { query: { type: "string" }, limit: { type: "integer" } }, required: ["query"], additionalProperties: false },
    });
    assert.equal(await search.invoke({ query: "cats" }), "results for cats");
    await assert.rejects(search.invoke({}), refusal(/\(query: is required\)/));
    await assert.rejects(search.invoke({ query: "x", limit: 1.5 }), refusal(/limit: .*integer/));
    await assert.rejects(search.invoke({ query: "x", extra: 1 }), refusal(/extra: is not allowed/));
    await assert.rejects(search.invoke({ query: 1 }), (error: WeftError) => {
      assert.deepEqual(error.details.issues, [{ path: "query", message: 'Instance type "number" is invalid. Expected "string".' }]);
      return true;
    });
  });

  it("with any Standard Schema: its issues and paths are reported", async () => {
    const schema: StandardSchema<{ items: string[] }> = {
      "~standard": {
        version: 1,
        vendor: "test",
        validate: (value) =>
          Array.isArray((value as { items?: unknown }).items)
            ? { value: value as { items: string[] } }
            : { issues: [{ message: "must be a list", path: [{ key: "items" }, 0] }] },
      },
    };
    // A Standard Schema that cannot describe itself as JSON Schema cannot be offered to a model.
    assert.throws(() => tool(async () => "", { name: "count", schema }), (error: unknown) => WeftError.isInstance(error) && error.code === "INVALID_OPTIONS" && /cannot describe itself as JSON Schema/.test(error.message));
    const described = Object.assign(schema, { toJSONSchema: () => ({ type: "object", properties: { items: { type: "array" } } }) });
    const count = tool(async ({ items }) => items.length, { name: "count", schema: described });
    assert.equal(await count.invoke({ items: ["a", "b"] }), 2);
    await assert.rejects(count.invoke({ items: "no" } as never), refusal(/items\[0\]: must be a list/));
  });

  it("a tool call input gives a ToolMessage answering it; objects become JSON, content blocks stay blocks", async () => {
    const lookup = tool(async ({ kind }) => (kind === "json" ? { ok: true } : [{ type: "text", text: "block" }]), {
      name: "lookup",
      schema: z.object({ kind: z.string() }),
    });
    const json = await lookup.invoke({ type: "tool_call", id: "c1", name: "lookup", args: { kind: "json" } });
    assert.ok(json instanceof ToolMessage);
    assert.deepEqual([json.content, json.toolCallId, json.name, json.status], ['{"ok":true}', "c1", "lookup", "success"]);
    const blocks = await lookup.invoke({ type: "tool_call", id: "c2", name: "lookup", args: { kind: "blocks" } });
    assert.deepEqual(blocks.content, [{ type: "text", text: "block" }]);
  });

  it("bad definitions are INVALID_OPTIONS", () => {
    assert.throws(() => tool(async () => "", { name: "has space" }), /1-64 letters/);
    assert.throws(() => tool("nope" as never, { name: "x" }), /needs a function/);
    assert.throws(() => tool(async () => "", { name: "x", schema: 5 as never }), /zod schema/);
  });

  it("bindTools sends the JSON Schema: to FakeChatModel and in OpenAI's tool format", async () => {
    const weather = tool(async ({ city }) => `Sunny in ${city}`, { name: "get_weather", description: "Weather", schema: z.object({ city: z.string() }) });
    const model = new FakeChatModel({ responses: ["ok"] }).bindTools([weather]);
    await model.invoke("hi");
    const parameters = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };
    assert.deepEqual(model.toolsOfCalls[0], [{ name: "get_weather", description: "Weather", parameters }]);
    assert.deepEqual(toOpenAITools([toToolDefinition(weather)]), [{ type: "function", function: { name: "get_weather", description: "Weather", parameters } }]);
  });
});

describe("bindTools on any model", () => {
  it("the base model reads every tool form the provider adapters read, into the same definitions", async () => {
    const weather = tool(async ({ city }: { city: string }) => `sunny in ${city}`, {
      name: "weather",
      description: "The weather in a city.",
      schema: z.object({ city: z.string() }),
    });
    const forms = [
      weather,
      { name: "zod_form", description: "A schema object.", schema: z.object({ n: z.number() }) },
      { type: "function" as const, function: { name: "openai_form", description: "OpenAI's format.", parameters: { type: "object", properties: { q: { type: "string" } } } } },
      { name: "json_form", parameters: { type: "object", properties: {} } },
    ];
    const model = new FakeChatModel({ responses: [["ok"]] }).bindTools(forms);
    await model.invoke("go");
    assert.deepEqual(model.toolsOfCalls[0], forms.map(toToolDefinition));
    assert.deepEqual(model.toolsOfCalls[0]!.map((definition) => definition.name), ["weather", "zod_form", "openai_form", "json_form"]);
    assert.throws(
      () => new FakeChatModel({ responses: [["ok"]] }).bindTools([{ name: "has space", parameters: {} }]),
      (error: unknown) => WeftError.isInstance(error) && error.code === "INVALID_OPTIONS" && /1-64 letters/.test(error.message),
    );
  });
});
