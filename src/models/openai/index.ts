// `weft/openai`: chat models served by OpenAI or any OpenAI-compatible server.
export { ChatOpenAI, type ChatOpenAIOptions } from "./chat-openai.js";
export type { OpenAIToolInput } from "./openai-messages.js";
export { streamOpenAITokens, type TokenChunk } from "./stream-tokens.js";
