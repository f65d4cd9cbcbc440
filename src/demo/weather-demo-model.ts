// The model of the chat demo `weft serve` shows at /: offline and deterministic, yet it answers what
// the user asks. Asked about a place, it reasons, says it will look, and calls both demo tools; given
// their results, it answers from them. Tokens are paced like a real model's, so the page fills visibly.
import { BaseChatModel, type ChatModelRequest, type ChatStreamPart } from "../models/chat-model.js";
import { abortableDelay } from "../runtime/abortable-delay.js";
import { splitWords } from "../testing/fake-chat-model.js";

export interface WeatherDemoModelOptions {
  /** Tokens per second (default 25; 0 = as fast as possible). */
  tokensPerSecond?: number;
}

export class WeatherDemoModel extends BaseChatModel {
  readonly provider = "weft-demo";
  readonly modelName = "weather-demo";
  private readonly delayMs: number;

  constructor(options: WeatherDemoModelOptions = {}) {
    super({});
    const tokensPerSecond = options.tokensPerSecond ?? 25;
    this.delayMs = tokensPerSecond > 0 ? 1000 / tokensPerSecond : 0;
  }

  protected async *streamParts(request: ChatModelRequest): AsyncIterable<ChatStreamPart> {
    const last = request.messages.at(-1);
    const parts: ChatStreamPart[] = [];
    if (last?.role === "tool") {
      // Answer from the tool results of this turn (the messages after the last assistant call).
      const results = request.messages.slice(request.messages.findLastIndex((message) => message.role === "assistant") + 1);
      const place = placeOf(request.messages.findLast((message) => message.role === "user")?.text ?? "");
      const [weather, fahrenheit] = results.map((message) => message.text);
      parts.push(...splitWords(`In ${place} it is ${weather ?? "unknown"}${fahrenheit === undefined ? "" : ` (${fahrenheit})`}. Enjoy your day!`));
    } else {
      const place = placeOf(last?.text ?? "");
      for (const text of splitWords(`The user asks about ${place}; I will ask the weather station and convert the temperature.`)) parts.push({ type: "reasoning", text });
      parts.push(...splitWords(`Let me check ${place}.`));
      const turn = crypto.randomUUID().slice(0, 8);
      parts.push({ type: "tool-call", index: 0, id: `call_${turn}_weather`, name: "get_weather", args: JSON.stringify({ city: place }) });
      parts.push({ type: "tool-call", index: 1, id: `call_${turn}_convert`, name: "celsius_to_fahrenheit", args: JSON.stringify({ celsius: 12 + (place.length % 10) }) });
      parts.push({ type: "finish", reason: "tool_calls" });
    }
    for (const part of parts) {
      await abortableDelay(this.delayMs, request.signal);
      yield part;
    }
  }
}

/** The place a question is about: its last capitalised word, else its last word ("Paris" in "Weather in Paris?"). */
function placeOf(question: string): string {
  const words = question.match(/[\p{L}][\p{L}\p{M}'-]*/gu) ?? [];
  const named = words.filter((word) => word[0] === word[0]!.toUpperCase() && word[0] !== word[0]!.toLowerCase());
  return named.at(-1) ?? words.at(-1) ?? "your town";
}
