// Turns Weft messages into what llama.cpp takes: a chat history for models with a chat template,
// or one plain text to continue for models without one (base models such as stories260K).
// llama.cpp models here read text: content blocks give their text (`message.text`); images are left out.
import type { ChatHistoryItem } from "node-llama-cpp";
import type { Message } from "../../core/messages.js";

/**
 * The text a model without a chat template continues. A single user message is sent as it is,
 * so "Once upon a time" is continued like a story; several messages are joined by blank lines
 * in order (no role labels: a base model was not trained on any).
 */
export function renderPlainPrompt(messages: readonly Message[]): string {
  return messages.map((message) => message.text).join("\n\n");
}

/** The node-llama-cpp chat history for `messages`, ending with the empty model turn to fill. */
export function toChatHistory(messages: readonly Message[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = messages.map((message): ChatHistoryItem => {
    switch (message.role) {
      case "system":
        return { type: "system", text: message.text };
      case "assistant":
        return { type: "model", response: [message.text] };
      case "tool":
        return { type: "user", text: `Result of tool call ${message.toolCallId ?? ""}:\n${message.text}` };
      default:
        return { type: "user", text: message.text };
    }
  });
  history.push({ type: "model", response: [] });
  return history;
}
