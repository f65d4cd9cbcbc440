// A real HTTP server on 127.0.0.1 that speaks OpenAI's chat-completions wire format (JSON and SSE),
// with scripted answers and injectable faults, so providers are tested over a real socket, not a mock.
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

export type { RecordedRequest, ResponseClosed, ScriptedFaults } from "./scripted-server.js";

/** A tool call the server streams: the arguments as one string or as the exact fragments to send. */
export interface ScriptedToolCall {
  id?: string;
  name: string;
  arguments: string | readonly string[];
}

/** One scripted answer, with optional faults (see `ScriptedFaults`). */
export interface ScriptedResponse extends ScriptedFaults {
  /** Text tokens, one SSE chunk each (a string is sent as a single chunk). */
  text?: string | readonly string[];
  /**
   * Reasoning ("thinking") tokens sent before the text, one chunk each, in the delta field that
   * DeepSeek, vLLM and llama.cpp's server use (`reasoningField`, default "reasoning_content").
   */
  reasoning?: string | readonly string[];
  /** The delta field the reasoning goes in: "reasoning_content" (DeepSeek, llama.cpp, older vLLM) or "reasoning" (newer vLLM, OpenRouter). */
  reasoningField?: "reasoning_content" | "reasoning";
  /** Tool calls, streamed one after another as OpenAI does: id and name first, then argument fragments. */
  toolCalls?: readonly ScriptedToolCall[];
  /** Raw `choices[0].delta` objects sent as-is, one chunk each, instead of `text`/`toolCalls`. */
  deltas?: readonly Record<string, unknown>[];
  /** Default "tool_calls" when there are tool calls, else "stop". */
  finishReason?: string;
  /** Default: prompt words and one completion token per chunk. */
  usage?: { promptTokens: number; completionTokens: number };
}

export interface OpenAICompatibleServerOptions {
  /** Answers, used in order and cycling (entries with `times` repeat). Default: echo the last user message. */
  responses?: readonly ScriptedResponse[];
  /** Decide the answer per request instead (wins over `responses`). */
  respond?: (request: RecordedRequest) => ScriptedResponse;
  /** Milliseconds before each chunk (default 0). */
  chunkDelayMs?: number;
  /** Seeded random faults on top of the scripted answers. */
  randomFaults?: RandomFaultOptions;
}

export interface OpenAICompatibleServer {
  /** The base URL to give a client, ending in `/v1`. */
  url: string;
  port: number;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Resolves with request number `index` (0-based) once it has arrived. */
  waitForRequest(index: number): Promise<RecordedRequest>;
  /** Stop listening and destroy open connections. */
  close(): Promise<void>;
}

/**
 * Start a chat-completions server on 127.0.0.1 (a free port) for tests and offline demos.
 *
 * @example
 * const server = await startOpenAICompatibleServer({ responses: [{ text: ["Hello", " world"] }] });
 * const model = new ChatOpenAI({ model: "test", baseURL: server.url, apiKey: "test" });
 * await model.invoke("hi"); // AIMessage "Hello world"
 * await server.close();
 */
export async function startOpenAICompatibleServer(options: OpenAICompatibleServerOptions = {}): Promise<OpenAICompatibleServer> {
  const script = new Script<ScriptedResponse>("startOpenAICompatibleServer", options, (request) => ({ text: echoTokens(request.body.messages) }));
  const server: ScriptedServer = await startScriptedServer(answer);

  async function answer(request: RecordedRequest, response: ServerResponse, state: ResponseState) {
    if (request.method === "GET" && request.path.endsWith("/models")) {
      return sendJson(response, 200, { object: "list", data: [{ id: "test-model", object: "model", owned_by: "weft" }] });
    }
    if (request.method !== "POST" || !request.path.endsWith("/chat/completions")) {
      return sendError(response, 404, `No route ${request.method} ${request.path}; this test server serves POST /v1/chat/completions.`);
    }
    if (typeof request.body !== "object" || request.body === null || !Array.isArray(request.body.messages)) {
      return sendError(response, 400, "The body must be JSON with a `messages` array.");
    }
    const scripted = script.next(request);
    const chunks = buildDeltas(scripted);
    const plan = script.plan(request, scripted, chunks.length);
    if (plan.dropConnection === true) return response.socket?.destroy();
    if (plan.status !== undefined) return sendError(response, plan.status, plan.errorMessage ?? `Injected HTTP ${plan.status}.`, retryHeaders(plan));
    const model = typeof request.body.model === "string" ? request.body.model : "test-model";
    const id = `chatcmpl-test-${request.index}`;
    const usage = toWireUsage(plan.usage ?? { promptTokens: countPromptWords(request.body.messages), completionTokens: chunks.length });
    const finishReason = plan.finishReason ?? (plan.toolCalls && plan.toolCalls.length > 0 ? "tool_calls" : "stop");
    if (request.body.stream !== true) {
      return sendJson(response, 200, completionBody(id, model, chunks, finishReason, usage));
    }

    response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    const frame = (choices: unknown[], extra: Record<string, unknown> = {}) =>
      `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created: CREATED, model, choices, ...extra })}\n\n`;
    const events: StreamEvent[] = [
      { text: frame([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]), content: false },
      ...chunks.map((delta) => ({ text: frame([{ index: 0, delta, finish_reason: null }]), content: true })),
    ];
    const delayMs = plan.chunkDelayMs ?? options.chunkDelayMs ?? 0;
    if (!(await writeStream(response, events, plan, { delayMs, wait: server.wait, state, malformedLine: MALFORMED_LINE }))) return;
    response.write(frame([{ index: 0, delta: {}, finish_reason: finishReason }]));
    if (request.body.stream_options?.include_usage === true) response.write(frame([], { usage }));
    response.end("data: [DONE]\n\n");
  }

  return {
    url: `http://127.0.0.1:${server.port}/v1`,
    port: server.port,
    requests: server.requests,
    waitForRequest: server.waitForRequest,
    close: server.close,
  };
}

const CREATED = 1_700_000_000;
const MALFORMED_LINE = 'data: {"id":"chatcmpl-broken","choices":[{"index":0,"delta":{"content":"oops"';

/** The `delta` of every content chunk, in order. */
function buildDeltas(scripted: ScriptedResponse): Record<string, unknown>[] {
  if (scripted.deltas !== undefined) return [...scripted.deltas];
  const text = scripted.text === undefined ? [] : typeof scripted.text === "string" ? [scripted.text] : scripted.text;
  const reasoning = scripted.reasoning === undefined ? [] : typeof scripted.reasoning === "string" ? [scripted.reasoning] : scripted.reasoning;
  const reasoningField = scripted.reasoningField ?? "reasoning_content";
  const deltas: Record<string, unknown>[] = reasoning.map((piece) => ({ [reasoningField]: piece }));
  for (const content of text) deltas.push({ content });
  for (const [index, call] of (scripted.toolCalls ?? []).entries()) {
    const fragments = typeof call.arguments === "string" ? [call.arguments] : call.arguments;
    const id = call.id ?? `call_${index}`;
    deltas.push({ tool_calls: [{ index, id, type: "function", function: { name: call.name, arguments: "" } }] });
    for (const fragment of fragments) deltas.push({ tool_calls: [{ index, function: { arguments: fragment } }] });
  }
  return deltas;
}

/** A non-streaming completion that says what the deltas would have said. */
function completionBody(id: string, model: string, deltas: Record<string, unknown>[], finishReason: string, usage: unknown) {
  let content = "";
  let reasoning = "";
  const calls: Array<{ id: string; type: "function"; function: { name: string; arguments: string } }> = [];
  for (const delta of deltas) {
    if (typeof delta.content === "string") content += delta.content;
    const piece = delta.reasoning_content ?? delta.reasoning;
    if (typeof piece === "string") reasoning += piece;
    for (const fragment of (delta.tool_calls as any[] | undefined) ?? []) {
      const call = (calls[fragment.index] ??= { id: "", type: "function", function: { name: "", arguments: "" } });
      if (fragment.id) call.id = fragment.id;
      if (fragment.function?.name) call.function.name += fragment.function.name;
      if (fragment.function?.arguments) call.function.arguments += fragment.function.arguments;
    }
  }
  const message: Record<string, unknown> = { role: "assistant", content: calls.length > 0 && content === "" ? null : content };
  if (reasoning !== "") message.reasoning_content = reasoning;
  if (calls.length > 0) message.tool_calls = calls;
  return { id, object: "chat.completion", created: CREATED, model, choices: [{ index: 0, message, finish_reason: finishReason, logprobs: null }], usage };
}

function echoTokens(messages: Array<{ role?: string; content?: unknown }>): string[] {
  const last = [...messages].reverse().find((message) => message.role === "user");
  return echoWords(typeof last?.content === "string" ? last.content : "");
}

function countPromptWords(messages: Array<{ content?: unknown }>): number {
  return messages.reduce((total, message) => total + (typeof message.content === "string" ? countWords(message.content) : 0), 0);
}

function toWireUsage(usage: { promptTokens: number; completionTokens: number }) {
  return { prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, total_tokens: usage.promptTokens + usage.completionTokens };
}

function sendError(response: ServerResponse, status: number, message: string, headers: Record<string, string> = {}) {
  const type = status === 429 ? "rate_limit_exceeded" : status >= 500 ? "server_error" : "invalid_request_error";
  sendJson(response, status, { error: { message, type, param: null, code: type } }, headers);
}
