// In-process GGUF models through node-llama-cpp (llama.cpp). Imported lazily: node-llama-cpp is an
// optional peer dependency, so `weft/llama-cpp` loads without it and says how to install it on first use.
import { basename } from "node:path";
import { WeftError } from "../../errors.js";
import { BaseChatModel, type ChatModelRequest, type ChatStreamPart } from "../chat-model.js";
import { streamFromCallback } from "./callback-stream.js";
import { defaultThreadCount, physicalCoreCount } from "./default-threads.js";
import { getSharedLlama, getSharedModel, resolveModelFile } from "./load-model.js";
import { renderPlainPrompt, toChatHistory } from "./render-prompt.js";

export interface ChatLlamaCppOptions {
  /** Path of a `.gguf` model file (relative paths resolve from the working directory). */
  modelPath: string;
  tags?: readonly string[];
  metadata?: Record<string, unknown>;
  /** 0 is greedy (always the most likely token). Default: node-llama-cpp's default (greedy). */
  temperature?: number;
  /** The most tokens one answer may have. Default: until the model stops or the context is full. */
  maxTokens?: number;
  /** Context window in tokens. Default: the model's training size, at most 4096. */
  contextSize?: number;
  /** CPU threads. Default: the physical core count, or 1 on machines with 2 cores or fewer. */
  threads?: number;
  /** Sampling seed, for reproducible answers when `temperature` > 0. */
  seed?: number;
}

const DEFAULT_MAX_CONTEXT = 4096;

/**
 * A chat model that runs a GGUF file in this process with llama.cpp (CPU), streaming token by token.
 *
 * Models with a chat template get the conversation through it; models without one (base models)
 * continue the plain text of the messages. The answer never repeats the prompt: for the prompt
 * "Once upon a time" the content starts with ", there was...".
 *
 * Instances with the same `modelPath` share one loaded model; each call gets its own context.
 *
 * @example
 * import { ChatLlamaCpp } from "weft/llama-cpp";
 * const model = new ChatLlamaCpp({ modelPath: "./models/qwen2.5-0.5b-instruct-q4_k_m.gguf", tags: ["joke"] });
 * const answer = await model.invoke("Write a joke about cats");
 */
export class ChatLlamaCpp extends BaseChatModel {
  readonly provider = "llama-cpp";
  readonly modelName: string;
  /** The absolute path of the model file. */
  readonly modelPath: string;
  readonly maxTokens: number | undefined;
  readonly contextSize: number | undefined;
  readonly threads: number | undefined;
  readonly seed: number | undefined;

  constructor(options: ChatLlamaCppOptions) {
    if (typeof options !== "object" || options === null || typeof options.modelPath !== "string" || options.modelPath === "") {
      throw new WeftError("INVALID_OPTIONS", 'ChatLlamaCpp needs `modelPath`, the path of a .gguf file: new ChatLlamaCpp({ modelPath: "./models/model.gguf" }).');
    }
    checkNumber("temperature", options.temperature, { min: 0 });
    checkNumber("maxTokens", options.maxTokens, { min: 1, integer: true });
    checkNumber("contextSize", options.contextSize, { min: 1, integer: true });
    checkNumber("threads", options.threads, { min: 1, integer: true });
    checkNumber("seed", options.seed, { min: 0, integer: true });
    super(options);
    this.modelPath = resolveModelFile(options.modelPath);
    this.modelName = basename(this.modelPath);
    this.maxTokens = options.maxTokens;
    this.contextSize = options.contextSize;
    this.threads = options.threads;
    this.seed = options.seed;
  }

  protected async *streamParts(request: ChatModelRequest): AsyncIterable<ChatStreamPart> {
    const model = await getSharedModel(this.modelPath);
    const { module, llama } = await getSharedLlama();
    const context = await model.createContext({
      contextSize: this.contextSize ?? { max: DEFAULT_MAX_CONTEXT },
      threads: this.threads ?? defaultThreadCount(physicalCoreCount(llama.cpuMathCores)),
      sequences: 1,
    });
    try {
      const contextSequence = context.getSequence();
      const hasChatTemplate = typeof model.fileInfo.metadata?.tokenizer?.chat_template === "string";
      let stopReason: string | undefined;
      const options = (push: (text: string) => void, signal: AbortSignal) => ({
        onTextChunk: push,
        signal,
        maxTokens: this.maxTokens,
        temperature: this.temperature,
        seed: this.seed,
      });
      yield* streamFromCallback(async (push, signal) => {
        if (hasChatTemplate) {
          const chat = new module.LlamaChat({ contextSequence });
          const response = await chat.generateResponse(toChatHistory(request.messages), options(push, signal));
          stopReason = response.metadata.stopReason;
        } else {
          const completion = new module.LlamaCompletion({ contextSequence });
          const response = await completion.generateCompletionWithMeta(renderPlainPrompt(request.messages), options(push, signal));
          stopReason = response.metadata.stopReason;
        }
      }, request.signal);
      if (stopReason !== undefined) yield { type: "finish", reason: finishReason(stopReason) };
    } finally {
      await context.dispose();
    }
  }
}

/** OpenAI-style finish reasons, so callers can treat every provider alike. */
function finishReason(stopReason: string): string {
  if (stopReason === "eogToken" || stopReason === "stopGenerationTrigger") return "stop";
  if (stopReason === "maxTokens") return "length";
  return stopReason;
}

function checkNumber(name: string, value: unknown, rule: { min: number; integer?: boolean }): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isFinite(value) || value < rule.min || (rule.integer && !Number.isInteger(value))) {
    throw new WeftError(
      "INVALID_OPTIONS",
      `ChatLlamaCpp option \`${name}\` must be ${rule.integer ? "an integer" : "a number"} >= ${rule.min}, not ${String(value)}.`,
    );
  }
}
