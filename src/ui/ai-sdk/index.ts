// AI SDK UI (`useChat` from @ai-sdk/react): a Weft run as a UI message stream, and useChat's messages as graph input.
export {
  toUIMessageStream,
  toUIMessageStreamResponse,
  createUIMessageStreamResponse,
  type UIMessageStreamOptions,
  type UIMessageStreamResponseOptions,
} from "./to-ui-message-stream.js";
export { fromUIMessages } from "./from-ui-messages.js";
export { toUIMessages } from "./to-ui-messages.js";
export { ResumableUIMessageStreams } from "./resumable-ui-message-streams.js";
export type { UIMessageWriterOptions } from "./ui-message-writer.js";
export {
  UI_MESSAGE_STREAM_HEADERS,
  type UIDataChunk,
  type UIFinishReason,
  type UIMessage,
  type UIMessageChunk,
  type UIMessagePart,
  type UIToolPart,
  type UIToolState,
} from "./ui-message-types.js";
