// The demo's OpenAI choice, kept in one module: a ChatOpenAI for messages mode, and the raw SDK
// token stream (streamOpenAITokens) for the "without a model class" custom mode.
import { ChatOpenAI, streamOpenAITokens } from "../models/openai/index.js";
import type { DemoModels, DemoModelSettings } from "./demo-models.js";

export function createOpenAIModels(model: string, settings: DemoModelSettings): DemoModels {
  const base = new ChatOpenAI({ model, temperature: settings.temperature, maxTokens: settings.maxTokens });
  return {
    jokeModel: base.withConfig({ tags: ["joke"] }),
    poemModel: base.withConfig({ tags: ["poem"] }),
    streamTokens: (messages, signal) => streamOpenAITokens(base.client, model, messages, signal),
  };
}
