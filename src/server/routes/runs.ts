// The runs routes: create runs (streamed, background or waited for), join their streams, list, read and cancel them.
import type { ReadFrom } from "../event-log.js";
import { httpError, jsonResponse } from "../http-error.js";
import type { RunRow } from "../record-store.js";
import { integerField, isRecordId, optionalEnum } from "../request-fields.js";
import { readJsonBody } from "../request-guard.js";
import { type RunRequest, parseRunRequest } from "../run-request.js";
import { eventStreamResponse } from "../sse.js";
import { threadStateOf } from "../thread-state.js";
import { type RouteEntry, type ServerContext, graphOfThread, newThread, runOf, threadOf } from "./context.js";

export function runRoutes(context: ServerContext): RouteEntry[] {
  const { store, runs, log, maxBodyBytes, heartbeatMs } = context;

  /** Parse a run request and create its run (creating the thread first with if_not_exists "create"). */
  const createRun = async (request: Request, threadId: string | null, owner: string | null): Promise<{ row: RunRow; runRequest: RunRequest }> => {
    if (context.closing()) throw httpError(503, "The server is shutting down; send the run to another instance.");
    const runRequest = parseRunRequest(await readJsonBody(request, maxBodyBytes));
    if (threadId !== null && runRequest.ifNotExists === "create" && isRecordId(threadId)) {
      await store.insertThread(newThread(threadId, {}, owner));
    }
    if (threadId !== null) await threadOf(context, threadId, owner);
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
    const row = await runOf(context, threadId, runId, owner);
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
    const thread = await threadOf(context, threadId, owner);
    const state = await threadStateOf(thread.thread, graphOfThread(context, thread));
    return state.values;
  };

  return [
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
        await threadOf(context, threadId!, owner);
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
    ["GET", /^\/threads\/([^/]+)\/runs\/([^/]+)$/, async (_request, [threadId, runId], _url, owner) => jsonResponse((await runOf(context, threadId!, runId!, owner)).run)],
    ["GET", /^\/threads\/([^/]+)\/runs\/([^/]+)\/stream$/, (request, [threadId, runId], url, owner) => joinRun(request, threadId!, runId!, url, owner)],
    ["GET", /^\/runs\/([^/]+)\/stream$/, (request, [runId], url, owner) => joinRun(request, null, runId!, url, owner)],
    [
      "GET",
      /^\/threads\/([^/]+)\/runs\/([^/]+)\/join$/,
      async (request, [threadId, runId], _url, owner) => {
        await runOf(context, threadId!, runId!, owner);
        return jsonResponse(await valuesAfter(runId!, threadId!, owner, request.signal));
      },
    ],
    [
      "POST",
      /^\/threads\/([^/]+)\/runs\/([^/]+)\/cancel$/,
      async (request, [threadId, runId], url, owner) => {
        await runOf(context, threadId!, runId!, owner);
        const wait = optionalEnum(Object.fromEntries(url.searchParams), "wait", ["0", "1", "true", "false"] as const);
        optionalEnum(Object.fromEntries(url.searchParams), "action", ["interrupt"] as const);
        await runs.cancel(runId!);
        if (wait !== "1" && wait !== "true") return new Response(null, { status: 202 });
        await runs.waitForEnd(runId!, request.signal);
        return new Response(null, { status: 204 });
      },
    ],
  ];
}
