// Serving a Web-standard handler with node:http: IncomingMessage -> Request (a client that goes
// away aborts request.signal), Response -> ServerResponse (written with backpressure; a closed
// socket cancels the body, which stops an SSE stream and its producer).
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { WeftError, describeError } from "../errors.js";
import { type IdleMemoryOptions, watchIdleMemory } from "./idle-memory.js";

export interface ServeOptions {
  /** Port to listen on; 0 picks a free one. Default 2024. */
  port?: number;
  /** Interface to listen on. Default "127.0.0.1" (this machine only). */
  host?: string;
  /**
   * How long an idle keep-alive connection stays open, 1,000 to 290,000 ms. Default 65,000 (Node's own
   * is 5,000): longer than a load balancer's idle timeout (60 s), and a client pool that reads the
   * `Keep-Alive: timeout` hint closes an idle connection a little before it. A request sent on a
   * connection just as the server closes it fails (ECONNRESET); the longer the timeout, the rarer that is.
   */
  keepAliveTimeoutMs?: number;
  /**
   * Give memory a burst of runs left behind back to the OS once the server is idle (idle-memory.ts):
   * options, or `false` to keep V8's default (it holds that memory until the process ends). Default on.
   */
  reclaimIdleMemory?: IdleMemoryOptions | false;
}

export interface RunningServer {
  /** e.g. "http://127.0.0.1:2024" */
  url: string;
  port: number;
  server: Server;
  /**
   * Stop accepting connections and close the handler if it has `close()`: runs executing here get
   * `drainMs` (default 0) to finish while their clients stay connected; then open connections end.
   */
  close(options?: { drainMs?: number }): Promise<void>;
}

type RequestHandler = ((request: Request) => Promise<Response>) & {
  ready?: Promise<void>;
  close?: (options?: { drainMs?: number }) => Promise<void>;
};

/**
 * Listen with node:http and answer every request with `handler`.
 *
 * @example
 * const server = await serve(createHandler({ graphs: { agent } }), { port: 0 });
 * console.log(server.url);
 * await server.close();
 */
export async function serve(handler: RequestHandler, options: ServeOptions = {}): Promise<RunningServer> {
  const host = options.host ?? "127.0.0.1";
  await handler.ready;
  const keepAliveTimeout = options.keepAliveTimeoutMs ?? 65_000;
  if (!Number.isInteger(keepAliveTimeout) || keepAliveTimeout < 1_000 || keepAliveTimeout > 290_000) {
    throw new WeftError("INVALID_OPTIONS", `keepAliveTimeoutMs is ${String(keepAliveTimeout)}; give whole milliseconds from 1000 to 290000.`);
  }
  // headersTimeout outlasts keepAliveTimeout (and stays under Node's 300 s requestTimeout).
  const server = createServer({ keepAliveTimeout, headersTimeout: keepAliveTimeout + 1_000 }, (incoming, outgoing) => {
    void answer(handler, incoming, outgoing, host);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) => reject(new WeftError("SERVER", `Cannot listen on ${host}:${options.port ?? 2024}: ${describeError(error)}`, { cause: error })));
    server.listen(options.port ?? 2024, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const idleMemory = options.reclaimIdleMemory === false ? undefined : watchIdleMemory(options.reclaimIdleMemory);
  server.once("close", () => idleMemory?.stop());
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    server,
    async close(closeOptions = {}) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await handler.close?.(closeOptions);
      server.closeAllConnections();
      await closed;
    },
  };
}

async function answer(handler: RequestHandler, incoming: IncomingMessage, outgoing: ServerResponse, host: string): Promise<void> {
  const disconnected = new AbortController();
  outgoing.on("close", () => {
    if (!outgoing.writableFinished) disconnected.abort(new WeftError("ABORTED", "The client disconnected."));
  });
  let response: Response;
  try {
    response = await handler(toRequest(incoming, host, disconnected.signal));
  } catch (error) {
    response = new Response(JSON.stringify({ error: "internal_error", message: "The server failed while handling the request." }), {
      status: 500,
      headers: { "Content-Type": "application/json" },
    });
    console.error("weft server:", error);
  }
  outgoing.statusCode = response.status;
  response.headers.forEach((value, name) => outgoing.setHeader(name, value));
  if (response.body === null) {
    outgoing.end();
    return;
  }
  outgoing.flushHeaders();
  const reader = response.body.getReader();
  const stop = () => void reader.cancel().catch(() => undefined);
  disconnected.signal.addEventListener("abort", stop, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!outgoing.write(value)) {
        await new Promise<void>((resolve) => {
          const resume = () => {
            outgoing.off("drain", resume);
            outgoing.off("close", resume);
            resolve();
          };
          outgoing.on("drain", resume);
          outgoing.on("close", resume);
        });
      }
      if (disconnected.signal.aborted) break;
    }
  } catch {
    // The body failed or was cancelled because the client left: nothing more to send.
  } finally {
    disconnected.signal.removeEventListener("abort", stop);
    if (disconnected.signal.aborted) stop();
    outgoing.end();
  }
}

function toRequest(incoming: IncomingMessage, host: string, signal: AbortSignal): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const each of value) headers.append(name, each);
    else headers.set(name, value);
  }
  const url = new URL(incoming.url ?? "/", `http://${incoming.headers.host ?? host}`);
  const hasBody = incoming.method !== "GET" && incoming.method !== "HEAD";
  return new Request(url, {
    method: incoming.method,
    headers,
    signal,
    body: hasBody ? bodyOf(incoming) : undefined,
    // Node's fetch needs this to take a streamed request body.
    duplex: "half",
  } as RequestInit);
}

/**
 * The request body as a Web stream that touches `incoming` only when read. A body that was never
 * read is then discarded by node:http once the response ends (it dumps unconsumed requests), and a
 * body cancelled half-way (over the size limit) is read to its end and dropped rather than
 * destroying the socket: either way the keep-alive connection can carry the next request.
 */
function bodyOf(incoming: IncomingMessage): ReadableStream<Uint8Array> {
  let attached = false;
  const onData = (controller: ReadableStreamDefaultController<Uint8Array>) => (chunk: Buffer) => {
    controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if ((controller.desiredSize ?? 0) < 0) incoming.pause();
  };
  let dataListener: ((chunk: Buffer) => void) | undefined;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (!attached) {
          attached = true;
          dataListener = onData(controller);
          incoming.on("data", dataListener);
          incoming.once("end", () => controller.close());
          incoming.once("error", (error) => controller.error(error));
        }
        incoming.resume();
      },
      cancel() {
        if (dataListener !== undefined) incoming.off("data", dataListener);
        incoming.removeAllListeners("end");
        // Flowing with no listener: the rest of the body is read and dropped.
        incoming.resume();
      },
    },
    { highWaterMark: 0 },
  );
}
