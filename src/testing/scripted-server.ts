// What the wire-format test servers (OpenAI-compatible, Anthropic) share: a loopback HTTP server that
// records each request and when its connection closed, scripted answers taken in order, the seeded
// fault plan, and a stream writer that cuts a stream exactly where a fault says.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { WeftError } from "../errors.js";
import { FaultPlan, type Fault, type RandomFaultOptions } from "./fault-plan.js";

/** The faults one scripted answer can carry, the same for every wire format. */
export interface ScriptedFaults {
  /** Answer with this HTTP status and the provider's error body instead of an answer. */
  status?: number;
  /** The message in the error body (with `status`). */
  errorMessage?: string;
  /** Send `Retry-After` (seconds) with `status`. */
  retryAfterSeconds?: number;
  /** Send `retry-after-ms` with `status` (the Stainless SDKs and the AI SDK honour it; keeps retry tests fast). */
  retryAfterMs?: number;
  /** Serve this entry for this many requests in a row (default 1). */
  times?: number;
  /** Wait this long before each content chunk (overrides the server's `chunkDelayMs`). */
  chunkDelayMs?: number;
  /** Destroy the socket before answering at all (the client sees a connection error and may retry). */
  dropConnection?: boolean;
  /** Destroy the socket after this many content chunks. */
  resetAfterChunks?: number;
  /** Send a line that is not valid JSON after this many content chunks. */
  malformedAfterChunks?: number;
  /** The broken line (default: a truncated chunk of the wire format). */
  malformedLine?: string;
  /** After this many content chunks send nothing more but keep the connection open. */
  stallAfterChunks?: number;
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

/** Counts the content chunks of one response, for `ResponseClosed.chunksSent`. */
export interface ResponseState {
  chunksSent: number;
}

export interface ScriptedServer {
  port: number;
  readonly requests: RecordedRequest[];
  waitForRequest(index: number): Promise<RecordedRequest>;
  /** Resolves after `ms`; cleared (never resolving) when the server closes. */
  wait(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** Listen on 127.0.0.1 (a free port); `answer` writes the response of each recorded request. */
export async function startScriptedServer(
  answer: (request: RecordedRequest, response: ServerResponse, state: ResponseState) => Promise<unknown> | void,
): Promise<ScriptedServer> {
  const requests: RecordedRequest[] = [];
  const waiters = new Map<number, Array<(request: RecordedRequest) => void>>();
  const timers = new Set<NodeJS.Timeout>();

  // Idle connections stay open longer than a client's pool keeps them (Node's default is 5 s), so a
  // request sent on a pooled connection never meets the server closing it; close() ends them all.
  const server = createServer({ keepAliveTimeout: 65_000, headersTimeout: 66_000 }, (incoming, response) => {
    void readBody(incoming).then((text) => {
      let closeResolve!: (closed: ResponseClosed) => void;
      const state: ResponseState = { chunksSent: 0 };
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

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    waitForRequest(index) {
      const request = requests[index];
      if (request !== undefined) return Promise.resolve(request);
      return new Promise((resolve) => waiters.set(index, [...(waiters.get(index) ?? []), resolve]));
    },
    wait(ms) {
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => (timers.delete(timer), resolve()), ms);
        timers.add(timer);
      });
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** Picks the scripted answer for each request, honouring `times` and cycling, and draws its seeded fault. */
export class Script<Response extends ScriptedFaults> {
  private readonly faults: FaultPlan | undefined;
  private position = 0;
  private usedOfCurrent = 0;

  constructor(
    serverName: string,
    private readonly options: {
      responses?: readonly Response[] | undefined;
      respond?: ((request: RecordedRequest) => Response) | undefined;
      randomFaults?: RandomFaultOptions | undefined;
    },
    /** The answer when neither `responses` nor `respond` is given. */
    private readonly fallback: (request: RecordedRequest) => Response,
  ) {
    const responses = options.responses;
    if (responses !== undefined && (!Array.isArray(responses) || responses.length === 0)) {
      throw new WeftError("INVALID_OPTIONS", `${serverName} \`responses\` must be a non-empty array (or leave it out to echo).`);
    }
    this.faults = options.randomFaults ? new FaultPlan(options.randomFaults) : undefined;
  }

  next(request: RecordedRequest): Response {
    if (this.options.respond !== undefined) return this.options.respond(request);
    const responses = this.options.responses;
    if (responses === undefined) return this.fallback(request);
    const current = responses[this.position % responses.length]!;
    this.usedOfCurrent++;
    if (this.usedOfCurrent >= (current.times ?? 1)) {
      this.position++;
      this.usedOfCurrent = 0;
    }
    return current;
  }

  /** The scripted answer with this request's seeded fault applied (recorded on the request). */
  plan(request: RecordedRequest, scripted: Response, chunkCount: number): Response {
    const fault = this.faults?.next(chunkCount);
    if (fault === undefined) return scripted;
    request.fault = fault;
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
}

/** One SSE event to write; `content` events are the chunks that faults count. */
export interface StreamEvent {
  text: string;
  content: boolean;
}

/**
 * Write `events` with the plan's faults: a reset, malformed line or stall scheduled at N happens just
 * before content chunk N, or for N = the number of content chunks, right after the last one (after the
 * first event when there is none), before the closing events. Each write is awaited until flushed, so
 * a reset cuts the stream exactly there. Resolves true when every event was written.
 */
export async function writeStream(
  response: ServerResponse,
  events: readonly StreamEvent[],
  plan: ScriptedFaults,
  options: { delayMs: number; wait: (ms: number) => Promise<void>; state: ResponseState; malformedLine: string },
): Promise<boolean> {
  const alive = () => !response.destroyed && !response.writableEnded;
  const send = (text: string) => new Promise<void>((resolve) => response.write(text, () => resolve()));
  const total = events.reduce((count, event) => count + (event.content ? 1 : 0), 0);
  let lastContent = 0;
  events.forEach((event, position) => {
    if (event.content) lastContent = position;
  });
  /** False when the stream must stop here (reset or stall). */
  const faultsAt = async (index: number): Promise<boolean> => {
    if (!alive()) return false;
    if (plan.resetAfterChunks === index) {
      response.socket?.destroy();
      return false;
    }
    if (plan.malformedAfterChunks === index) await send(`${plan.malformedLine ?? options.malformedLine}\n\n`);
    return plan.stallAfterChunks !== index;
  };
  let sent = 0;
  for (const [position, event] of events.entries()) {
    if (event.content) {
      if (!(await faultsAt(sent))) return false;
      if (options.delayMs > 0) await options.wait(options.delayMs);
    }
    if (!alive()) return false;
    await send(event.text);
    if (event.content) options.state.chunksSent = ++sent;
    if (position === lastContent && sent === total && !(await faultsAt(total))) return false;
  }
  return true;
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  response.writeHead(status, { "content-type": "application/json", ...headers });
  response.end(JSON.stringify(body));
}

/** The Retry-After headers a scripted error status carries. */
export function retryHeaders(plan: ScriptedFaults): Record<string, string> {
  const headers: Record<string, string> = {};
  if (plan.retryAfterSeconds !== undefined) headers["retry-after"] = String(plan.retryAfterSeconds);
  if (plan.retryAfterMs !== undefined) headers["retry-after-ms"] = String(plan.retryAfterMs);
  return headers;
}

/** The words of the last user message, each with its following space: the default echo answer. */
export function echoWords(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? [""];
}

export function countWords(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
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
