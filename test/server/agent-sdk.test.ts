// An agent served by weft/server, read with the official @langchain/langgraph-sdk client: LangChain
// message dicts in (`{ type: "human" }`, snake_case `tool_calls` / `tool_call_id`, image blocks) and
// out (AI chunks, whole ToolMessages), and tools events.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Client } from "@langchain/langgraph-sdk";
import { z } from "zod";
import { tool } from "weft";
import { createReactAgent } from "weft/prebuilt";
import { type RunningServer, createHandler, serve } from "weft/server";
import { FakeChatModel } from "weft/testing";

describe("an agent over the LangGraph server API", () => {
  let server: RunningServer;
  let client: Client;
  const historyModel = new FakeChatModel({ responses: ["Noted."] });
  before(async () => {
    const getWeather = tool(
      async ({ city }, config) => {
        config.writer({ progress: "asking" });
        return `Sunny in ${city}`;
      },
      { name: "get_weather", schema: z.object({ city: z.string() }) },
    );
    const llm = new FakeChatModel({ responses: [{ toolCalls: [{ id: "c1", name: "get_weather", args: { city: "Paris" } }] }, { content: ["Sunny."] }] });
    const graphs = { agent: createReactAgent({ llm, tools: [getWeather], name: "agent" }), history: createReactAgent({ llm: historyModel, tools: [getWeather] }) };
    server = await serve(createHandler({ graphs, heartbeatMs: 0 }), { port: 0 });
    client = new Client({ apiUrl: server.url, callerOptions: { maxRetries: 0 } });
  });
  after(() => server.close());

  it("streams the agent's chunks, the ToolMessage from node \"tools\", tools events and LangChain-dict values", async () => {
    const parts: Array<{ event: string; data: any }> = [];
    for await (const part of client.runs.stream(null, "agent", {
      input: { messages: [{ type: "human", content: "Weather in Paris?" }] },
      streamMode: ["messages-tuple", "tools", "values"],
    })) {
      parts.push(part as never);
    }
    const messages = parts.filter((part) => part.event === "messages").map((part) => [part.data[0].type, part.data[1].langgraph_node, part.data[0].content]);
    assert.deepEqual(messages, [
      ["AIMessageChunk", "agent", ""],
      ["AIMessageChunk", "agent", ""],
      ["AIMessageChunk", "agent", ""],
      ["tool", "tools", "Sunny in Paris"],
      ["AIMessageChunk", "agent", "Sunny."],
      ["AIMessageChunk", "agent", ""],
    ]);
    const toolMessage = parts.find((part) => part.event === "messages" && part.data[0].type === "tool")!.data[0];
    assert.deepEqual([toolMessage.tool_call_id, toolMessage.name, toolMessage.status], ["c1", "get_weather", "success"]);
    assert.deepEqual(
      parts.filter((part) => part.event === "tools").map((part) => [part.data.event, part.data.toolCallId, part.data.data ?? part.data.output?.content ?? part.data.input]),
      [["on_tool_start", "c1", { city: "Paris" }], ["on_tool_event", "c1", { progress: "asking" }], ["on_tool_end", "c1", "Sunny in Paris"]],
    );
    const final = parts.filter((part) => part.event === "values").at(-1)!.data;
    assert.deepEqual(
      final.messages.map((message: any) => [message.type, message.content]),
      [["human", "Weather in Paris?"], ["ai", ""], ["tool", "Sunny in Paris"], ["ai", "Sunny."]],
    );
    assert.deepEqual(final.messages[1].tool_calls, [{ type: "tool_call", id: "c1", name: "get_weather", args: { city: "Paris" } }]);
    assert.equal(final.messages[3].name, "agent");
  });

  it("reads a LangChain history from the client: image blocks, snake_case tool_calls and tool_call_id reach the model and come back", async () => {
    const image = [
      { type: "text", text: "This street:" },
      { type: "image", url: "https://example.com/street.png" },
      { type: "image", data: "iVBORw0KGgo=", mimeType: "image/png" },
    ];
    const history = [
      { type: "human", content: image, id: "h1" },
      { type: "ai", content: "", id: "a1", tool_calls: [{ type: "tool_call", id: "c0", name: "get_weather", args: { city: "Rome" } }] },
      { type: "tool", content: "Windy in Rome", tool_call_id: "c0", name: "get_weather", id: "t1" },
      { type: "human", content: "Thanks.", id: "h2" },
    ];
    const final = (await client.runs.wait(null, "history", { input: { messages: history } })) as { messages: any[] };
    const [received] = historyModel.calls;
    assert.deepEqual(
      received!.map((message) => [message.type, message.content, message.toolCalls, message.toolCallId]),
      [
        ["human", image, [], undefined],
        ["ai", "", [{ id: "c0", name: "get_weather", args: { city: "Rome" } }], undefined],
        ["tool", "Windy in Rome", [], "c0"],
        ["human", "Thanks.", [], undefined],
      ],
    );
    assert.deepEqual(final.messages.slice(0, 4).map((message) => [message.type, message.id, message.content, message.tool_calls, message.tool_call_id]), [
      ["human", "h1", image, undefined, undefined],
      ["ai", "a1", "", [{ type: "tool_call", id: "c0", name: "get_weather", args: { city: "Rome" } }], undefined],
      ["tool", "t1", "Windy in Rome", undefined, "c0"],
      ["human", "h2", "Thanks.", undefined, undefined],
    ]);
    assert.deepEqual([final.messages[4].type, final.messages[4].content], ["ai", "Noted."]);
  });

  it("refuses input messages it cannot read with 422 naming input.messages", async () => {
    const response = await fetch(`${server.url}/runs/stream`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ assistant_id: "agent", input: { messages: [{ type: "robot", content: "beep" }] } }),
    });
    assert.equal(response.status, 422);
    const body = (await response.json()) as Record<string, unknown>;
    assert.match(JSON.stringify(body), /input\.messages/);
    assert.match(JSON.stringify(body), /type \\"robot\\"/);
    const badImage = await fetch(`${server.url}/runs/stream`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ assistant_id: "agent", input: { messages: [{ type: "human", content: [{ type: "image", data: "AAAA" }] }] } }),
    });
    assert.equal(badImage.status, 422);
    const refused = (await badImage.json()) as { field: string; message: string };
    assert.equal(refused.field, "input.messages");
    assert.match(refused.message, /Message 0, content block 0, is a base64 image block without `mimeType`/);
  });
});
