// A scripted chat model for tests and demos: it streams exactly the chunks it is given.
import { WeftError } from "../errors.js";
import { BaseChatModel, type ChatModelRequest, type ChatStreamPart } from "../models/chat-model.js";
import type { Message } from "../core/messages.js";
import { abortReason, abortableDelay } from "../runtime/abortable-delay.js";

export interface FakeChatModelOptions {
  /** One response per call, cycling. A string[] streams as exactly those chunks; a string is split into words. */
  responses: ReadonlyArray<string | readonly string[]>;
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
  private readonly responses: ReadonlyArray<readonly string[]>;
  private readonly delayMs: number;
  // An object, so views made by withConfig()/bindTools() share the position in the script.
  private readonly cursor = { next: 0 };

  constructor(options: FakeChatModelOptions) {
    super(options);
    if (!options || !Array.isArray(options.responses) || options.responses.length === 0) {
      throw new WeftError("INVALID_OPTIONS", "FakeChatModel needs `responses`: a non-empty array of strings or string arrays.");
    }
    this.responses = options.responses.map((response, index) => {
      if (typeof response === "string") return splitWords(response);
      if (Array.isArray(response) && response.every((chunk) => typeof chunk === "string")) return [...response];
      throw new WeftError("INVALID_OPTIONS", `FakeChatModel response ${index} must be a string or an array of strings.`);
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
    const chunks = this.responses[this.cursor.next++ % this.responses.length]!;
    const signal = request.signal;
    for (const chunk of chunks) {
      if (this.delayMs > 0) await abortableDelay(this.delayMs, signal);
      else if (signal?.aborted) throw abortReason(signal);
      yield chunk;
    }
  }
}

/** Split text into word tokens, each word with the whitespace that follows it. */
export function splitWords(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? [];
}
