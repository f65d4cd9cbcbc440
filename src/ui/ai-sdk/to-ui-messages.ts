// A thread's saved messages as the UI messages useChat renders, for the `messages` a page starts with
// (a reload, a chat picked from a list). The inverse of fromUIMessages: one user message each, and
// each assistant turn (its model calls and the tool results between them) as ONE assistant message
// whose steps hold text, reasoning and `tool-<name>` parts, as the UI message stream built it.
import { WeftError, describeValue } from "../../errors.js";
import { Message, type ToolMessage } from "../../core/messages.js";
import type { UIMessage, UIMessagePart, UIToolPart } from "./ui-message-types.js";

/** UI messages of `messages` (Weft messages, as a thread's state holds them). */
export function toUIMessages(messages: readonly Message[]): UIMessage[] {
  if (!Array.isArray(messages)) throw new WeftError("INVALID_MESSAGES", `toUIMessages() takes an array of messages, not ${describeValue(messages)}.`);
  const result: UIMessage[] = [];
  let turn: { id: string; parts: UIMessagePart[]; tools: Map<string, UIToolPart> } | undefined;
  const endTurn = () => {
    if (turn !== undefined) result.push({ id: turn.id, role: "assistant", parts: turn.parts });
    turn = undefined;
  };
  messages.forEach((message, index) => {
    if (!(message instanceof Message)) throw new WeftError("INVALID_MESSAGES", `Message ${index} is ${describeValue(message)}, not a Weft message.`);
    const id = message.id ?? `message-${index}`;
    if (message.role === "user" || message.role === "system") {
      endTurn();
      result.push({ id, role: message.role, parts: message.text === "" ? [] : [{ type: "text", text: message.text, state: "done" }] });
      return;
    }
    turn ??= { id, parts: [], tools: new Map() };
    if (message.role === "tool") {
      const tool = message as ToolMessage;
      const part = turn.tools.get(tool.toolCallId ?? "");
      if (part === undefined) return; // an answer to no call of this turn: nothing to attach it to
      if (tool.status === "error") Object.assign(part, { state: "output-error", errorText: tool.text });
      else Object.assign(part, { state: "output-available", output: tool.content });
      return;
    }
    turn.parts.push({ type: "step-start" });
    const reasoning = (message as { reasoning?: string }).reasoning;
    if (reasoning) turn.parts.push({ type: "reasoning", text: reasoning, state: "done" });
    if (message.text !== "") turn.parts.push({ type: "text", text: message.text, state: "done" });
    for (const call of message.toolCalls) {
      const part: UIToolPart = { type: `tool-${call.name}`, toolCallId: call.id, state: "input-available", input: call.args };
      turn.tools.set(call.id, part);
      turn.parts.push(part);
    }
  });
  endTurn();
  return result;
}
