// The Weft server as one Web-standard function, (Request) => Promise<Response>, so it mounts in
// Node (node-adapter.ts), Hono, Next.js route handlers, Deno or Bun. Routes follow the
// LangGraph server API for assistants, threads and runs.
import { WeftError, describeError } from "../errors.js";
import type { Checkpointer } from "../core/checkpointer.js";
import { CompiledGraph } from "../graph/compiled-graph.js";
import { aiSdkChatRoutes } from "./ai-sdk-chat-routes.js";
import type { EventLog } from "./event-log.js";
import { errorResponse, httpError, jsonResponse } from "./http-error.js";
import { MemoryEventLog } from "./memory-event-log.js";
import { MemoryRecordStore } from "./memory-record-store.js";
import type { RecordStore } from "./record-store.js";
import { type CorsOptions, checkApiKey, corsHeaders, preflightResponse } from "./request-guard.js";
import { type AnyGraph, RunManager } from "./run-manager.js";
import { type RunQueue, StoreRunQueue } from "./run-queue.js";
import { assistantRoutes } from "./routes/assistants.js";
import { type RouteEntry, type ServerContext, newThread, threadOf } from "./routes/context.js";
import { runRoutes } from "./routes/runs.js";
import { threadStateRoutes } from "./routes/thread-state-routes.js";
import { threadRoutes } from "./routes/threads.js";

/** Who made a request, as `authenticate` says. */
export interface Identity {
  identity: string;
}

export interface RetentionOptions {
  /** Milliseconds a finished run's record is kept. Default 7 days. */
  finishedRunsMs?: number;
  /** Milliseconds an idle thread is kept after its last update. Default: forever. */
  threadsMs?: number;
  /** Milliseconds between two prunes. Default 10 minutes. */
  intervalMs?: number;
}

export interface HandlerOptions {
  /** The graphs to serve, by assistant id (also their graph id). */
  graphs: Record<string, AnyGraph>;
  /** Saves threads of graphs compiled without a checkpointer (their own checkpointer wins). */
  checkpointer?: Checkpointer;
  /** Where thread and run records live. Default: a MemoryRecordStore (this process only). */
  store?: RecordStore;
  /** Where runs' jobs wait for a worker. Default: a StoreRunQueue on `store` (one process). */
  queue?: RunQueue;
  /** Where runs' events live. Default: a MemoryEventLog (one process). */
  eventLog?: EventLog;
  /** "all" (default): answer the API and execute runs; "api": only the API; "worker": only execute runs. */
  role?: "all" | "api" | "worker";
  /** Attempts a run gets when its worker dies or stops (default 3); after them it ends in error. */
  maxAttempts?: number;
  /** Lease of the default queue in ms: a run whose worker died is taken over after it. Default 30,000. */
  leaseMs?: number;
  /** How long finished runs and idle threads are kept. */
  retention?: RetentionOptions;
  /** When set, every API request must carry it (X-Api-Key or Authorization: Bearer); else 401. */
  apiKey?: string;
  /**
   * Who makes a request: resolve `{ identity }`, or null (or throw) for 401. Each thread and run
   * belongs to the identity that created it, and other identities get 404 for it on every route.
   */
  authenticate?: (request: Request) => Promise<Identity | null> | Identity | null;
  /** Largest accepted JSON body in bytes (413 above). Default 1 MiB. */
  maxBodyBytes?: number;
  /** Allow browsers on other origins to call the API. Off by default (same origin only). */
  cors?: CorsOptions;
  /** Milliseconds between SSE heartbeat comments. Default 15,000 (0 turns them off). */
  heartbeatMs?: number;
  /** Serve this HTML at `GET /` (the browser demo uses it). */
  page?: string;
  /** More pages: HTML by path (e.g. `{ "/joke-poem": html }`). Pages need no API key; what they call does. */
  pages?: Record<string, string>;
  /** A path prefix the handler is mounted under (e.g. "/api" in a Next.js catch-all route); it is removed before routing. */
  basePath?: string;
}

/** A Web-standard request handler, with `ready` (set up, worker started) and `close()`. */
export interface WeftHandler {
  (request: Request): Promise<Response>;
  /** Settles once the store is set up and the worker takes jobs. */
  readonly ready: Promise<void>;
  /**
   * Stop: refuse new runs, let runs executing here finish for up to `drainMs` (default 0), hand the
   * rest back to the queue, and release what the handler created.
   */
  close(options?: { drainMs?: number }): Promise<void>;
}

const DAY = 86_400_000;

/**
 * Create the server's request handler.
 *
 * @example
 * import { createHandler, serve } from "weft/server";
 * const handler = createHandler({ graphs: { agent: graph } });
 * const server = await serve(handler, { port: 2024 });
 * // or in a Next.js route: export const POST = handler;
 */
export function createHandler(options: HandlerOptions): WeftHandler {
  const graphs = checkGraphs(options);
  const log = options.eventLog ?? new MemoryEventLog();
  const store = options.store ?? new MemoryRecordStore();
  const queue = options.queue ?? new StoreRunQueue(store, { leaseMs: options.leaseMs });
  const role = options.role ?? "all";
  if (!["all", "api", "worker"].includes(role)) throw new WeftError("INVALID_OPTIONS", `role must be "all", "api" or "worker", not ${JSON.stringify(role)}.`);
  const runs = new RunManager(store, log, graphs, queue, { maxAttempts: options.maxAttempts ?? 3, interruptWaitMs: 30_000 });
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const createdAt = new Date().toISOString();
  const basePath = (options.basePath ?? "").replace(/\/+$/, "");
  const pages: Record<string, string> = { ...options.pages, ...(options.page === undefined ? {} : { "/": options.page }) };
  for (const [path, html] of Object.entries(pages)) {
    if (!/^\/[\w/-]*$/.test(path) || typeof html !== "string") throw new WeftError("INVALID_OPTIONS", `pages: ${JSON.stringify(path)} must be a path like "/chat" and its page an HTML string.`);
  }
  const retention = { finishedRunsMs: options.retention?.finishedRunsMs ?? 7 * DAY, threadsMs: options.retention?.threadsMs, intervalMs: options.retention?.intervalMs ?? 600_000 };
  let closing = false;

  const prune = async () => {
    const now = Date.now();
    await store
      .prune({ finishedRuns: now - retention.finishedRunsMs, threads: retention.threadsMs === undefined ? undefined : now - retention.threadsMs })
      .catch((error: unknown) => console.error(`weft server: pruning old records failed: ${describeError(error)}`));
  };
  let pruneTimer: ReturnType<typeof setInterval> | undefined;
  const ready = (async () => {
    await store.setup();
    if (role !== "api") await queue.startWorker(runs.process);
    await prune();
    pruneTimer = setInterval(() => void prune(), retention.intervalMs);
    pruneTimer.unref?.();
  })();
  // Reported on every request (and by `ready`), never as an unhandled rejection.
  ready.catch((error: unknown) => console.error(`weft server: starting failed: ${describeError(error)}`));

  const context: ServerContext = { graphs, store, log, runs, maxBodyBytes, heartbeatMs, createdAt, authenticates: options.authenticate !== undefined, closing: () => closing };
  const routes: RouteEntry[] = [
    ...aiSdkChatRoutes({
      store,
      log,
      runs,
      maxBodyBytes,
      threadOf: (threadId, owner) => threadOf(context, threadId, owner),
      newThread,
      checkOpen: () => {
        if (closing) throw httpError(503, "The server is shutting down; send the turn to another instance.");
      },
    }),
    ...Object.entries(pages).map(([path, html]): RouteEntry => [
      "GET",
      new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`),
      () => new Response(html, { headers: { "Content-Type": "text/html; charset=utf-8" } }),
    ]),
    ["GET", /^\/ok$/, () => jsonResponse({ ok: true })],
    ["GET", /^\/info$/, () => jsonResponse({ version: "weft", flags: { assistants: true, crons: false } })],
    ...assistantRoutes(context),
    ...threadRoutes(context),
    ...threadStateRoutes(context),
    ...runRoutes(context),
  ];

  const identify = async (request: Request): Promise<string | null> => {
    if (options.authenticate === undefined) return null;
    let identity: Identity | null;
    try {
      identity = await options.authenticate(request);
    } catch (error) {
      throw httpError(401, `Authentication failed: ${describeError(error).slice(0, 200)}`, "Authorization");
    }
    if (identity === null || typeof identity !== "object" || typeof identity.identity !== "string" || identity.identity === "") {
      throw httpError(401, "Authentication failed: the request carries no valid credentials.", "Authorization");
    }
    return identity.identity;
  };

  const handler = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const cors = corsHeaders(options.cors, request.headers.get("Origin"));
    try {
      if (request.method === "OPTIONS") return preflightResponse(options.cors, request);
      let path = url.pathname;
      if (basePath !== "") {
        if (path !== basePath && !path.startsWith(`${basePath}/`)) return withHeaders(notFound(), cors);
        path = path.slice(basePath.length) || "/";
      }
      if (path.length > 1) path = path.replace(/\/+$/, "");
      let pathMatched = false;
      for (const [method, pattern, route] of routes) {
        const match = pattern.exec(path);
        if (match === null) continue;
        pathMatched = true;
        if (method !== request.method) continue;
        if (role === "worker" && path !== "/ok") throw httpError(503, "This instance only executes runs (--worker-only); send API requests to an API instance.");
        let owner: string | null = null;
        if (pages[path] === undefined) {
          checkApiKey(options.apiKey, request);
          if (path !== "/ok") owner = await identify(request);
        }
        const parameters = match.slice(1).map(decodePathPart);
        await ready;
        return withHeaders(await route(request, parameters, url, owner), cors);
      }
      if (pathMatched) throw httpError(405, `${request.method} is not allowed on ${path.slice(0, 200)}.`);
      return withHeaders(notFound(), cors);
    } catch (error) {
      if (!WeftError.isInstance(error) || error.code !== "SERVER") console.error("weft server:", error);
      return errorResponse(error, cors);
    }
  };
  let closed: Promise<void> | undefined;
  return Object.assign(handler, {
    ready,
    close(closeOptions: { drainMs?: number } = {}) {
      closed ??= (async () => {
        closing = true;
        if (pruneTimer !== undefined) clearInterval(pruneTimer);
        await ready.catch(() => undefined);
        await queue.close(closeOptions.drainMs ?? 0);
        runs.close();
        if (options.eventLog === undefined) await log.close();
        if (options.store === undefined) await store.close();
      })();
      return closed;
    },
  });
}

function decodePathPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw httpError(400, `The path segment ${JSON.stringify(part.slice(0, 60))} is not valid percent-encoding.`, "path");
  }
}

function notFound(): Response {
  return errorResponse(httpError(404, "No such route; see docs/server.md for the API."));
}

function withHeaders(response: Response, headers: Record<string, string>): Response {
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

/** The served graphs by id; a graph without a checkpointer gets `options.checkpointer`. */
function checkGraphs(options: HandlerOptions): Map<string, AnyGraph> {
  if (typeof options !== "object" || options === null || typeof options.graphs !== "object" || options.graphs === null) {
    throw new WeftError("INVALID_OPTIONS", "createHandler() needs { graphs: { <assistant id>: compiledGraph } }.");
  }
  const graphs = new Map<string, AnyGraph>();
  for (const [id, graph] of Object.entries(options.graphs)) {
    if (!(graph instanceof CompiledGraph)) {
      throw new WeftError("INVALID_OPTIONS", `graphs.${id} is not a compiled graph; pass the result of new StateGraph(...).compile().`);
    }
    if (!/^[\w.-]{1,100}$/.test(id)) throw new WeftError("INVALID_OPTIONS", `Assistant id "${id}" must be 1-100 letters, digits, '-', '_' or '.'.`);
    graphs.set(id, graph.checkpointer === undefined && options.checkpointer !== undefined ? graph.withCheckpointer(options.checkpointer) : graph);
  }
  if (graphs.size === 0) throw new WeftError("INVALID_OPTIONS", "createHandler() needs at least one graph in `graphs`.");
  return graphs;
}
