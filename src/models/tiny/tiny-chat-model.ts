// The built-in offline model of the demo: a word-level trigram model trained at load time on the
// jokes and poems in corpus/. A demo model, not an assistant: it only writes jokes and short poems.
import { WeftError } from "../../errors.js";
import { abortReason, abortableWaitUntil } from "../../runtime/abortable-delay.js";
import { BaseChatModel, type ChatModelRequest, type ChatStreamPart } from "../chat-model.js";
import { generateText } from "./generate-text.js";
import { hashText } from "../../core/seeded-random.js";
import { readPrompt } from "./topic.js";
import { toTextChunks, tokenizeWords } from "./word-tokens.js";

export interface TinyChatModelOptions {
  tags?: readonly string[];
  metadata?: Record<string, unknown>;
  /** Sampling seed: one seed and one prompt always give the same text. Default: a new random seed per call. */
  seed?: number;
  /** 0 always picks the likeliest next word; default 0.8. */
  temperature?: number;
  /** The most tokens (words, punctuation marks and line breaks) of one answer. Default 60 for a joke, 90 for a poem. */
  maxTokens?: number;
  /** Pace of the stream in tokens per second, so a demo can watch it; 0 (the default) is as fast as possible. */
  tokensPerSecond?: number;
}

const DEFAULT_TEMPERATURE = 0.8;

/**
 * A tiny statistical language model that ships with Weft and needs no download, network or GPU:
 * a word-level trigram model with backoff to bigrams and unigrams, trained when first used on 160
 * short jokes and 160 short poems written for this project (the package's `corpus/` folder).
 *
 * **It is a demo model.** It writes a joke, or a short poem when the prompt asks for a poem, about
 * the prompt's topic (a topic it has never seen is swapped into text written about one it knows).
 * Its text is new — never a verbatim corpus entry — but often ungrammatical or nonsensical. It
 * cannot follow instructions, answer questions or call tools. Use it to watch tokens stream offline;
 * use a real model (`weft/openai`, `weft/llama-cpp`) for anything else.
 *
 * @example
 * import { TinyChatModel } from "weft/models/tiny";
 * const model = new TinyChatModel({ tags: ["joke"], seed: 7, tokensPerSecond: 20 });
 * const answer = await model.invoke("Write a joke about cats");
 */
export class TinyChatModel extends BaseChatModel {
  readonly provider = "weft-tiny";
  readonly modelName = "weft-tiny-trigram";
  readonly seed: number | undefined;
  readonly maxTokens: number | undefined;
  readonly tokensPerSecond: number;

  constructor(options: TinyChatModelOptions = {}) {
    if (typeof options !== "object" || options === null) {
      throw new WeftError("INVALID_OPTIONS", "TinyChatModel takes an options object, e.g. new TinyChatModel({ seed: 1 }).");
    }
    checkNumber("seed", options.seed, 0, true);
    checkNumber("temperature", options.temperature, 0, false);
    checkNumber("maxTokens", options.maxTokens, 1, true);
    checkNumber("tokensPerSecond", options.tokensPerSecond, 0, false);
    super({ ...options, temperature: options.temperature ?? DEFAULT_TEMPERATURE });
    this.seed = options.seed;
    this.maxTokens = options.maxTokens;
    this.tokensPerSecond = options.tokensPerSecond ?? 0;
  }

  protected async *streamParts(request: ChatModelRequest): AsyncIterable<ChatStreamPart> {
    const prompt = [...request.messages].reverse().find((message) => message.role === "user")?.text ?? "";
    const { style, topic } = readPrompt(prompt);
    // Mixing the prompt into the seed lets one seeded model write different texts for different prompts.
    const baseSeed = this.seed ?? Math.floor(Math.random() * 2 ** 32);
    const generation = generateText({
      style,
      topic,
      seed: (baseSeed ^ hashText(prompt)) >>> 0,
      temperature: this.temperature ?? DEFAULT_TEMPERATURE,
      maxTokens: this.maxTokens ?? Number.POSITIVE_INFINITY,
    });
    // The whole text takes microseconds to sample; the pace only spaces out its delivery.
    const interval = this.tokensPerSecond > 0 ? 1000 / this.tokensPerSecond : 0;
    const started = performance.now();
    const chunks = toTextChunks(generation.tokens);
    for (let index = 0; index < chunks.length; index++) {
      if (interval > 0) await abortableWaitUntil(started + index * interval, request.signal);
      else if (request.signal?.aborted) throw abortReason(request.signal);
      yield chunks[index]!;
    }
    const inputTokens = request.messages.reduce((sum, message) => sum + tokenizeWords(message.text).length, 0);
    yield { type: "usage", usage: { inputTokens, outputTokens: chunks.length, totalTokens: inputTokens + chunks.length } };
    yield { type: "finish", reason: generation.finishReason };
  }
}

function checkNumber(name: string, value: unknown, min: number, integer: boolean): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new WeftError("INVALID_OPTIONS", `TinyChatModel option \`${name}\` must be ${integer ? "an integer" : "a number"} >= ${min}, not ${String(value)}.`);
  }
}
