// An agent loop whose model is LangChain's ChatAnthropic (pointed at the loopback Anthropic server):
// Weft's messages (AIMessage with tool calls, ToolMessage) go back to the LangChain model on its second
// call. The same graph runs in LangGraph.js against its own server, and both servers must receive the
// same requests; the states and the messages streams must match too.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ChatAnthropic } from "@langchain/anthropic";
import { tool as langChainTool } from "@langchain/core/tools";
import {
  END as LANGGRAPH_END,
  MemorySaver as LangGraphMemorySaver,
  MessagesAnnotation,
  START as LANGGRAPH_START,
  StateGraph as LangGraphStateGraph,
} from "@langchain/langgraph";
import { ToolNode as LangGraphToolNode, createReactAgent as createLangGraphAgent, toolsCondition as langGraphToolsCondition } from "@langchain/langgraph/prebuilt";
import { z } from "zod";
import { END, MemorySaver, MessagesState, START, StateGraph, tool } from "weft";
import { fromLangChain } from "weft/langchain";
import { ToolNode, createReactAgent, toolsCondition } from "weft/prebuilt";
import { type AnthropicScriptedResponse, type AnthropicServer, startAnthropicServer } from "weft/testing";
import { MODEL, withAnthropicServer } from "./support/providers.js";

const schema = z.object({ city: z.string() });
const weather = async ({ city }: { city: string }) => `Sunny in ${city}`;
const weftWeather = tool(weather, { name: "get_weather", description: "The weather in a city", schema });
const langChainWeather = langChainTool(weather, { name: "get_weather", description: "The weather in a city", schema });

/** Per turn: a text and a tool call, then the answer. */
const SCRIPT: AnthropicScriptedResponse[] = [
  { text: ["Let me", " check."], toolUses: [{ id: "toolu_1", name: "get_weather", input: ['{"city":', ' "Paris"}'] }] },
  { text: ["Sunny", " in Paris."] },
  { toolUses: [{ id: "toolu_2", name: "get_weather", input: '{"city": "Oslo"}' }] },
  { text: ["Also", " sunny."] },
];

const chatAnthropic = (server: AnthropicServer) =>
  new ChatAnthropic({ model: MODEL, anthropicApiUrl: server.url, apiKey: "sk-test", maxRetries: 0, clientOptions: { logLevel: "off" } });

/** A streamed run, reduced to what both libraries are compared on: one entry per message, its node and its whole text. */
async function observe(stream: AsyncIterable<[string, any]>) {
  const streamed: Array<{ type: string; node: string; text: string; id: string }> = [];
  let values: any;
  for await (const [mode, chunk] of stream) {
    if (mode === "values") {
      values = chunk;
      continue;
    }
    const [message, metadata] = chunk;
    const type = typeof message._getType === "function" ? message._getType() : message.type;
    const text = typeof message.content === "string" ? message.content : message.content.map((block: any) => block.text ?? "").join("");
    const last = streamed.at(-1);
    if (last !== undefined && last.id === message.id) last.text += text;
    else streamed.push({ type, node: metadata.langgraph_node, text, id: message.id });
  }
  const messages = values.messages.map((message: any) => {
    const type = typeof message._getType === "function" ? message._getType() : message.type;
    const text = typeof message.content === "string" ? message.content : message.content.filter((block: any) => block.type === "text").map((block: any) => block.text).join("");
    return [type, text, (message.tool_calls ?? []).map((call: any) => [call.id, call.name, call.args]), message.tool_call_id];
  });
  return { streamed: streamed.map(({ id: _id, ...rest }) => rest), messages };
}

/**
 * Two turns on one thread; returns what was observed and the requests the server received. A Weft
 * AIMessage keeps its text as a string, which ChatAnthropic sends as a string where LangGraph.js's
 * state holds Anthropic's text blocks; Anthropic reads both alike, so requests are compared with
 * assistant text as one text block.
 */
async function twoTurns(run: (server: AnthropicServer, turn: string) => Promise<unknown>) {
  return withAnthropicServer(SCRIPT, async (server) => {
    const first = await run(server, "Weather in Paris?");
    const second = await run(server, "And Oslo?");
    const requests = server.requests.map((request) => ({
      ...request.body,
      messages: request.body.messages.map((message: { role: string; content: unknown }) =>
        message.role === "assistant" && typeof message.content === "string" ? { ...message, content: [{ type: "text", text: message.content }] } : message,
      ),
    }));
    return { first, second, requests };
  });
}

describe("a LangChain ChatAnthropic in a Weft agent loop, beside LangGraph.js", () => {
  it("a hand-built graph (model node with config + ToolNode), two turns: the same requests, states and messages streams", async () => {
    const modes = { streamMode: ["messages", "values"] as Array<"messages" | "values"> };
    const expected = await twoTurns(async (server, turn) => {
      const model = chatAnthropic(server).bindTools([langChainWeather]);
      const graph = (globalThis as { langGraphHandBuilt?: any }).langGraphHandBuilt ??= new LangGraphStateGraph(MessagesAnnotation)
        .addNode("agent", async (state: { messages: unknown[] }, config: unknown) => ({ messages: [await model.invoke(state.messages as never, config as never)] }))
        .addNode("tools", new LangGraphToolNode([langChainWeather]))
        .addEdge(LANGGRAPH_START, "agent")
        .addConditionalEdges("agent", langGraphToolsCondition, ["tools", LANGGRAPH_END])
        .addEdge("tools", "agent")
        .compile({ checkpointer: new LangGraphMemorySaver() });
      return observe((await graph.stream({ messages: [{ role: "user", content: turn }] }, { ...modes, configurable: { thread_id: "t" } })) as never);
    });
    delete (globalThis as { langGraphHandBuilt?: unknown }).langGraphHandBuilt;

    let weftGraph: any;
    const actual = await twoTurns(async (server, turn) => {
      const model = chatAnthropic(server).bindTools([weftWeather]);
      weftGraph ??= new StateGraph(MessagesState)
        .addNode("agent", async (state, config) => ({ messages: [await model.invoke(state.messages as never, config)] }))
        .addNode("tools", new ToolNode([weftWeather]))
        .addEdge(START, "agent")
        .addConditionalEdges("agent", toolsCondition, ["tools", END])
        .addEdge("tools", "agent")
        .compile({ checkpointer: new MemorySaver() });
      return observe(weftGraph.stream({ messages: [{ role: "user", content: turn }] }, { ...modes, configurable: { thread_id: "t" } }));
    });

    // The second and fourth calls carry the tool result; the fourth the whole first turn too.
    assert.equal(expected.requests.length, 4);
    assert.deepEqual(expected.requests[1]!.messages.at(-1), { role: "user", content: [{ type: "tool_result", content: "Sunny in Paris", tool_use_id: "toolu_1" }] });
    assert.equal(expected.requests[3]!.messages.length, 7);
    assert.deepEqual(actual.requests, expected.requests);
    assert.deepEqual(actual.second, expected.second);
    assert.deepEqual(actual.first, expected.first);
  });

  it("createReactAgent({ llm: new ChatAnthropic(...) }): tokens, tool calls and the second call, as LangGraph.js's agent", async () => {
    const modes = { streamMode: ["messages", "values"] as Array<"messages" | "values"> };
    let langGraphAgent: any;
    const expected = await twoTurns(async (server, turn) => {
      langGraphAgent ??= createLangGraphAgent({ llm: chatAnthropic(server), tools: [langChainWeather], prompt: "Be brief.", checkpointer: new LangGraphMemorySaver() });
      return observe(await langGraphAgent.stream({ messages: [{ role: "user", content: turn }] }, { ...modes, configurable: { thread_id: "t" } }));
    });
    let weftAgent: any;
    const actual = await twoTurns(async (server, turn) => {
      weftAgent ??= createReactAgent({ llm: chatAnthropic(server), tools: [weftWeather], prompt: "Be brief.", checkpointer: new MemorySaver() });
      return observe(weftAgent.stream({ messages: [{ role: "user", content: turn }] }, { ...modes, configurable: { thread_id: "t" } }));
    });
    assert.deepEqual((expected.first as any).streamed, [
      { type: "ai", node: "agent", text: "Let me check." },
      { type: "tool", node: "tools", text: "Sunny in Paris" },
      { type: "ai", node: "agent", text: "Sunny in Paris." },
    ]);
    assert.equal(expected.requests[0]!.system, "Be brief.");
    assert.deepEqual(actual.requests, expected.requests);
    assert.deepEqual(actual.first, expected.first);
    assert.deepEqual(actual.second, expected.second);
  });
});

describe("fromLangChain passes bindTools' tool_choice to the LangChain model", () => {
  it("a tool by name and \"required\" reach Anthropic as { type: \"tool\", name } and { type: \"any\" }", async () => {
    const server = await startAnthropicServer({ responses: [{ text: ["x"] }] });
    try {
      const model = fromLangChain(chatAnthropic(server));
      await model.bindTools([weftWeather], { tool_choice: "get_weather" }).invoke("Weather?");
      await model.bindTools([weftWeather], { tool_choice: "required" }).invoke("Weather?");
      assert.deepEqual(server.requests.map((request) => request.body.tool_choice), [{ type: "tool", name: "get_weather" }, { type: "any" }]);
    } finally {
      await server.close();
    }
  });
});
