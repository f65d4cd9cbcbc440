// The Weft server as one Web-standard function, (Request) => Promise<Response>, so it mounts in
// Node (node-adapter.ts), Hono, Next.js route handlers, Deno or Bun. Routes follow the
// LangGraph server API for assistants, threads and streamed runs.
import { randomUUID } from "node:crypto";
import { WeftError } from "../errors.js";
import type { Checkpointer } from "../core/checkpointer.js";
import { CompiledGraph } from "../graph/compiled-graph.js";
import type { EventLog, ReadFrom } from "./event-log.js";
import { errorResponse, httpError, jsonResponse } from "./http-error.js";
import { MemoryEventLog } from "./memory-event-log.js";
import { type CorsOptions, checkApiKey, corsHeaders, preflightResponse, readJsonBody } from "./request-guard.js";
import { type AnyGraph, type RunRecord, RunManager, type ThreadRecord } from "./run-manager.js";
import { parseRunRequest } from "./run-request.js";
import { eventStreamResponse } from "./sse.js";
import { threadHistoryOf, threadStateOf } from "./thread-state.js";

export interface HandlerOptions {
  /** The graphs to serve, by assistant id (also their graph id). */
  graphs: Record<string, AnyGraph>;
  /** Saves threads of graphs compiled without a checkpointer (their own checkpointer wins). */
  checkpointer?: Checkpointer;
  /** Where runs' events and thread/run records live. Default: a MemoryEventLog (one process). */
  eventLog?: EventLog;
  /** When set, every API request must carry it (X-Api-Key or Authorization: Bearer); else 401. */
  apiKey?: string;
  /** Largest accepted JSON body in bytes (413 above). Default 1 MiB. */
  maxBodyBytes?: number;
  /** Allow browsers on other origins to call the API. Off by default (same origin only). */
  cors?: CorsOptions;
  /** Milliseconds between SSE heartbeat comments. Default 15,000 (0 turns them off). */
  heartbeatMs?: number;
  /** Serve this HTML at `GET /` (the browser demo uses it). */
  page?: string;
  /** A path prefix the handler is mounted under (e.g. "/api" in a Next.js catch-all route); it is removed before routing. */
  basePath?: string;
}

/** A Web-standard request handler, with `close()` to cancel running runs and release the event log. */
export interface WeftHandler {
  (request: Request): Promise<Response>;
  close(): Promise<void>;
}

type Route = (request: Request, parameters: string[], url: URL) => Promise<Response> | Response;

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
  const ownsLog = options.eventLog === undefined;
  const runs = new RunManager(log, graphs);
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const createdAt = new Date().toISOString();
  const basePath = (options.basePath ?? "").replace(/\/+$/, "");

  const assistantOf = (id: string) => ({
    assistant_id: id,
    graph_id: id,
    name: graphs.get(id)!.name,
    description: null,
    config: {},
    context: {},
    metadata: { created_by: "system" },
    version: 1,
    created_at: createdAt,
    updated_at: createdAt,
  });

  const threadOf = async (threadId: string): Promise<ThreadRecord> => {
    const thread = await log.getRecord<ThreadRecord>("thread", threadId);
    if (thread === undefined) throw httpError(404, `Thread ${threadId} not found; create it with POST /threads.`);
    return thread;
  };

  const runOf = async (threadId: string | null, runId: string): Promise<RunRecord> => {
    const run = await log.getRecord<RunRecord>("run", runId);
    if (run === undefined || (threadId !== null && run.thread_id !== threadId)) {
      throw httpError(404, `Run ${runId} not found${threadId === null ? "" : ` on thread ${threadId}`} (or its log expired).`);
    }
    return run;
  };

  const streamRun = async (request: Request, threadId: string | null) => {
    const runRequest = parseRunRequest(await readJsonBody(request, maxBodyBytes));
    const run = await runs.start(runRequest, threadId);
    const base = threadId === null ? `/runs/${run.run_id}` : `/threads/${threadId}/runs/${run.run_id}`;
    return eventStreamResponse((signal) => log.read(run.run_id, { start: true }, signal), {
      headers: { "Content-Location": base, Location: `${base}/stream` },
      heartbeatMs,
      signal: request.signal,
      onDisconnect: runRequest.onDisconnect === "cancel" ? () => void runs.cancel(run.run_id) : undefined,
    });
  };

  const joinRun = async (request: Request, threadId: string | null, runId: string, url: URL) => {
    const run = await runOf(threadId, runId);
    const lastEventId = request.headers.get("Last-Event-ID");
    const from: ReadFrom = lastEventId ? { after: lastEventId } : run.kwargs.resumable ? { start: true } : { now: true };
    // Checked before answering, so a bad Last-Event-ID is a 4xx, not a broken stream.
    await log.check(runId, from);
    const cancelOnDisconnect = ["1", "true"].includes(url.searchParams.get("cancel_on_disconnect") ?? "");
    return eventStreamResponse((signal) => log.read(runId, from, signal), {
      headers: { "Content-Location": threadId === null ? `/runs/${runId}` : `/threads/${threadId}/runs/${runId}` },
      heartbeatMs,
      signal: request.signal,
      onDisconnect: cancelOnDisconnect ? () => void runs.cancel(runId) : undefined,
    });
  };

  const routes: Array<[method: string, pattern: RegExp, route: Route]> = [
    ["GET", /^\/$/, () => (options.page === undefined ? notFound() : new Response(options.page, { headers: { "Content-Type": "text/html; charset=utf-8" } }))],
    ["GET", /^\/ok$/, () => jsonResponse({ ok: true })],
    ["GET", /^\/info$/, () => jsonResponse({ version: "weft", flags: { assistants: true, crons: false } })],
    [
      "POST",
      /^\/assistants\/search$/,
      async (request) => {
        const body = ((await readJsonBody(request, maxBodyBytes)) ?? {}) as Record<string, unknown>;
        const limit = typeof body.limit === "number" ? body.limit : 10;
        const offset = typeof body.offset === "number" ? body.offset : 0;
        const ids = [...graphs.keys()].filter((id) => body.graph_id === undefined || body.graph_id === id);
        return jsonResponse(ids.slice(offset, offset + limit).map(assistantOf));
      },
    ],
    [
      "GET",
      /^\/assistants\/([^/]+)$/,
      (_request, [id]) => {
        runs.graphOf(id!, "assistant_id"); // 404 for an unknown id
        return jsonResponse(assistantOf(id!));
      },
    ],
    [
      "POST",
      /^\/threads$/,
      async (request) => {
        const body = ((await readJsonBody(request, maxBodyBytes)) ?? {}) as Record<string, unknown>;
        const threadId = body.thread_id ?? randomUUID();
        if (typeof threadId !== "string" || !/^[\w.:-]{1,200}$/.test(threadId)) {
          throw httpError(422, "`thread_id` must be 1-200 letters, digits, '-', '_', '.' or ':'.", "thread_id");
        }
        const metadata = body.metadata ?? {};
        if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) throw httpError(422, "`metadata` must be an object.", "metadata");
        const existing = await log.getRecord<ThreadRecord>("thread", threadId);
        if (existing !== undefined) {
          if (body.if_exists === "do_nothing") return jsonResponse(existing);
          throw httpError(409, `Thread ${threadId} already exists; pass if_exists: "do_nothing" to reuse it.`, "thread_id");
        }
        const now = new Date().toISOString();
        const thread: ThreadRecord = {
          thread_id: threadId,
          created_at: now,
          updated_at: now,
          metadata: metadata as Record<string, unknown>,
          status: "idle",
          values: null,
          config: {},
          interrupts: {},
        };
        await log.putRecord("thread", threadId, thread);
        return jsonResponse(thread);
      },
    ],
    ["GET", /^\/threads\/([^/]+)$/, async (_request, [threadId]) => jsonResponse(await threadOf(threadId!))],
    [
      "GET",
      /^\/threads\/([^/]+)\/state$/,
      async (_request, [threadId]) => {
        const thread = await threadOf(threadId!);
        const graphId = thread.metadata.graph_id;
        const graph = typeof graphId === "string" ? graphs.get(graphId) : undefined;
        return jsonResponse(await threadStateOf(thread, graph));
      },
    ],
    [
      "POST",
      /^\/threads\/([^/]+)\/history$/,
      async (request, [threadId]) => {
        const body = ((await readJsonBody(request, maxBodyBytes)) ?? {}) as Record<string, unknown>;
        const limit = body.limit ?? 10;
        if (!Number.isInteger(limit) || (limit as number) < 1) throw httpError(422, "`limit` must be a whole number >= 1.", "limit");
        const thread = await threadOf(threadId!);
        const graphId = thread.metadata.graph_id;
        return jsonResponse(await threadHistoryOf(thread, typeof graphId === "string" ? graphs.get(graphId) : undefined, limit as number));
      },
    ],
    ["POST", /^\/threads\/([^/]+)\/runs\/stream$/, (request, [threadId]) => streamRun(request, threadId!)],
    ["POST", /^\/runs\/stream$/, (request) => streamRun(request, null)],
    ["GET", /^\/threads\/([^/]+)\/runs\/([^/]+)$/, async (_request, [threadId, runId]) => jsonResponse(await runOf(threadId!, runId!))],
    ["GET", /^\/threads\/([^/]+)\/runs\/([^/]+)\/stream$/, (request, [threadId, runId], url) => joinRun(request, threadId!, runId!, url)],
    ["GET", /^\/runs\/([^/]+)\/stream$/, (request, [runId], url) => joinRun(request, null, runId!, url)],
    [
      "GET",
      /^\/threads\/([^/]+)\/runs\/([^/]+)\/join$/,
      async (request, [threadId, runId]) => {
        await runOf(threadId!, runId!);
        // Waiting means reading the run's log to its end; then the thread holds the run's result.
        for await (const _event of log.read(runId!, { now: true }, request.signal)) {
          // drain
        }
        const thread = await threadOf(threadId!);
        const graphId = thread.metadata.graph_id;
        const state = await threadStateOf(thread, typeof graphId === "string" ? graphs.get(graphId) : undefined);
        return jsonResponse(state.values);
      },
    ],
    [
      "POST",
      /^\/threads\/([^/]+)\/runs\/([^/]+)\/cancel$/,
      async (_request, [threadId, runId], url) => {
        const run = await runOf(threadId!, runId!);
        if (run.status === "running" || run.status === "pending") await runs.cancel(runId!);
        if (!["1", "true"].includes(url.searchParams.get("wait") ?? "")) return new Response(null, { status: 202 });
        // Waiting means reading the run's log to its end, on whichever instance it runs.
        for await (const _event of log.read(runId!, { now: true })) {
          // drain
        }
        return new Response(null, { status: 204 });
      },
    ],
  ];

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
        if (path !== "/") checkApiKey(options.apiKey, request);
        const parameters = match.slice(1).map((part) => decodeURIComponent(part));
        return withHeaders(await route(request, parameters, url), cors);
      }
      if (pathMatched) throw httpError(405, `${request.method} is not allowed on ${path}.`);
      return withHeaders(notFound(), cors);
    } catch (error) {
      if (!WeftError.isInstance(error) || error.code !== "SERVER") console.error("weft server:", error);
      return errorResponse(error, cors);
    }
  };
  return Object.assign(handler, {
    async close() {
      await runs.close();
      if (ownsLog) await log.close();
    },
  });
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

