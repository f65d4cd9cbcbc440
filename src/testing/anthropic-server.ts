// A real HTTP server on 127.0.0.1 that speaks Anthropic's Messages API (JSON and its SSE event stream:
// message_start, ping, content_block_start/delta/stop for text, thinking and tool_use, message_delta,
// message_stop), with scripted answers and the same injectable faults as the OpenAI-compatible server.
import type { ServerResponse } from "node:http";
import type { RandomFaultOptions } from "./fault-plan.js";
import {
  Script,
  countWords,
  echoWords,
  retryHeaders,
  sendJson,
  startScriptedServer,
  writeStream,
  type RecordedRequest,
  type ResponseState,
  type ScriptedFaults,
  type ScriptedServer,
  type StreamEvent,
} from "./scripted-server.js";

/** A tool_use block: the input JSON as one string or as the exact `input_json_delta` fragments to send. */
export interface AnthropicScriptedToolUse {
  /** Default `toolu_test_<request>_<position>`. */
  id?: string;
  name: string;
  input: string | readonly string[];
}

/** One scripted answer of the Anthropic server, with optional faults (see `ScriptedFaults`). */
export interface AnthropicScriptedResponse extends ScriptedFaults {
  /** A thinking block first: its `thinking_delta` fragments, then one `signature_delta`. */
  thinking?: string | readonly string[];
  /** The thinking block's signature (default "sig-test"). */
  signature?: string;
  /** A text block: one `text_delta` per token (a string is sent as one delta). */
  text?: string | readonly string[];
  /** tool_use blocks after the text, one after another, as Anthropic sends parallel tool calls. */
  toolUses?: readonly AnthropicScriptedToolUse[];
  /**
   * Raw events sent as-is between message_start (and its ping) and message_delta, instead of
   * thinking/text/toolUses (for unusual orders); every content_block_delta counts as a content chunk.
   */
  events?: readonly Record<string, unknown>[];
  /** Default "tool_use" when there are tool uses, else "end_turn". */
  stopReason?: string;
  /** Default: prompt words in, one token per content chunk out. */
  usage?: { inputTokens: number; outputTokens: number };
}

export interface AnthropicServerOptions {
  /** Answers, used in order and cycling (entries with `times` repeat). Default: echo the last user message. */
  responses?: readonly AnthropicScriptedResponse[];
  /** Decide the answer per request instead (wins over `responses`). */
  respond?: (request: RecordedRequest) => AnthropicScriptedResponse;
  /** Milliseconds before each content chunk (default 0). */
  chunkDelayMs?: number;
  /** Seeded random faults on top of the scripted answers (statuses come with Anthropic's error JSON). */
  randomFaults?: RandomFaultOptions;
}

export interface AnthropicServer {
  /** The server root, as Anthropic's own SDK (and LangChain's `ChatAnthropic` `anthropicApiUrl`) takes it. */
  url: string;
  /** `url` + "/v1", as `createAnthropic({ baseURL })` of `@ai-sdk/anthropic` takes it. */
  apiURL: string;
  port: number;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Resolves with request number `index` (0-based) once it has arrived. */
  waitForRequest(index: number): Promise<RecordedRequest>;
  /** Stop listening and destroy open connections. */
  close(): Promise<void>;
}

/**
 * Start an Anthropic Messages API server on 127.0.0.1 (a free port) for tests and offline demos.
 *
 * @example
 * const server = await startAnthropicServer({ responses: [{ thinking: ["Hm."], text: ["Hello", " world"] }] });
 * const model = fromAISDK(createAnthropic({ baseURL: server.apiURL, apiKey: "test" })("claude-sonnet-4-5"));
 * await model.invoke("hi"); // AIMessage "Hello world", reasoning "Hm."
 * await server.close();
 */
export async function startAnthropicServer(options: AnthropicServerOptions = {}): Promise<AnthropicServer> {
  const script = new Script<AnthropicScriptedResponse>("startAnthropicServer", options, (request) => ({ text: echoWords(lastUserText(request.body.messages)) }));
  const server: ScriptedServer = await startScriptedServer(answer);

  async function answer(request: RecordedRequest, response: ServerResponse, state: ResponseState) {
    if (request.method !== "POST" || !request.path.split("?")[0]!.endsWith("/v1/messages")) {
      return sendError(response, 404, `No route ${request.method} ${request.path}; this test server serves POST /v1/messages.`, request.index);
    }
    const body = request.body;
    if (typeof body !== "object" || body === null || !Array.isArray(body.messages)) {
      return sendError(response, 400, "messages: Field required", request.index);
    }
    if (!Number.isInteger(body.max_tokens)) return sendError(response, 400, "max_tokens: Field required", request.index);
    const scripted = script.next(request);
    const blocks = scripted.events ? [...scripted.events] : buildBlockEvents(scripted, request.index);
    const contentChunks = blocks.filter((event) => event.type === "content_block_delta").length;
    const plan = script.plan(request, scripted, contentChunks);
    if (plan.dropConnection === true) return response.socket?.destroy();
    if (plan.status !== undefined) {
      return sendError(response, plan.status, plan.errorMessage ?? `Injected HTTP ${plan.status}.`, request.index, retryHeaders(plan));
    }
    const model = typeof body.model === "string" ? body.model : "claude-test";
    const id = `msg_test_${request.index}`;
    const usage = plan.usage ?? { inputTokens: countPromptWords(body), outputTokens: contentChunks };
    const stopReason = plan.stopReason ?? (blocks.some((event) => (event.content_block as { type?: string } | undefined)?.type === "tool_use") ? "tool_use" : "end_turn");
    const headers = { "request-id": `req_test_${request.index}` };
    if (body.stream !== true) {
      return sendJson(response, 200, messageBody(id, model, blocks, stopReason, usage), headers);
    }

    response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive", ...headers });
    const start = {
      type: "message_start",
      message: {
        id,
        type: "message",
        role: "assistant",
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        // As Anthropic does: the input tokens, and a first output token, before any content.
        usage: { input_tokens: usage.inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 },
      },
    };
    const events: StreamEvent[] = [
      { text: sse(start), content: false },
      { text: sse({ type: "ping" }), content: false },
      ...blocks.map((event) => ({ text: sse(event), content: event.type === "content_block_delta" })),
    ];
    const delayMs = plan.chunkDelayMs ?? options.chunkDelayMs ?? 0;
    if (!(await writeStream(response, events, plan, { delayMs, wait: server.wait, state, malformedLine: MALFORMED_LINE }))) return;
    response.write(sse({ type: "message_delta", delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: usage.outputTokens } }));
    response.end(sse({ type: "message_stop" }));
  }

  const url = `http://127.0.0.1:${server.port}`;
  return { url, apiURL: `${url}/v1`, port: server.port, requests: server.requests, waitForRequest: server.waitForRequest, close: server.close };
}

/** An Anthropic `error` event, for `malformedLine` (with `malformedAfterChunks`): an error in the middle of a stream. */
export function anthropicErrorEvent(type = "overloaded_error", message = "Overloaded"): string {
  return `event: error\ndata: ${JSON.stringify({ type: "error", error: { type, message } })}`;
}

const MALFORMED_LINE = 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"oops"';

function sse(event: Record<string, unknown>): string {
  return `event: ${String(event.type)}\ndata: ${JSON.stringify(event)}\n\n`;
}

function pieces(value: string | readonly string[] | undefined): readonly string[] {
  return value === undefined ? [] : typeof value === "string" ? [value] : value;
}

/** The content_block_* events of a scripted answer: thinking, then text, then each tool_use. */
function buildBlockEvents(scripted: AnthropicScriptedResponse, requestIndex: number): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = [];
  let index = 0;
  const block = (start: Record<string, unknown>, deltas: Record<string, unknown>[]) => {
    events.push({ type: "content_block_start", index, content_block: start });
    for (const delta of deltas) events.push({ type: "content_block_delta", index, delta });
    events.push({ type: "content_block_stop", index });
    index++;
  };
  if (scripted.thinking !== undefined) {
    const deltas: Record<string, unknown>[] = pieces(scripted.thinking).map((thinking) => ({ type: "thinking_delta", thinking }));
    deltas.push({ type: "signature_delta", signature: scripted.signature ?? "sig-test" });
    block({ type: "thinking", thinking: "", signature: "" }, deltas);
  }
  if (scripted.text !== undefined) block({ type: "text", text: "" }, pieces(scripted.text).map((text) => ({ type: "text_delta", text })));
  for (const [position, tool] of (scripted.toolUses ?? []).entries()) {
    const id = tool.id ?? `toolu_test_${requestIndex}_${position}`;
    block({ type: "tool_use", id, name: tool.name, input: {} }, pieces(tool.input).map((partial_json) => ({ type: "input_json_delta", partial_json })));
  }
  return events;
}

/** A non-streaming message that says what the events would have said. */
function messageBody(id: string, model: string, events: Record<string, unknown>[], stopReason: string, usage: { inputTokens: number; outputTokens: number }) {
  const content: Array<Record<string, unknown>> = [];
  const inputs = new Map<number, string>();
  for (const event of events) {
    const index = event.index as number;
    if (event.type === "content_block_start") content[index] = { ...(event.content_block as Record<string, unknown>) };
    if (event.type !== "content_block_delta") continue;
    const delta = event.delta as Record<string, string>;
    const target = content[index]!;
    if (delta.type === "text_delta") target.text = `${target.text as string}${delta.text}`;
    if (delta.type === "thinking_delta") target.thinking = `${target.thinking as string}${delta.thinking}`;
    if (delta.type === "signature_delta") target.signature = delta.signature;
    if (delta.type === "input_json_delta") inputs.set(index, (inputs.get(index) ?? "") + delta.partial_json);
  }
  for (const [index, json] of inputs) content[index]!.input = json === "" ? {} : JSON.parse(json);
  return {
    id,
    type: "message",
    role: "assistant",
    model,
    content: content.filter((block) => block !== undefined),
    stop_reason: stopReason,
    stop_sequence: null,
    usage: { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens },
  };
}

type AnthropicContent = string | ReadonlyArray<{ type?: string; text?: unknown; content?: unknown }>;

function textOf(content: AnthropicContent | undefined): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((block) => (typeof block.text === "string" ? block.text : block.type === "tool_result" ? textOf(block.content as AnthropicContent) : "")).join(" ");
}

function lastUserText(messages: Array<{ role?: string; content?: AnthropicContent }>): string {
  return textOf([...messages].reverse().find((message) => message.role === "user")?.content);
}

function countPromptWords(body: { system?: AnthropicContent; messages: Array<{ content?: AnthropicContent }> }): number {
  return countWords(textOf(body.system)) + body.messages.reduce((total, message) => total + countWords(textOf(message.content)), 0);
}

/** Anthropic's error JSON: `{ type: "error", error: { type, message }, request_id }`. */
function sendError(response: ServerResponse, status: number, message: string, requestIndex: number, headers: Record<string, string> = {}) {
  const requestId = `req_test_${requestIndex}`;
  sendJson(response, status, { type: "error", error: { type: errorType(status), message }, request_id: requestId }, { "request-id": requestId, ...headers });
}

function errorType(status: number): string {
  const types: Record<number, string> = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    529: "overloaded_error",
  };
  return types[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
}
