// The Weft server as one Web-standard function, (Request) => Promise<Response>, so it mounts in
// Node (node-adapter.ts), Hono, Next.js route handlers, Deno or Bun. Routes follow the
// LangGraph server API for assistants, threads and runs.
import { randomUUID } from "node:crypto";
import { WeftError, describeError } from "../errors.js";
import type { Checkpointer } from "../core/checkpointer.js";
import { CompiledGraph } from "../graph/compiled-graph.js";
import { aiSdkChatRoutes } from "./ai-sdk-chat-routes.js";
import type { EventLog, ReadFrom } from "./event-log.js";
import { errorResponse, httpError, jsonResponse } from "./http-error.js";
import { MemoryEventLog } from "./memory-event-log.js";
import { MemoryRecordStore } from "./memory-record-store.js";
import type { RecordStore, RunRow, ThreadRecord, ThreadRow } from "./record-store.js";
import { checkThreadId, integerField, isRecordId, objectBody, optionalEnum, optionalObject } from "./request-fields.js";
import { type CorsOptions, checkApiKey, corsHeaders, preflightResponse, readJsonBody } from "./request-guard.js";
import { type AnyGraph, RunManager } from "./run-manager.js";
import { type RunQueue, StoreRunQueue } from "./run-queue.js";
import { type RunRequest, parseRunRequest } from "./run-request.js";
import { eventStreamResponse } from "./sse.js";
import { threadHistoryOf, threadStateOf } from "./thread-state.js";

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

type Route = (request: Request, parameters: string[], url: URL, owner: string | null) => Promise<Response> | Response;

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

  /** The thread, or 404 when it is missing or belongs to another identity. */
  const threadOf = async (threadId: string, owner: string | null): Promise<ThreadRow> => {
    const row = isRecordId(threadId) ? await store.getThread(threadId) : undefined;
    if (row === undefined || !visible(row.owner, owner)) throw httpError(404, `Thread ${threadId.slice(0, 200)} not found; create it with POST /threads.`);
    return row;
  };

  const runOf = async (threadId: string | null, runId: string, owner: string | null): Promise<RunRow> => {
    const row = isRecordId(runId) ? await store.getRun(runId) : undefined;
    if (row === undefined || (threadId !== null && row.run.thread_id !== threadId) || !visible(row.owner, owner)) {
      throw httpError(404, `Run ${runId.slice(0, 200)} not found${threadId === null ? "" : ` on thread ${threadId.slice(0, 200)}`}.`);
    }
    return row;
  };

  const graphOfThread = (row: ThreadRow) => {
    const graphId = row.thread.metadata.graph_id;
    return typeof graphId === "string" ? graphs.get(graphId) : undefined;
  };

  const newThread = (threadId: string, metadata: Record<string, unknown>, owner: string | null): ThreadRow => {
    const now = new Date().toISOString();
    const thread: ThreadRecord = {
      thread_id: threadId,
      created_at: now,
      updated_at: now,
      metadata: owner === null ? metadata : { ...metadata, owner },
      status: "idle",
      values: null,
      config: {},
      interrupts: {},
    };
    return { thread, owner, currentRunId: null };
  };

  /** Parse a run request and create its run (creating the thread first with if_not_exists "create"). */
  const createRun = async (request: Request, threadId: string | null, owner: string | null): Promise<{ row: RunRow; runRequest: RunRequest }> => {
    if (closing) throw httpError(503, "The server is shutting down; send the run to another instance.");
    const runRequest = parseRunRequest(await readJsonBody(request, maxBodyBytes));
    if (threadId !== null && runRequest.ifNotExists === "create" && isRecordId(threadId)) {
      await store.insertThread(newThread(threadId, {}, owner));
    }
    if (threadId !== null) await threadOf(threadId, owner);
    return { row: await runs.create(runRequest, threadId, owner), runRequest };
  };

  const streamRun = async (request: Request, threadId: string | null, owner: string | null) => {
    const { row, runRequest } = await createRun(request, threadId, owner);
    const runId = row.run.run_id;
    const base = threadId === null ? `/runs/${runId}` : `/threads/${threadId}/runs/${runId}`;
    return eventStreamResponse((signal) => log.read(runId, { start: true }, signal), {
      headers: { "Content-Location": base, Location: `${base}/stream` },
      heartbeatMs,
      signal: request.signal,
      onDisconnect: runRequest.onDisconnect === "cancel" ? () => void runs.cancel(runId) : undefined,
    });
  };

  const joinRun = async (request: Request, threadId: string | null, runId: string, url: URL, owner: string | null) => {
    const row = await runOf(threadId, runId, owner);
    const lastEventId = request.headers.get("Last-Event-ID");
    const from: ReadFrom = lastEventId ? { after: lastEventId } : row.run.kwargs.resumable ? { start: true } : { now: true };
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

  /** The thread's values once its run has ended (runs/wait and join). */
  const valuesAfter = async (runId: string, threadId: string | null, owner: string | null, signal: AbortSignal) => {
    const ended = await runs.waitForEnd(runId, signal);
    if (threadId === null) return ended?.run.error ?? {};
    const thread = await threadOf(threadId, owner);
    const state = await threadStateOf(thread.thread, graphOfThread(thread));
    return state.values;
  };

  const routes: Array<[method: string, pattern: RegExp, route: Route]> = [
    ...aiSdkChatRoutes({
      store,
      log,
      runs,
      maxBodyBytes,
      threadOf,
      newThread,
      checkOpen: () => {
        if (closing) throw httpError(503, "The server is shutting down; send the turn to another instance.");
      },
    }),
    ["GET", /^\/$/, () => (options.page === undefined ? notFound() : new Response(options.page, { headers: { "Content-Type": "text/html; charset=utf-8" } }))],
    ["GET", /^\/ok$/, () => jsonResponse({ ok: true })],
    ["GET", /^\/info$/, () => jsonResponse({ version: "weft", flags: { assistants: true, crons: false } })],
    [
      "POST",
      /^\/assistants\/search$/,
      async (request) => {
        const body = objectBody(await readJsonBody(request, maxBodyBytes), ["graph_id", "metadata", "limit", "offset", "name", "sort_by", "sort_order", "select"]);
        const limit = integerField(body, "limit", 10, 1, 1000);
        const offset = integerField(body, "offset", 0, 0, 1_000_000);
        if (body.graph_id !== undefined && typeof body.graph_id !== "string") throw httpError(422, "`graph_id` must be a string.", "graph_id");
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
      async (request, _parameters, _url, owner) => {
        const body = objectBody(await readJsonBody(request, maxBodyBytes), ["thread_id", "metadata", "if_exists", "graph_id", "supersteps", "ttl"]);
        for (const field of ["supersteps", "ttl"]) if (body[field] !== undefined && body[field] !== null) throw httpError(422, `"${field}" is not supported by the Weft server; remove it.`, field);
        const threadId = body.thread_id === undefined || body.thread_id === null ? randomUUID() : checkThreadId(body.thread_id);
        const metadata = optionalObject(body, "metadata") ?? {};
        const ifExists = optionalEnum(body, "if_exists", ["raise", "do_nothing"] as const) ?? "raise";
        if (body.graph_id !== undefined && typeof body.graph_id !== "string") throw httpError(422, "`graph_id` must be a string.", "graph_id");
        const row = newThread(threadId, body.graph_id === undefined ? metadata : { ...metadata, graph_id: body.graph_id }, owner);
        if (await store.insertThread(row)) return jsonResponse(row.thread);
        const existing = await store.getThread(threadId);
        // Another identity's thread of the same id is not revealed: it answers as a conflict without its contents.
        if (ifExists === "do_nothing" && existing !== undefined && visible(existing.owner, owner)) return jsonResponse(existing.thread);
        throw httpError(409, `Thread ${threadId} already exists; pass if_exists: "do_nothing" to reuse it.`, "thread_id");
      },
    ],
    [
      "POST",
      /^\/threads\/search$/,
      async (request, _parameters, _url, owner) => {
        const body = objectBody(await readJsonBody(request, maxBodyBytes), ["metadata", "status", "limit", "offset", "values", "sort_by", "sort_order", "select", "ids"]);
        for (const field of ["values", "ids", "select"]) if (body[field] !== undefined && body[field] !== null) throw httpError(422, `"${field}" is not supported in a thread search; remove it.`, field);
        optionalEnum(body, "sort_by", ["updated_at"] as const);
        optionalEnum(body, "sort_order", ["desc"] as const);
        const rows = await store.searchThreads({
          owner: options.authenticate === undefined ? undefined : owner,
          metadata: optionalObject(body, "metadata"),
          status: optionalEnum(body, "status", ["idle", "busy", "error", "interrupted"] as const),
          limit: integerField(body, "limit", 10, 1, 1000),
          offset: integerField(body, "offset", 0, 0, 1_000_000),
        });
        return jsonResponse(rows.map((row) => row.thread));
      },
    ],
    ["GET", /^\/threads\/([^/]+)$/, async (_request, [threadId], _url, owner) => jsonResponse((await threadOf(threadId!, owner)).thread)],
    [
      "PATCH",
      /^\/threads\/([^/]+)$/,
      async (request, [threadId], _url, owner) => {
        const body = objectBody(await readJsonBody(request, maxBodyBytes), ["metadata"]);
        const metadata = optionalObject(body, "metadata") ?? {};
        await threadOf(threadId!, owner);
        const updated = await store.updateThread(threadId!, (row) =>
          visible(row.owner, owner)
            ? { ...row, thread: { ...row.thread, updated_at: new Date().toISOString(), metadata: { ...row.thread.metadata, ...metadata, ...(row.owner === null ? {} : { owner: row.owner }) } } }
            : undefined,
        );
        if (updated === undefined) throw httpError(404, `Thread ${threadId} not found.`);
        return jsonResponse(updated.thread);
      },
    ],
    [
      "DELETE",
      /^\/threads\/([^/]+)$/,
      async (_request, [threadId], _url, owner) => {
        const row = await threadOf(threadId!, owner);
        if (row.currentRunId !== null) await runs.cancel(row.currentRunId);
        await store.deleteThread(threadId!);
        const graph = graphOfThread(row);
        if (graph?.checkpointer !== undefined) await graph.checkpointer.deleteThread(threadId!);
        return new Response(null, { status: 204 });
      },
    ],
    [
      "GET",
      /^\/threads\/([^/]+)\/state$/,
      async (_request, [threadId], _url, owner) => {
        const row = await threadOf(threadId!, owner);
        return jsonResponse(await threadStateOf(row.thread, graphOfThread(row)));
      },
    ],
    [
      "POST",
      /^\/threads\/([^/]+)\/history$/,
      async (request, [threadId], _url, owner) => {
        const body = objectBody(await readJsonBody(request, maxBodyBytes), ["limit", "before", "metadata", "checkpoint"]);
        for (const field of ["before", "metadata", "checkpoint"]) if (body[field] !== undefined && body[field] !== null) throw httpError(422, `"${field}" is not supported in a history request; remove it.`, field);
        const limit = integerField(body, "limit", 10, 1, 1000);
        const row = await threadOf(threadId!, owner);
        return jsonResponse(await threadHistoryOf(row.thread, graphOfThread(row), limit));
      },
    ],
    ["POST", /^\/threads\/([^/]+)\/runs\/stream$/, (request, [threadId], _url, owner) => streamRun(request, threadId!, owner)],
    ["POST", /^\/runs\/stream$/, (request, _parameters, _url, owner) => streamRun(request, null, owner)],
    ["POST", /^\/threads\/([^/]+)\/runs$/, async (request, [threadId], _url, owner) => jsonResponse((await createRun(request, threadId!, owner)).row.run)],
    ["POST", /^\/runs$/, async (request, _parameters, _url, owner) => jsonResponse((await createRun(request, null, owner)).row.run)],
    [
      "POST",
      /^\/threads\/([^/]+)\/runs\/wait$/,
      async (request, [threadId], _url, owner) => {
        const { row } = await createRun(request, threadId!, owner);
        return jsonResponse(await valuesAfter(row.run.run_id, threadId!, owner, request.signal));
      },
    ],
    [
      "GET",
      /^\/threads\/([^/]+)\/runs$/,
      async (_request, [threadId], url, owner) => {
        await threadOf(threadId!, owner);
        const query = Object.fromEntries(url.searchParams);
        const numbers = { limit: query.limit === undefined ? undefined : Number(query.limit), offset: query.offset === undefined ? undefined : Number(query.offset) };
        const status = optionalEnum(query, "status", ["pending", "running", "success", "error", "timeout", "interrupted"] as const);
        const rows = await store.listRuns({
          threadId: threadId!,
          status: status === undefined ? undefined : [status],
          limit: integerField(numbers, "limit", 10, 1, 1000),
          offset: integerField(numbers, "offset", 0, 0, 1_000_000),
        });
        return jsonResponse(rows.map((row) => row.run));
      },
    ],
    ["GET", /^\/threads\/([^/]+)\/runs\/([^/]+)$/, async (_request, [threadId, runId], _url, owner) => jsonResponse((await runOf(threadId!, runId!, owner)).run)],
    ["GET", /^\/threads\/([^/]+)\/runs\/([^/]+)\/stream$/, (request, [threadId, runId], url, owner) => joinRun(request, threadId!, runId!, url, owner)],
    ["GET", /^\/runs\/([^/]+)\/stream$/, (request, [runId], url, owner) => joinRun(request, null, runId!, url, owner)],
    [
      "GET",
      /^\/threads\/([^/]+)\/runs\/([^/]+)\/join$/,
      async (request, [threadId, runId], _url, owner) => {
        await runOf(threadId!, runId!, owner);
        return jsonResponse(await valuesAfter(runId!, threadId!, owner, request.signal));
      },
    ],
    [
      "POST",
      /^\/threads\/([^/]+)\/runs\/([^/]+)\/cancel$/,
      async (request, [threadId, runId], url, owner) => {
        await runOf(threadId!, runId!, owner);
        const wait = optionalEnum(Object.fromEntries(url.searchParams), "wait", ["0", "1", "true", "false"] as const);
        optionalEnum(Object.fromEntries(url.searchParams), "action", ["interrupt"] as const);
        await runs.cancel(runId!);
        if (wait !== "1" && wait !== "true") return new Response(null, { status: 202 });
        await runs.waitForEnd(runId!, request.signal);
        return new Response(null, { status: 204 });
      },
    ],
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
        if (path !== "/") {
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

/** Without `authenticate` every record is everyone's; with it, a record is its owner's only. */
function visible(recordOwner: string | null, requester: string | null): boolean {
  return requester === null ? true : recordOwner === requester;
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
