// A LangChain.js chat model that answers from a script, for running LangGraph.js's prebuilt agent
// beside Weft's on the same conversation.
import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";

export class ScriptedLangChainModel extends BaseChatModel {
  readonly calls: BaseMessage[][] = [];
  private next = 0;

  constructor(private readonly script: Array<{ content: string; toolCalls?: Array<{ id: string; name: string; args: Record<string, unknown> }> }>) {
    super({});
  }

  _llmType(): string {
    return "scripted";
  }

  override bindTools(): this {
    return this;
  }

  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    this.calls.push(messages);
    const step = this.script[this.next++ % this.script.length]!;
    const message = new AIMessage({ content: step.content, tool_calls: (step.toolCalls ?? []).map((call) => ({ ...call, type: "tool_call" as const })) });
    return { generations: [{ text: step.content, message }] };
  }
}
