// The part of the AI SDK's provider contract (LanguageModelV2, V3 and V4 from @ai-sdk/provider) that
// Weft uses, written out structurally so that no AI SDK package is needed to compile or load Weft.
// The three versions agree on everything here except a file part's data (V4 tags it), usage and the
// finish reason, typed as unions.

interface AISDKModelIdentity {
  /** e.g. "anthropic.messages", "openai.chat". */
  readonly provider: string;
  readonly modelId: string;
}

/** A LanguageModelV2 or V3: a file part's data is base64 text or a URL. */
export interface AISDKLanguageModelV2OrV3 extends AISDKModelIdentity {
  readonly specificationVersion: "v2" | "v3";
  doStream(options: AISDKCallOptions<string | URL>): PromiseLike<{ stream: ReadableStream<unknown> }>;
}

/** A LanguageModelV4: a file part's data is tagged, `{ type: "data", data }` or `{ type: "url", url }`. */
export interface AISDKLanguageModelV4 extends AISDKModelIdentity {
  readonly specificationVersion: "v4";
  doStream(options: AISDKCallOptions<AISDKTaggedFileData>): PromiseLike<{ stream: ReadableStream<unknown> }>;
}

/** An AI SDK language model: `anthropic("claude-sonnet-4-5")`, `openai.chat("gpt-4o")`, ... */
export type AISDKLanguageModel = AISDKLanguageModelV2OrV3 | AISDKLanguageModelV4;

export type AISDKTaggedFileData = { type: "data"; data: string } | { type: "url"; url: URL };

export type AISDKPromptMessage<FileData = string | URL> =
  | { role: "system"; content: string }
  | { role: "user"; content: Array<{ type: "text"; text: string } | AISDKFilePart<FileData>> }
  | {
      role: "assistant";
      content: Array<{ type: "text"; text: string } | { type: "reasoning"; text: string } | { type: "tool-call"; toolCallId: string; toolName: string; input: unknown }>;
    }
  | { role: "tool"; content: Array<{ type: "tool-result"; toolCallId: string; toolName: string; output: { type: "text"; value: string } }> };

/** A file part of a user message (images are files with an image media type): base64 text or a URL. */
export interface AISDKFilePart<FileData = string | URL> {
  type: "file";
  data: FileData;
  /** e.g. "image/png"; "image/*" for an image of unknown type given by URL. */
  mediaType: string;
}

export interface AISDKFunctionTool {
  type: "function";
  name: string;
  description?: string;
  inputSchema: Record<string, any>;
}

/** The call options Weft sends (a subset of LanguageModelV2/3/4CallOptions, the same in all three but file data). */
export interface AISDKCallOptions<FileData = string | URL> {
  prompt: AISDKPromptMessage<FileData>[];
  maxOutputTokens?: number;
  temperature?: number;
  tools?: AISDKFunctionTool[];
  toolChoice?: { type: "auto" } | { type: "none" } | { type: "required" } | { type: "tool"; toolName: string };
  abortSignal?: AbortSignal;
  providerOptions?: Record<string, Record<string, any>>;
  headers?: Record<string, string | undefined>;
}

/** V2 reports flat token counts; V3 and V4 report input/output objects with a `total`. */
export type AISDKUsage =
  | { inputTokens: number | undefined; outputTokens: number | undefined; totalTokens?: number | undefined }
  | { inputTokens: { total: number | undefined }; outputTokens: { total: number | undefined } };

/** V2 sends a plain reason; V3 and V4 send `{ unified, raw }`. */
export type AISDKFinishReason = string | { unified: string; raw: string | undefined };

/** The stream parts Weft reads; any other part type (text-start, sources, files, raw, ...) is passed over. */
export type AISDKStreamPart =
  | { type: "text-delta"; id: string; delta: string }
  | { type: "reasoning-delta"; id: string; delta: string }
  | { type: "tool-input-start"; id: string; toolName: string; providerExecuted?: boolean }
  | { type: "tool-input-delta"; id: string; delta: string }
  | { type: "tool-call"; toolCallId: string; toolName: string; input: string; providerExecuted?: boolean }
  | { type: "response-metadata"; id?: string; modelId?: string }
  | { type: "finish"; usage: AISDKUsage; finishReason: AISDKFinishReason }
  | { type: "error"; error: unknown };
