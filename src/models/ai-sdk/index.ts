// `weft/ai-sdk`: any AI SDK language model (LanguageModelV2, V3, V4) as a Weft chat model.
export { AISDKChatModel, fromAISDK, type FromAISDKOptions } from "./from-ai-sdk.js";
export type { AISDKLanguageModel } from "./ai-sdk-types.js";
// The AI SDK UI side (useChat): also at `weft/ai-sdk/ui`.
export {
  ResumableUIMessageStreams,
  UI_MESSAGE_STREAM_HEADERS,
  createUIMessageStreamResponse,
  fromUIMessages,
  toUIMessages,
  toUIMessageStream,
  toUIMessageStreamResponse,
  type UIMessage,
  type UIMessageChunk,
  type UIMessageStreamOptions,
  type UIMessageStreamResponseOptions,
} from "../../ui/ai-sdk/index.js";
