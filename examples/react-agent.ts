// A tool-calling agent whose tokens, tool calls and tool results stream to the terminal.
// Offline by default (a scripted FakeChatModel that really calls the tools). Run: npm run example:agent
// For a real model: `new ChatOpenAI({ model: "gpt-4o-mini" })` from "weft/openai" as `llm`; nothing else changes.
import { pathToFileURL } from "node:url";
import { z } from "zod";
import { AIMessageChunk, tool } from "weft";
import { createReactAgent } from "weft/prebuilt";
import { FakeChatModel } from "weft/testing";

export const getWeather = tool(
  async ({ city }, config) => {
    config.writer({ status: `calling the weather service for ${city}` });
    return city === "Paris" ? "18°C and sunny" : "12°C and cloudy";
  },
  { name: "get_weather", description: "The current weather in a city", schema: z.object({ city: z.string().describe("City name") }) },
);

export const llm = new FakeChatModel({
  model: "gpt-4o-mini",
  responses: [
    { content: "Let me look both up.", toolCalls: [{ name: "get_weather", args: { city: "Paris" } }, { name: "get_weather", args: { city: "Oslo" } }] },
    { content: ["Paris ", "is ", "18°C ", "and ", "sunny; ", "Oslo ", "is ", "12°C ", "and ", "cloudy."] },
  ],
});

export const agent = createReactAgent({ llm, tools: [getWeather], prompt: "You are a concise weather assistant." });

async function main() {
  const input = { messages: [{ role: "user" as const, content: "What is the weather in Paris and Oslo?" }] };
  const write = (text: string) => process.stdout.write(text);
  let inToolCall = false;
  let inText = false;
  const endLine = () => {
    if (inToolCall) write(")");
    if (inToolCall || inText) write("\n");
    inToolCall = inText = false;
  };
  for await (const [mode, chunk] of agent.stream(input, { streamMode: ["messages", "tools"] })) {
    if (mode === "tools") {
      endLine();
      if (chunk.event === "on_tool_event") write(`  ... ${chunk.name}: ${(chunk.data as { status: string }).status}\n`);
      if (chunk.event === "on_tool_end") write(`  <- ${chunk.name}: ${(chunk.output as { text: string }).text}\n`);
      continue;
    }
    const [message, metadata] = chunk;
    // Whole ToolMessages (from node "tools") arrive here too; the tools events above already showed them.
    if (!(message instanceof AIMessageChunk)) continue;
    for (const fragment of message.toolCallChunks) {
      if (fragment.name !== undefined) (endLine(), write(`  -> ${fragment.name}(`));
      inToolCall = true;
      write(fragment.args ?? "");
    }
    if (message.content) {
      if (!inText) endLine();
      inText = true;
      write(message.content);
    }
    if (message.usage) (endLine(), write(`  (${metadata.langgraph_node}: ${message.usage.totalTokens} tokens)\n`));
  }
  endLine();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
