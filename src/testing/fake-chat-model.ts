// A scripted chat model for tests and demos: it streams exactly the chunks it is given.
import { WeftError } from "../errors.js";
import { BaseChatModel, type ChatModelRequest, type ChatStreamPart, type ChatToolChoice, type ToolDefinition } from "../models/chat-model.js";
import type { Message, Usage } from "../core/messages.js";
import { abortReason, abortableDelay } from "../runtime/abortable-delay.js";

/**
 * A scripted answer with more than text: `content` streams as those chunks (a string is split into
 * words), `reasoning` as reasoning parts before it, and each tool call after it as tool-call chunks
 * (its arguments' JSON in two or more fragments, as providers send them). The final AIMessage has
 * `toolCalls`, `reasoning` and `usage` (`usage` as given, else counted in words and chunks).
 */
export interface FakeResponse {
  content?: string | readonly string[];
  toolCalls?: ReadonlyArray<{ id?: string; name: string; args: Record<string, unknown> }>;
  reasoning?: readonly string[];
  usage?: Usage;
}

export interface FakeChatModelOptions {
  /**
   * One response per call, cycling. A string[] streams as exactly those chunks; a string is split into
   * words; a {@link FakeResponse} adds tool calls, reasoning and usage.
   */
  responses: ReadonlyArray<string | readonly string[] | FakeResponse>;
  tags?: readonly string[];
  metadata?: Record<string, unknown>;
  /** Milliseconds to wait before each chunk (honours abort). */
  delayMs?: number;
  temperature?: number;
  /** `ls_model_name` in metadata; default "fake-chat-model". */
  model?: string;
}

/**
 * A chat model that streams scripted responses.
 *
 * @example
 * const model = new FakeChatModel({ responses: [["Why ", "did ", "the ", "cat..."]], tags: ["joke"] });
 */
export class FakeChatModel extends BaseChatModel {
  readonly provider = "fake";
  readonly modelName: string;
  /** The messages of every call, in call order. */
  readonly calls: Message[][] = [];
  /** The tools offered to the model in every call (bindTools()), in call order. */
  readonly toolsOfCalls: Array<readonly ToolDefinition[]> = [];
  /** bindTools' `tool_choice` of every call (undefined: the model decides), in call order. */
  readonly toolChoiceOfCalls: Array<ChatToolChoice | undefined> = [];
  private readonly responses: ReadonlyArray<readonly string[] | ScriptedResponse>;
  private readonly delayMs: number;
  // An object, so views made by withConfig()/bindTools() share the position in the script.
  private readonly cursor = { next: 0 };

  constructor(options: FakeChatModelOptions) {
    super(options);
    if (!options || !Array.isArray(options.responses) || options.responses.length === 0) {
      throw new WeftError("INVALID_OPTIONS", "FakeChatModel needs `responses`: a non-empty array of strings, string arrays or { content, toolCalls, reasoning } objects.");
    }
    this.responses = options.responses.map((response, index) => {
      if (typeof response === "string") return splitWords(response);
      if (Array.isArray(response) && response.every((chunk) => typeof chunk === "string")) return [...response];
      if (typeof response === "object" && response !== null && !Array.isArray(response)) return scripted(response as FakeResponse, index);
      throw new WeftError("INVALID_OPTIONS", `FakeChatModel response ${index} must be a string, an array of strings, or { content, toolCalls, reasoning }.`);
    });
    const delayMs = options.delayMs ?? 0;
    if (!Number.isFinite(delayMs) || delayMs < 0) {
      throw new WeftError("INVALID_OPTIONS", `FakeChatModel delayMs must be a number >= 0, not ${String(options.delayMs)}.`);
    }
    this.delayMs = delayMs;
    this.modelName = options.model ?? "fake-chat-model";
  }

  protected async *streamParts(request: ChatModelRequest): AsyncIterable<ChatStreamPart> {
    this.calls.push(request.messages);
    this.toolsOfCalls.push(request.tools);
    this.toolChoiceOfCalls.push(request.toolChoice);
    const callNumber = this.cursor.next++;
    const response = this.responses[callNumber % this.responses.length]!;
    const parts = Array.isArray(response) ? (response as readonly string[]) : partsOf(response as ScriptedResponse, callNumber, request.messages);
    const signal = request.signal;
    for (const part of parts) {
      if (this.delayMs > 0) await abortableDelay(this.delayMs, signal);
      else if (signal?.aborted) throw abortReason(signal);
      yield part;
    }
  }
}

/** A FakeResponse checked once, when the model is made. */
interface ScriptedResponse {
  readonly scripted: true;
  readonly content: readonly string[];
  readonly reasoning: readonly string[];
  readonly toolCalls: ReadonlyArray<{ id: string | undefined; name: string; args: Record<string, unknown> }>;
  readonly usage: Usage | undefined;
}

function scripted(response: FakeResponse, index: number): ScriptedResponse {
  const bad = (what: string) => new WeftError("INVALID_OPTIONS", `FakeChatModel response ${index}: ${what}`);
  const content = response.content === undefined ? [] : typeof response.content === "string" ? splitWords(response.content) : response.content;
  if (!Array.isArray(content) || content.some((chunk) => typeof chunk !== "string")) throw bad("`content` must be a string or an array of strings.");
  const reasoning = response.reasoning ?? [];
  if (!Array.isArray(reasoning) || reasoning.some((chunk) => typeof chunk !== "string")) throw bad("`reasoning` must be an array of strings.");
  const toolCalls = response.toolCalls ?? [];
  if (!Array.isArray(toolCalls)) throw bad("`toolCalls` must be an array of { id?, name, args }.");
  for (const call of toolCalls) {
    if (typeof call?.name !== "string" || call.name === "") throw bad("each tool call needs a `name`.");
    if (typeof call.args !== "object" || call.args === null || Array.isArray(call.args)) throw bad(`tool call "${call.name}" needs \`args\` as an object.`);
  }
  return { scripted: true, content: [...content], reasoning: [...reasoning], toolCalls: toolCalls.map((call) => ({ id: call.id, name: call.name, args: call.args })), usage: response.usage };
}

/** The stream of a scripted response: reasoning, content, then each tool call in fragments, then usage. */
function partsOf(response: ScriptedResponse, callNumber: number, messages: readonly Message[]): ChatStreamPart[] {
  const parts: ChatStreamPart[] = [];
  for (const text of response.reasoning) parts.push({ type: "reasoning", text });
  parts.push(...response.content);
  response.toolCalls.forEach((call, index) => {
    const json = JSON.stringify(call.args);
    const middle = Math.max(1, Math.floor(json.length / 2));
    parts.push({ type: "tool-call", index, id: call.id ?? `call_${callNumber + 1}_${index}`, name: call.name, args: json.slice(0, middle) });
    parts.push({ type: "tool-call", index, args: json.slice(middle) });
  });
  const outputTokens = parts.length;
  const inputTokens = messages.reduce((sum, message) => sum + splitWords(message.text).length, 0);
  parts.push({ type: "usage", usage: response.usage ?? { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens } });
  parts.push({ type: "finish", reason: response.toolCalls.length > 0 ? "tool_calls" : "stop" });
  return parts;
}

/** Split text into word tokens, each word with the whitespace that follows it. */
export function splitWords(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? [];
}
