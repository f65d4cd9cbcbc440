// The AI SDK's UI message stream protocol (v1, AI SDK 5 and 6), written out so Weft speaks it without
// depending on `ai`: the chunks a response streams (UIMessageChunk) and the messages useChat posts (UIMessage).
// Field for field as `uiMessageChunkSchema` and `UIMessage` in the `ai` package; the tests check them with its parser.

/** One part of a UI message stream, as the server sends it (`data: {json}`). */
export type UIMessageChunk =
  | { type: "start"; messageId?: string; messageMetadata?: unknown }
  | { type: "finish"; finishReason?: UIFinishReason; messageMetadata?: unknown }
  | { type: "abort"; reason?: string }
  | { type: "error"; errorText: string }
  | { type: "start-step" }
  | { type: "finish-step" }
  | { type: "text-start"; id: string }
  | { type: "text-delta"; id: string; delta: string }
  | { type: "text-end"; id: string }
  | { type: "reasoning-start"; id: string }
  | { type: "reasoning-delta"; id: string; delta: string }
  | { type: "reasoning-end"; id: string }
  | { type: "tool-input-start"; toolCallId: string; toolName: string }
  | { type: "tool-input-delta"; toolCallId: string; inputTextDelta: string }
  | { type: "tool-input-available"; toolCallId: string; toolName: string; input: unknown }
  | { type: "tool-input-error"; toolCallId: string; toolName: string; input: unknown; errorText: string }
  | { type: "tool-output-available"; toolCallId: string; output: unknown }
  | { type: "tool-output-error"; toolCallId: string; errorText: string }
  | { type: "message-metadata"; messageMetadata: unknown }
  | UIDataChunk;

/** A `data-<name>` part: application data shown beside the text (made from a custom-mode write `{ type, id?, data }`). */
export interface UIDataChunk {
  type: `data-${string}`;
  /** Parts with the same type and id replace each other in the message (progress that updates in place). */
  id?: string;
  data: unknown;
  /** Sent to the client's `onData` only, never added to the message. */
  transient?: boolean;
}

export type UIFinishReason = "stop" | "length" | "content-filter" | "tool-calls" | "error" | "other";

/** The states a tool part of a UI message goes through. */
export type UIToolState =
  | "input-streaming"
  | "input-available"
  | "approval-requested"
  | "approval-responded"
  | "output-available"
  | "output-error"
  | "output-denied";

/** A part of a UI message as useChat keeps and posts it. */
export type UIMessagePart =
  | { type: "text"; text: string; state?: "streaming" | "done" }
  | { type: "reasoning"; text: string; state?: "streaming" | "done" }
  | { type: "file"; mediaType: string; url: string; filename?: string }
  | { type: "step-start" }
  | { type: "source-url"; sourceId: string; url: string; title?: string }
  | { type: "source-document"; sourceId: string; mediaType: string; title: string; filename?: string }
  | UIToolPart
  | { type: "dynamic-tool"; toolName: string; toolCallId: string; state: UIToolState; input?: unknown; output?: unknown; errorText?: string }
  | { type: `data-${string}`; id?: string; data: unknown };

/** A tool part: `tool-<name>`. */
export interface UIToolPart {
  type: `tool-${string}`;
  toolCallId: string;
  state: UIToolState;
  input?: unknown;
  output?: unknown;
  errorText?: string;
}

/** A message as useChat posts it: `{ id, role, parts }`. */
export interface UIMessage {
  id: string;
  role: "system" | "user" | "assistant";
  metadata?: unknown;
  parts: readonly UIMessagePart[];
}

/** The headers of a UI message stream response (`UI_MESSAGE_STREAM_HEADERS` in `ai`). */
export const UI_MESSAGE_STREAM_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "content-type": "text/event-stream",
  "cache-control": "no-cache",
  connection: "keep-alive",
  "x-vercel-ai-ui-message-stream": "v1",
  "x-accel-buffering": "no",
});
