// Weft's createReactAgent and ToolNode beside LangGraph.js's on the same conversation: the same
// nodes run, the same message types result, and messages and tools modes route the same way.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { tool as langChainTool } from "@langchain/core/tools";
import { createReactAgent as createLangGraphAgent } from "@langchain/langgraph/prebuilt";
import { z } from "zod";
import { AIMessageChunk, tool } from "weft";
import { createReactAgent } from "weft/prebuilt";
import { FakeChatModel } from "weft/testing";
import { ScriptedLangChainModel } from "./support/scripted-langchain-model.js";

const SCRIPT = [
  { content: "", toolCalls: [{ id: "c1", name: "get_weather", args: { city: "Paris" } }, { id: "c2", name: "get_weather", args: { city: "Oslo" } }] },
  { content: "Sunny in both." },
];
const weather = async ({ city }: { city: string }) => `Sunny in ${city}`;
const schema = z.object({ city: z.string() });
const input = { messages: [{ role: "user" as const, content: "Paris and Oslo?" }] };

/** What both runs are compared on. */
async function observe(stream: AsyncIterable<[string, any]>) {
  const nodes: string[] = [];
  const messages: Array<[string, string]> = [];
  const tools: Array<[string, string, string]> = [];
  let values: any;
  let lastId: string | undefined;
  for await (const [mode, chunk] of stream) {
    if (mode === "updates") nodes.push(...Object.keys(chunk));
    else if (mode === "values") values = chunk;
    else if (mode === "tools") tools.push([chunk.event, chunk.name, chunk.toolCallId]);
    else if (mode === "messages") {
      const [message, metadata] = chunk;
      const type = message instanceof AIMessageChunk || message.type === "AIMessageChunk" ? "ai" : (message.type ?? message._getType());
      const entry: [string, string] = [type, metadata.langgraph_node];
      // A streamed answer is many chunks; LangGraph sends a non-streaming model's answer whole. Compare one entry per message.
      const previous = messages.at(-1);
      if (!(type === "ai" && previous?.[0] === "ai" && message.id === lastId)) messages.push(entry);
      lastId = message.id;
    }
  }
  const types = values.messages.map((message: any) => message.type ?? message._getType());
  return { nodes, messages, tools, types };
}

describe("createReactAgent and ToolNode, Weft beside LangGraph.js", () => {
  it("same nodes, message types, messages-mode nodes (ToolMessages from \"tools\") and tools-mode events", async () => {
    const modes = ["updates", "values", "messages", "tools"] as const;
    const langGraph = createLangGraphAgent({
      llm: new ScriptedLangChainModel(SCRIPT),
      tools: [langChainTool(weather, { name: "get_weather", description: "Weather", schema })],
    });
    const expected = await observe((await langGraph.stream(input as never, { streamMode: [...modes] })) as never);

    const weft = createReactAgent({
      llm: new FakeChatModel({ responses: SCRIPT.map((step) => ({ content: step.content, toolCalls: step.toolCalls })) }),
      tools: [tool(weather, { name: "get_weather", description: "Weather", schema })],
    });
    const actual = await observe(weft.stream(input, { streamMode: [...modes] }) as never);

    assert.deepEqual(expected.nodes, ["agent", "tools", "agent"]);
    assert.deepEqual(expected.types, ["human", "ai", "tool", "tool", "ai"]);
    assert.deepEqual(expected.messages, [["ai", "agent"], ["tool", "tools"], ["tool", "tools"], ["ai", "agent"]]);
    assert.deepEqual(expected.tools.filter(([, , id]) => id === "c1"), [["on_tool_start", "get_weather", "c1"], ["on_tool_end", "get_weather", "c1"]]);
    assert.deepEqual(actual, expected);
  });
});
