// Builds the demo's joke and poem models (and a raw token stream for custom mode) for a choice.
import type { TokenStreamer } from "../demo/joke-poem-custom-graph.js";
import { WeftError } from "../errors.js";
import type { BaseChatModel } from "../models/chat-model.js";
import { ChatLlamaCpp } from "../models/llama-cpp/index.js";
import { TinyChatModel } from "../models/tiny/index.js";
import type { ModelChoice } from "./select-model.js";

export interface DemoModels {
  jokeModel: BaseChatModel;
  poemModel: BaseChatModel;
  streamTokens: TokenStreamer;
}

export interface DemoModelSettings {
  seed?: number | undefined;
  temperature?: number | undefined;
  maxTokens?: number | undefined;
  /** Tokens per second of the tiny model. */
  pace: number;
}

/** A GGUF model would otherwise write until its context is full. */
const DEFAULT_GGUF_MAX_TOKENS = 256;

export async function createDemoModels(choice: ModelChoice, settings: DemoModelSettings): Promise<DemoModels> {
  if (choice.kind === "openai") {
    const { createOpenAIModels } = await import("./openai-models.js");
    return createOpenAIModels(choice.model, settings);
  }
  if (choice.kind === "anthropic") {
    const { createAnthropicModel } = await import("./anthropic-model.js");
    return fromBase(await createAnthropicModel(choice.model, settings, process.env));
  }
  const base: BaseChatModel =
    choice.kind === "gguf"
      ? createLlamaCppModel(choice.path, choice.reason, settings)
      : new TinyChatModel({ seed: settings.seed, temperature: settings.temperature, maxTokens: settings.maxTokens, tokensPerSecond: settings.pace });
  return fromBase(base);
}

/** The demo's two tagged models and its custom-mode token stream, over one chat model. */
function fromBase(base: BaseChatModel): DemoModels {
  return {
    jokeModel: base.withConfig({ tags: ["joke"] }),
    poemModel: base.withConfig({ tags: ["poem"] }),
    streamTokens: (messages, signal) => chatModelTokens(base, messages, signal),
  };
}

function createLlamaCppModel(path: string, reason: string, settings: DemoModelSettings): ChatLlamaCpp {
  try {
    return new ChatLlamaCpp({ modelPath: path, seed: settings.seed, temperature: settings.temperature, maxTokens: settings.maxTokens ?? DEFAULT_GGUF_MAX_TOKENS });
  } catch (error) {
    if (!WeftError.isInstance(error) || error.code !== "MODEL_NOT_FOUND") throw error;
    throw new WeftError(
      "MODEL_NOT_FOUND",
      `No .gguf model file at ${path} (${reason}). Check the path, or leave --model and WEFT_MODEL unset to use the first .gguf in ./models or the built-in tiny model.`,
      { cause: error, details: error.details },
    );
  }
}

/** A chat model's answer as a plain `{ role, content }` token stream, for custom mode. */
async function* chatModelTokens(model: BaseChatModel, messages: Array<{ role: "user"; content: string }>, signal: AbortSignal) {
  for await (const chunk of model.stream(messages, { signal })) {
    if (chunk.content !== "") yield { role: chunk.role, content: chunk.content };
  }
}
