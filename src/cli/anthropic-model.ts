// The demo's Anthropic choice: Claude through the AI SDK's @ai-sdk/anthropic provider and fromAISDK,
// loaded only when asked for, with a usage error that says what to install or set.
import { WeftError } from "../errors.js";
import { fromAISDK } from "../models/ai-sdk/index.js";
import type { BaseChatModel } from "../models/chat-model.js";
import type { DemoModelSettings } from "./demo-models.js";

type CreateAnthropic = (settings: { apiKey: string; baseURL?: string }) => (modelId: string) => Parameters<typeof fromAISDK>[0];

/** Loads @ai-sdk/anthropic; overridable in tests to see the missing-package error. */
export type ProviderImporter = () => Promise<{ createAnthropic: CreateAnthropic }>;
// A specifier in a variable: the package is an optional peer, and TypeScript must not resolve it.
const PROVIDER_PACKAGE = "@ai-sdk/anthropic";
const importProvider: ProviderImporter = () => import(PROVIDER_PACKAGE) as Promise<{ createAnthropic: CreateAnthropic }>;

export async function createAnthropicModel(
  model: string,
  settings: DemoModelSettings,
  env: Readonly<Record<string, string | undefined>>,
  load: ProviderImporter = importProvider,
): Promise<BaseChatModel> {
  const apiKey = env.ANTHROPIC_API_KEY?.trim();
  if (!apiKey) {
    throw new WeftError("INVALID_OPTIONS", `--model anthropic:${model} needs an API key: set the ANTHROPIC_API_KEY environment variable (and ANTHROPIC_BASE_URL for another server).`);
  }
  let provider: { createAnthropic: CreateAnthropic };
  try {
    provider = await load();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") throw error;
    throw new WeftError(
      "MISSING_DEPENDENCY",
      `--model anthropic:${model} needs the AI SDK's Anthropic provider, which is not installed. Install it with: npm install @ai-sdk/anthropic.`,
      { cause: error, details: { package: "@ai-sdk/anthropic" } },
    );
  }
  const baseURL = apiBaseURL(env.ANTHROPIC_BASE_URL);
  const anthropic = provider.createAnthropic(baseURL === undefined ? { apiKey } : { apiKey, baseURL });
  return fromAISDK(anthropic(model), { temperature: settings.temperature, maxTokens: settings.maxTokens });
}

/**
 * ANTHROPIC_BASE_URL as @ai-sdk/anthropic takes it (ending in /v1). Anthropic's own SDK takes the
 * server root, so both spellings are accepted: "http://host:8080" and "http://host:8080/v1".
 */
export function apiBaseURL(value: string | undefined): string | undefined {
  const trimmed = value?.trim().replace(/\/+$/, "");
  if (!trimmed) return undefined;
  if (!URL.canParse(trimmed)) throw new WeftError("INVALID_OPTIONS", `ANTHROPIC_BASE_URL "${trimmed}" is not a URL; use e.g. https://api.anthropic.com.`);
  return trimmed.endsWith("/v1") ? trimmed : `${trimmed}/v1`;
}
