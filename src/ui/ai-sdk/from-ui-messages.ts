// What useChat posts (UIMessage[]) as the messages of a graph's input: each user and system message as one
// message, each assistant message as an AIMessage per step followed by the ToolMessages answering its calls.
import { WeftError, describeValue } from "../../errors.js";
import type { ContentBlock } from "../../core/content-blocks.js";
import { AIMessage, HumanMessage, type Message, SystemMessage, type ToolCall, ToolMessage } from "../../core/messages.js";
import type { UIMessage, UIMessagePart, UIToolState } from "./ui-message-types.js";

/**
 * Weft messages for the UI messages useChat sends, ready for a `MessagesState` graph's input
 * (`addMessages` takes them). Ids are derived from the UI message ids, so converting the same history
 * twice gives the same ids and a checkpointed thread replaces rather than repeats them.
 *
 * - user: text parts joined (a string), or text and image blocks when images are attached (`file` parts
 *   with an `image/*` media type; other files are refused: Weft messages carry text and images);
 * - system: its text;
 * - assistant: per step (`step-start` parts split them) an AIMessage with the step's text, reasoning and
 *   tool calls (`tool-<name>` and `dynamic-tool` parts whose input is complete), then a ToolMessage per
 *   call with an output (`output-error` and `output-denied` as status "error"). Data, source and step parts
 *   are UI-only and dropped.
 *
 * @example
 * const { messages } = await request.json();
 * const stream = agent.stream({ messages: fromUIMessages(messages) }, { streamMode: ["messages", "custom", "tools"] });
 */
export function fromUIMessages(messages: readonly UIMessage[]): Message[] {
  if (!Array.isArray(messages)) throw invalid(`fromUIMessages() takes the array of UI messages useChat posts, not ${describeValue(messages)}.`);
  const result: Message[] = [];
  messages.forEach((message, index) => {
    const where = `UI message ${index}`;
    if (typeof message !== "object" || message === null || !Array.isArray(message.parts)) {
      throw invalid(`${where} is ${describeValue(message)}; a UI message is { id, role, parts: [...] }.`);
    }
    const id = typeof message.id === "string" && message.id !== "" ? message.id : undefined;
    switch (message.role) {
      case "user":
        result.push(new HumanMessage(userContent(message.parts, where), id === undefined ? {} : { id }));
        break;
      case "system":
        result.push(new SystemMessage(textOfParts(message.parts), id === undefined ? {} : { id }));
        break;
      case "assistant":
        result.push(...assistantMessages(message.parts, id ?? `ui-message-${index}`));
        break;
      default:
        throw invalid(`${where} has role ${describeValue((message as { role?: unknown }).role)}; UI messages are "user", "assistant" or "system".`);
    }
  });
  return result;
}

function userContent(parts: readonly UIMessagePart[], where: string): string | ContentBlock[] {
  if (parts.every((part) => part.type !== "file")) return textOfParts(parts);
  const blocks: ContentBlock[] = [];
  parts.forEach((part, index) => {
    if (part.type === "text") blocks.push({ type: "text", text: part.text });
    else if (part.type === "file") {
      if (typeof part.mediaType !== "string" || !part.mediaType.startsWith("image/")) {
        throw invalid(`${where}, part ${index}, is a ${describeValue(part.mediaType)} file; Weft messages carry text and images, so read other files into text before the graph.`);
      }
      blocks.push(imageBlock(part.url, part.mediaType));
    }
  });
  return blocks;
}

/** An image block: base64 data from a `data:` URL, else the URL. */
function imageBlock(url: string, mediaType: string): ContentBlock {
  const match = /^data:([^;,]+)?(;base64)?,(.*)$/s.exec(url);
  if (match !== null && match[2] !== undefined) return { type: "image", data: match[3]!, mimeType: match[1] ?? mediaType };
  return { type: "image", url, mimeType: mediaType };
}

function textOfParts(parts: readonly UIMessagePart[]): string {
  let text = "";
  for (const part of parts) if (part.type === "text") text += part.text;
  return text;
}

interface ToolPartView {
  toolCallId: string;
  toolName: string;
  state: UIToolState;
  input: unknown;
  output: unknown;
  errorText: string | undefined;
}

function toolPartOf(part: UIMessagePart): ToolPartView | undefined {
  if (part.type === "dynamic-tool") {
    const tool = part as Extract<UIMessagePart, { type: "dynamic-tool" }>;
    return { toolCallId: tool.toolCallId, toolName: tool.toolName, state: tool.state, input: tool.input, output: tool.output, errorText: tool.errorText };
  }
  if (part.type.startsWith("tool-")) {
    const tool = part as Extract<UIMessagePart, { type: `tool-${string}`; toolCallId: string }>;
    return { toolCallId: tool.toolCallId, toolName: part.type.slice("tool-".length), state: tool.state, input: tool.input, output: tool.output, errorText: tool.errorText };
  }
  return undefined;
}

/** States in which a tool call's input is complete (so the model asked for it). */
const CALLED: ReadonlySet<UIToolState> = new Set(["input-available", "approval-requested", "approval-responded", "output-available", "output-error", "output-denied"]);

function assistantMessages(parts: readonly UIMessagePart[], id: string): Message[] {
  const steps: UIMessagePart[][] = [[]];
  for (const part of parts) {
    if (part.type === "step-start") {
      if (steps.at(-1)!.length > 0) steps.push([]);
    } else steps.at(-1)!.push(part);
  }
  const messages: Message[] = [];
  let stepIndex = 0;
  for (const step of steps) {
    let text = "";
    let reasoning = "";
    const toolCalls: ToolCall[] = [];
    const answers: ToolMessage[] = [];
    for (const part of step) {
      if (part.type === "text") text += part.text;
      else if (part.type === "reasoning") reasoning += part.text;
      const tool = toolPartOf(part);
      if (tool === undefined || !CALLED.has(tool.state)) continue;
      const args = typeof tool.input === "object" && tool.input !== null && !Array.isArray(tool.input) ? (tool.input as Record<string, unknown>) : {};
      toolCalls.push({ id: tool.toolCallId, name: tool.toolName, args });
      const answer = answerOf(tool, `${id}-${tool.toolCallId}`);
      if (answer !== undefined) answers.push(answer);
    }
    if (text === "" && reasoning === "" && toolCalls.length === 0) continue;
    const fields: { id: string; toolCalls: ToolCall[]; reasoning?: string } = { id: stepIndex === 0 ? id : `${id}-${stepIndex}`, toolCalls };
    if (reasoning !== "") fields.reasoning = reasoning;
    messages.push(new AIMessage(text, fields), ...answers);
    stepIndex++;
  }
  return messages;
}

function answerOf(tool: ToolPartView, id: string): ToolMessage | undefined {
  const fields = { id, name: tool.toolName };
  if (tool.state === "output-available") {
    const content = typeof tool.output === "string" ? tool.output : tool.output === undefined ? "" : (JSON.stringify(tool.output) ?? String(tool.output));
    return new ToolMessage(content, tool.toolCallId, fields);
  }
  if (tool.state === "output-error") return new ToolMessage(tool.errorText ?? "The tool failed.", tool.toolCallId, { ...fields, status: "error" });
  if (tool.state === "output-denied") return new ToolMessage("The user denied this tool call.", tool.toolCallId, { ...fields, status: "error" });
  return undefined;
}

function invalid(message: string): WeftError {
  return new WeftError("INVALID_MESSAGES", message);
}
