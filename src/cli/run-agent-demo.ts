// `weft demo --agent`: the demo agent's run printed as it streams: reasoning, tokens, each tool call
// as its arguments arrive, tool progress and results (or one NDJSON line per event with --json).
import { AIMessageChunk } from "../core/messages.js";
import type { BaseChatModel } from "../models/chat-model.js";
import { createDemoAgent } from "../demo/agent-demo.js";

export interface AgentDemoOptions {
  question: string;
  json: boolean;
}

export async function runAgentDemo(llm: BaseChatModel, options: AgentDemoOptions, write: (text: string) => void, signal?: AbortSignal): Promise<void> {
  const agent = createDemoAgent(llm);
  const stream = agent.stream({ messages: [{ role: "user", content: options.question }] }, { streamMode: ["messages", "tools"], signal });
  write(`> ${options.question}\n`);
  let line: "text" | "reasoning" | "tool-call" | undefined;
  const newline = () => {
    if (line === "tool-call") write(")");
    if (line !== undefined) write("\n");
    line = undefined;
  };
  try {
    for await (const [mode, payload] of stream) {
      if (options.json) {
        write(`${JSON.stringify([mode, payload])}\n`);
        continue;
      }
      if (mode === "tools") {
        const event = payload as { event: string; name: string; data?: { status?: string }; output?: { text?: string }; error?: unknown };
        newline();
        if (event.event === "on_tool_event") write(`  … ${event.name}: ${event.data?.status ?? JSON.stringify(event.data)}\n`);
        else if (event.event === "on_tool_end") write(`  ← ${event.name}: ${event.output?.text ?? ""}\n`);
        else if (event.event === "on_tool_error") write(`  ✗ ${event.name}: ${String((event.error as Error)?.message ?? event.error)}\n`);
        continue;
      }
      const [message] = payload as unknown as [unknown];
      if (!(message instanceof AIMessageChunk)) continue;
      if (message.reasoning !== undefined) {
        if (line !== "reasoning") (newline(), write("  (thinking) "));
        line = "reasoning";
        write(message.reasoning);
      } else if (message.toolCallChunks.length > 0) {
        for (const fragment of message.toolCallChunks) {
          if (fragment.name !== undefined) (newline(), write(`  → ${fragment.name}(`));
          line = "tool-call";
          write(fragment.args ?? "");
        }
      } else if (message.content !== "") {
        if (line !== "text") newline();
        line = "text";
        write(message.content);
      }
    }
  } catch (error) {
    if (signal?.aborted) return;
    throw error;
  }
  if (!options.json) newline();
}
