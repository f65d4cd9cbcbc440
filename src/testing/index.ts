// Test helpers that users import too: `weft/testing`.
export { FakeChatModel, splitWords, type FakeChatModelOptions, type FakeResponse } from "./fake-chat-model.js";
export {
  startOpenAICompatibleServer,
  type OpenAICompatibleServer,
  type OpenAICompatibleServerOptions,
  type RecordedRequest,
  type ResponseClosed,
  type ScriptedResponse,
  type ScriptedToolCall,
} from "./openai-compatible-server.js";
export { FaultPlan, type Fault, type FaultKind, type RandomFaultOptions } from "./fault-plan.js";
export {
  anthropicErrorEvent,
  startAnthropicServer,
  type AnthropicScriptedResponse,
  type AnthropicScriptedToolUse,
  type AnthropicServer,
  type AnthropicServerOptions,
} from "./anthropic-server.js";
export type { ScriptedFaults } from "./scripted-server.js";
