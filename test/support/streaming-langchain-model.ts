// A LangChain.js chat model that streams its answers from a script as a native provider does (LangChain
// core's chat-model stream events: an empty content block, then its deltas, as its OpenAI stream emits
// them), for running LangGraph.js beside Weft on the same streamed conversation.
import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { ChatModelStreamEvent } from "@langchain/core/language_models/event";
import { AIMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";

/** One answer: its reasoning and text tokens, then its tool calls. */
export interface StreamedAnswer {
  reasoning?: string[];
  content?: string[];
  toolCalls?: Array<{ id: string; name: string; args: Record<string, unknown> }>;
}

export class StreamingScriptedLangChainModel extends BaseChatModel {
  private next = 0;

  constructor(private readonly script: StreamedAnswer[]) {
    super({});
  }

  _llmType(): string {
    return "streaming-scripted";
  }

  override bindTools(): this {
    return this;
  }

  override async *_streamChatModelEvents(): AsyncGenerator<ChatModelStreamEvent> {
    const answer = this.script[this.next++ % this.script.length]!;
    yield { event: "message-start" };
    const finished: Array<{ index: number; content: any }> = [];
    let index = 0;
    if (answer.reasoning?.length) {
      yield { event: "content-block-start", index, content: { type: "reasoning", reasoning: "" } };
      for (const reasoning of answer.reasoning) yield { event: "content-block-delta", index, delta: { type: "reasoning-delta", reasoning } };
      finished.push({ index: index++, content: { type: "reasoning", reasoning: answer.reasoning.join("") } });
    }
    if (answer.content?.length) {
      yield { event: "content-block-start", index, content: { type: "text", text: "" } };
      for (const text of answer.content) yield { event: "content-block-delta", index, delta: { type: "text-delta", text } };
      finished.push({ index: index++, content: { type: "text", text: answer.content.join("") } });
    }
    for (const call of answer.toolCalls ?? []) {
      yield { event: "content-block-start", index, content: { type: "tool_call_chunk", id: call.id, name: call.name, args: "" } };
      // The arguments in two halves, as Weft's FakeChatModel streams them.
      const json = JSON.stringify(call.args);
      const middle = Math.max(1, Math.floor(json.length / 2));
      yield { event: "content-block-delta", index, delta: { type: "tool-call-delta", args: json.slice(0, middle) } };
      yield { event: "content-block-delta", index, delta: { type: "tool-call-delta", args: json.slice(middle) } };
      finished.push({ index: index++, content: { type: "tool_call", id: call.id, name: call.name, args: call.args } });
    }
    for (const block of finished) yield { event: "content-block-finish", ...block };
    yield { event: "message-finish", reason: answer.toolCalls?.length ? "tool_use" : "stop" };
  }

  async _generate(): Promise<ChatResult> {
    const answer = this.script[this.next++ % this.script.length]!;
    const text = (answer.content ?? []).join("");
    return { generations: [{ text, message: new AIMessage({ content: text, tool_calls: (answer.toolCalls ?? []).map((call) => ({ ...call, type: "tool_call" as const })) }) }] };
  }
}
