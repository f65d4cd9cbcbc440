// The public API of Weft. Explicit named exports only.
export { WeftError, type WeftErrorCode, type WeftErrorOptions } from "./errors.js";
export { StateGraph, type AddNodeOptions, type InvokableNode, type NodeAction, type RouterAction, type SchemaFor, type SendTargetAction } from "./graph/state-graph.js";
export { CompiledGraph, type CompileOptions } from "./graph/compiled-graph.js";
export { START, END } from "./core/constants.js";
export { Send } from "./core/send.js";
export { Command, type CommandInit } from "./core/command.js";
export type { StateSnapshot } from "./runtime/thread-snapshot.js";
export { interrupt, isGraphInterrupt, INTERRUPT, type Interrupt } from "./runtime/interrupt.js";
export { GraphRecursionError } from "./runtime/graph-recursion-error.js";
export {
  Checkpointer,
  type Checkpoint,
  type CheckpointConfig,
  type CheckpointMetadata,
  type CheckpointTuple,
  type ListOptions,
  type PendingWrite,
} from "./core/checkpointer.js";
export { MemorySaver } from "./checkpoint/memory.js";
export { jsonSerde, type Serde } from "./core/serde.js";
export { lastValue } from "./channels/last-value.js";
export { reducer } from "./channels/reducer.js";
export type { Channel, ChannelSpec, StateSchema, StateOf, UpdateOf } from "./core/channel.js";
export { getConfig, getWriter } from "./runtime/context.js";
export type { NodeConfig, RunnableConfig, Writer } from "./runtime/config.js";
export { GraphStream, AwaitableGraphStream } from "./stream/graph-stream.js";
export { RunEventStream, SubgraphRunEventStream, AwaitableRunEventStream } from "./stream/run-event-stream.js";
export { ChatModelStream, type StreamedValue } from "./stream/chat-model-stream.js";
export type {
  InterruptPayload,
  LifecycleCause,
  LifecycleEntry,
  LifecycleStatus,
  MessageContentBlock,
  MessageContentDelta,
  MessageEvent,
  Namespace,
  ProtocolEvent,
  ProtocolMethod,
  ToolsEventData,
} from "./stream/run-event-types.js";
export type { StreamMode } from "./stream/run-stream.js";
export type { MessageMetadata } from "./stream/metadata.js";
export type { ChunkOf, DebugEvent, MessagesModeChunk, RunOptions, StreamOptions, StreamOutput, ToolEvent } from "./stream/stream-types.js";
export {
  BaseChatModel,
  NOSTREAM_TAG,
  assembleToolCalls,
  type BindToolsOptions,
  type ChatCallOptions,
  type ChatModelRequest,
  type ChatStreamPart,
  type ChatToolChoice,
  type ToolDefinition,
} from "./models/chat-model.js";
export { StructuredOutput, type StructuredOutputOptions } from "./models/structured-output.js";
export type { ToolChoiceInput } from "./models/tool-definition.js";
export {
  AIMessage,
  AIMessageChunk,
  HumanMessage,
  Message,
  SystemMessage,
  ToolMessage,
  RemoveMessage,
  REMOVE_ALL_MESSAGES,
  type LangChainMessageFields,
  type MessageConstructorFields,
  type MessageDict,
  type MessageFields,
  type MessageInit,
  type MessageLike,
  type MessageRole,
  type MessageType,
  type MessagesInput,
  type SerializedMessage,
  type ToolCall,
  type ToolCallChunk,
  type ToolStatus,
  type Usage,
} from "./core/messages.js";
export { toMessage, toMessages } from "./core/message-coercion.js";
export type { ContentBlock, ImageBlock, ImageUrlBlock, MessageContent, TextBlock } from "./core/content-blocks.js";
export { addMessages, type MessagesUpdate } from "./channels/messages.js";
export { MessagesState, MessagesAnnotation } from "./channels/messages-state.js";
export {
  Tool,
  tool,
  type StandardSchema,
  type ToolCallInput,
  type ToolConfig,
  type ToolFunction,
  type ToolInputIssue,
  type ToolInputOf,
  type ToolOptions,
} from "./models/tool.js";
