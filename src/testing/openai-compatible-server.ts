// A real HTTP server on 127.0.0.1 that speaks OpenAI's chat-completions wire format (JSON and SSE),
// with scripted answers and injectable faults, so providers are tested over a real socket, not a mock.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { WeftError } from "../errors.js";
import { FaultPlan, type Fault, type RandomFaultOptions } from "./fault-plan.js";

/** A tool call the server streams: the arguments as one string or as the exact fragments to send. */
export interface ScriptedToolCall {
  id?: string;
  name: string;
  arguments: string | readonly string[];
}

/** One scripted answer, with optional faults. */
export interface ScriptedResponse {
  /** Text tokens, one SSE chunk each (a string is sent as a single chunk). */
  text?: string | readonly string[];
  /** Tool calls, streamed one after another as OpenAI does: id and name first, then argument fragments. */
  toolCalls?: readonly ScriptedToolCall[];
  /** Raw `choices[0].delta` objects sent as-is, one chunk each, instead of `text`/`toolCalls`. */
  deltas?: readonly Record<string, unknown>[];
  /** Default "tool_calls" when there are tool calls, else "stop". */
  finishReason?: string;
  /** Default: prompt words and one completion token per chunk. */
  usage?: { promptTokens: number; completionTokens: number };
  /** Answer with this HTTP status and an OpenAI-style error body instead of a completion. */
  status?: number;
  /** The message in the error body (with `status`). */
  errorMessage?: string;
  /** Send `Retry-After` (seconds) with `status`. */
  retryAfterSeconds?: number;
  /** Send `retry-after-ms` with `status` (the openai SDK honours it; keeps retry tests fast). */
  retryAfterMs?: number;
  /** Serve this entry for this many requests in a row (default 1). */
  times?: number;
  /** Wait this long before each chunk (overrides the server's `chunkDelayMs`). */
  chunkDelayMs?: number;
  /** Destroy the socket before answering at all (the client sees a connection error and may retry). */
  dropConnection?: boolean;
  /** Destroy the socket after this many content chunks. */
  resetAfterChunks?: number;
  /** Send a line that is not valid JSON after this many content chunks. */
  malformedAfterChunks?: number;
  /** The broken line (default: a truncated chunk). */
  malformedLine?: string;
  /** After this many content chunks send nothing more but keep the connection open. */
  stallAfterChunks?: number;
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

/** How a response ended, seen from the server. */
export interface ResponseClosed {
  /** `performance.now()` when the socket under the response closed or the response finished. */
  at: number;
  /** True when the whole response was written; false when the client (or a fault) cut it short. */
  completed: boolean;
  /** Content chunks written before the end. */
  chunksSent: number;
}

/** A request the server received. */
export interface RecordedRequest {
  index: number;
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body (undefined when there was none). */
  body: any;
  /** The seeded fault applied to this request, if any. */
  fault?: Fault;
  /** Resolves when the response finished or its connection closed. */
  closed: Promise<ResponseClosed>;
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
  const script = new Script(options);
  const requests: RecordedRequest[] = [];
  const waiters = new Map<number, Array<(request: RecordedRequest) => void>>();
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((incoming, response) => {
    void readBody(incoming).then((text) => {
      let closeResolve!: (closed: ResponseClosed) => void;
      const state = { chunksSent: 0 };
      const closed = new Promise<ResponseClosed>((resolve) => (closeResolve = resolve));
      response.once("close", () => closeResolve({ at: performance.now(), completed: response.writableFinished, chunksSent: state.chunksSent }));
      const request: RecordedRequest = {
        index: requests.length,
        method: incoming.method ?? "GET",
        path: incoming.url ?? "/",
        headers: incoming.headers,
        body: parseJson(text),
        closed,
      };
      requests.push(request);
      for (const wake of waiters.get(request.index) ?? []) wake(request);
      waiters.delete(request.index);
      void answer(request, response, state);
    });
  });

  async function answer(request: RecordedRequest, response: ServerResponse, state: { chunksSent: number }) {
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
    const fault = script.fault(chunks.length);
    if (fault !== undefined) request.fault = fault;
    const plan = applyFault(scripted, fault);
    if (plan.dropConnection === true) return response.socket?.destroy();
    if (plan.status !== undefined) {
      const headers: Record<string, string> = {};
      if (plan.retryAfterSeconds !== undefined) headers["retry-after"] = String(plan.retryAfterSeconds);
      if (plan.retryAfterMs !== undefined) headers["retry-after-ms"] = String(plan.retryAfterMs);
      return sendError(response, plan.status, plan.errorMessage ?? `Injected HTTP ${plan.status}.`, headers);
    }
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
    const delayMs = plan.chunkDelayMs ?? options.chunkDelayMs ?? 0;
    const wait = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => (timers.delete(timer), resolve()), ms);
        timers.add(timer);
      });
    const alive = () => !response.destroyed && !response.writableEnded;

    // Each write is awaited until flushed, so a reset below cuts the stream exactly where scripted.
    const send = (text: string) => new Promise<void>((resolve) => response.write(text, () => resolve()));
    await send(frame([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]));
    for (let index = 0; index <= chunks.length; index++) {
      if (!alive()) return;
      if (plan.resetAfterChunks === index) return response.socket?.destroy();
      if (plan.malformedAfterChunks === index) await send(`${plan.malformedLine ?? MALFORMED_LINE}\n\n`);
      if (plan.stallAfterChunks === index) return;
      if (index === chunks.length) break;
      if (delayMs > 0) await wait(delayMs);
      if (!alive()) return;
      await send(frame([{ index: 0, delta: chunks[index], finish_reason: null }]));
      state.chunksSent++;
    }
    response.write(frame([{ index: 0, delta: {}, finish_reason: finishReason }]));
    if (request.body.stream_options?.include_usage === true) response.write(frame([], { usage }));
    response.end("data: [DONE]\n\n");
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    waitForRequest(index) {
      const request = requests[index];
      if (request !== undefined) return Promise.resolve(request);
      return new Promise((resolve) => waiters.set(index, [...(waiters.get(index) ?? []), resolve]));
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

const CREATED = 1_700_000_000;
const MALFORMED_LINE = 'data: {"id":"chatcmpl-broken","choices":[{"index":0,"delta":{"content":"oops"';

/** Picks the scripted answer for each request, honouring `times` and cycling. */
class Script {
  private readonly responses: readonly ScriptedResponse[] | undefined;
  private readonly respond: ((request: RecordedRequest) => ScriptedResponse) | undefined;
  private readonly faults: FaultPlan | undefined;
  private position = 0;
  private usedOfCurrent = 0;

  constructor(options: OpenAICompatibleServerOptions) {
    if (options.responses !== undefined && (!Array.isArray(options.responses) || options.responses.length === 0)) {
      throw new WeftError("INVALID_OPTIONS", "startOpenAICompatibleServer `responses` must be a non-empty array (or leave it out to echo).");
    }
    this.responses = options.responses;
    this.respond = options.respond;
    this.faults = options.randomFaults ? new FaultPlan(options.randomFaults) : undefined;
  }

  next(request: RecordedRequest): ScriptedResponse {
    if (this.respond !== undefined) return this.respond(request);
    if (this.responses === undefined) return { text: echoTokens(request.body.messages) };
    const current = this.responses[this.position % this.responses.length]!;
    this.usedOfCurrent++;
    if (this.usedOfCurrent >= (current.times ?? 1)) {
      this.position++;
      this.usedOfCurrent = 0;
    }
    return current;
  }

  fault(chunkCount: number): Fault | undefined {
    return this.faults?.next(chunkCount);
  }
}

function applyFault(scripted: ScriptedResponse, fault: Fault | undefined): ScriptedResponse {
  if (fault === undefined) return scripted;
  switch (fault.kind) {
    case "status":
      return { ...scripted, status: fault.status, retryAfterMs: fault.retryAfterMs };
    case "reset":
      return { ...scripted, resetAfterChunks: fault.afterChunks };
    case "malformed":
      return { ...scripted, malformedAfterChunks: fault.afterChunks };
    case "delay":
      return { ...scripted, chunkDelayMs: fault.delayMs };
    case "drop":
      return { ...scripted, dropConnection: true };
  }
}

/** The `delta` of every content chunk, in order. */
function buildDeltas(scripted: ScriptedResponse): Record<string, unknown>[] {
  if (scripted.deltas !== undefined) return [...scripted.deltas];
  const text = scripted.text === undefined ? [] : typeof scripted.text === "string" ? [scripted.text] : scripted.text;
  const deltas: Record<string, unknown>[] = text.map((content) => ({ content }));
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
  const calls: Array<{ id: string; type: "function"; function: { name: string; arguments: string } }> = [];
  for (const delta of deltas) {
    if (typeof delta.content === "string") content += delta.content;
    for (const fragment of (delta.tool_calls as any[] | undefined) ?? []) {
      const call = (calls[fragment.index] ??= { id: "", type: "function", function: { name: "", arguments: "" } });
      if (fragment.id) call.id = fragment.id;
      if (fragment.function?.name) call.function.name += fragment.function.name;
      if (fragment.function?.arguments) call.function.arguments += fragment.function.arguments;
    }
  }
  const message: Record<string, unknown> = { role: "assistant", content: calls.length > 0 && content === "" ? null : content };
  if (calls.length > 0) message.tool_calls = calls;
  return { id, object: "chat.completion", created: CREATED, model, choices: [{ index: 0, message, finish_reason: finishReason, logprobs: null }], usage };
}

function echoTokens(messages: Array<{ role?: string; content?: unknown }>): string[] {
  const last = [...messages].reverse().find((message) => message.role === "user");
  const text = typeof last?.content === "string" ? last.content : "";
  return text.match(/\s*\S+\s*/g) ?? [""];
}

function countPromptWords(messages: Array<{ content?: unknown }>): number {
  return messages.reduce((total, message) => total + (typeof message.content === "string" ? (message.content.match(/\S+/g)?.length ?? 0) : 0), 0);
}

function toWireUsage(usage: { promptTokens: number; completionTokens: number }) {
  return { prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, total_tokens: usage.promptTokens + usage.completionTokens };
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  response.writeHead(status, { "content-type": "application/json", ...headers });
  response.end(JSON.stringify(body));
}

function sendError(response: ServerResponse, status: number, message: string, headers: Record<string, string> = {}) {
  const type = status === 429 ? "rate_limit_exceeded" : status >= 500 ? "server_error" : "invalid_request_error";
  sendJson(response, status, { error: { message, type, param: null, code: type } }, headers);
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function readBody(incoming: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    incoming.on("data", (part: Buffer) => parts.push(part));
    incoming.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
    incoming.on("error", () => resolve(""));
  });
}
