// The runs routes: create runs (streamed, background or waited for), join their streams, list, read and cancel them.
import { type LoggedEvent, type ReadFrom, batchesOf } from "../event-log.js";
import { httpError, jsonResponse } from "../http-error.js";
import type { RunRow } from "../record-store.js";
import { integerField, isRecordId, optionalEnum } from "../request-fields.js";
import { readJsonBody } from "../request-guard.js";
import { type RunRequest, SERVER_STREAM_MODES, type ServerStreamMode, parseRunRequest } from "../run-request.js";
import { eventStreamResponse } from "../sse.js";
import { threadStateOf } from "../thread-state.js";
import { type RouteEntry, type ServerContext, graphOfThread, newThread, runOf, threadOf } from "./context.js";

export function runRoutes(context: ServerContext): RouteEntry[] {
  const { store, runs, log, maxBodyBytes, heartbeatMs } = context;

  /** Parse a run request and create its run (creating the thread first with if_not_exists "create"). */
  const createRun = async (
    request: Request,
    threadId: string | null,
    owner: string | null,
    options: { withValues?: boolean } = {},
  ): Promise<{ row: RunRow; runRequest: RunRequest }> => {
    if (context.closing()) throw httpError(503, "The server is shutting down; send the run to another instance.");
    const runRequest = parseRunRequest(await readJsonBody(request, maxBodyBytes));
    // A waited-for run answers its final values, so its log carries them whatever it streams.
    if (options.withValues && !runRequest.streamModes.includes("values")) runRequest.streamModes.push("values");
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
    return eventStreamResponse((signal) => batchesOf(log, runId, { start: true }, signal), {
      headers: { "Content-Location": base, Location: `${base}/stream` },
      heartbeatMs,
      signal: request.signal,
      onDisconnect: runRequest.onDisconnect === "cancel" ? () => void runs.cancel(runId) : undefined,
    });
  };

  /** Follow a run's log from where the request says: `Last-Event-ID` (-1: from the first event), else its start when resumable, else from now. */
  const joinLog = async (request: Request, row: RunRow, url: URL, contentLocation: string) => {
    const runId = row.run.run_id;
    const lastEventId = request.headers.get("Last-Event-ID");
    const from: ReadFrom = lastEventId === "-1" ? { start: true } : lastEventId ? { after: lastEventId } : row.run.kwargs.resumable ? { start: true } : { now: true };
    const modes = joinModesOf(url);
    // Checked before answering, so a bad Last-Event-ID is a 4xx, not a broken stream.
    await log.check(runId, from);
    const cancelOnDisconnect = ["1", "true"].includes(url.searchParams.get("cancel_on_disconnect") ?? "");
    return eventStreamResponse((signal) => (modes === undefined ? batchesOf(log, runId, from, signal) : onlyModes(batchesOf(log, runId, from, signal), modes)), {
      headers: { "Content-Location": contentLocation },
      heartbeatMs,
      signal: request.signal,
      onDisconnect: cancelOnDisconnect ? () => void runs.cancel(runId) : undefined,
    });
  };

  const joinRun = async (request: Request, threadId: string | null, runId: string, url: URL, owner: string | null) => {
    const row = await runOf(context, threadId, runId, owner);
    return joinLog(request, row, url, threadId === null ? `/runs/${runId}` : `/threads/${threadId}/runs/${runId}`);
  };

  /** GET /threads/{id}/stream: the stream of the run the thread is running (or the oldest waiting). */
  const joinThread = async (request: Request, threadId: string, url: URL, owner: string | null) => {
    const thread = await threadOf(context, threadId, owner);
    const current = thread.currentRunId === null ? undefined : await store.getRun(thread.currentRunId);
    const row = current ?? (await store.listRuns({ threadId, status: ["running", "pending"], limit: 1, offset: 0 }))[0];
    if (row === undefined) throw httpError(404, `Thread ${threadId} has no run in progress; start one with POST /threads/${threadId}/runs/stream.`);
    return joinLog(request, row, url, `/threads/${threadId}/runs/${row.run.run_id}`);
  };

  /** The thread's values once its run has ended (GET .../runs/{id}/join). */
  const valuesAfter = async (runId: string, threadId: string, owner: string | null, signal: AbortSignal) => {
    await runs.waitForEnd(runId, signal);
    const thread = await threadOf(context, threadId, owner);
    const state = await threadStateOf(thread.thread, graphOfThread(context, thread));
    return state.values;
  };

  /**
   * POST .../runs/wait: the run's final values, read from its log (its `values` events), so a
   * stateless run answers too; a run that failed answers `{ __error__ }` as the LangGraph server does.
   */
  const waitRun = async (request: Request, threadId: string | null, owner: string | null) => {
    const { row } = await createRun(request, threadId, owner, { withValues: true });
    let values: unknown = null;
    let error: unknown;
    for await (const event of log.read(row.run.run_id, { start: true }, request.signal)) {
      if (event.event === "values") values = event.data;
      else if (event.event === "error") error = event.data;
    }
    if (error !== undefined) return jsonResponse({ __error__: error });
    if (threadId === null) return jsonResponse(values ?? {});
    // The thread's state includes what the run's last values event may not (an interrupt's pause).
    const thread = await threadOf(context, threadId, owner);
    const state = await threadStateOf(thread.thread, graphOfThread(context, thread));
    const interrupts = state.interrupts as unknown[];
    return jsonResponse(interrupts.length > 0 ? { ...(state.values as Record<string, unknown>), __interrupt__: interrupts } : state.values);
  };

  return [
    ["POST", /^\/threads\/([^/]+)\/runs\/stream$/, (request, [threadId], _url, owner) => streamRun(request, threadId!, owner)],
    ["POST", /^\/runs\/stream$/, (request, _parameters, _url, owner) => streamRun(request, null, owner)],
    ["POST", /^\/threads\/([^/]+)\/runs$/, async (request, [threadId], _url, owner) => jsonResponse((await createRun(request, threadId!, owner)).row.run)],
    ["POST", /^\/runs$/, async (request, _parameters, _url, owner) => jsonResponse((await createRun(request, null, owner)).row.run)],
    ["POST", /^\/threads\/([^/]+)\/runs\/wait$/, (request, [threadId], _url, owner) => waitRun(request, threadId!, owner)],
    ["POST", /^\/runs\/wait$/, (request, _parameters, _url, owner) => waitRun(request, null, owner)],
    ["GET", /^\/threads\/([^/]+)\/stream$/, (request, [threadId], url, owner) => joinThread(request, threadId!, url, owner)],
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

/** The modes a join asks for (`?stream_mode=` once or repeated), as SSE event names; undefined: all. */
function joinModesOf(url: URL): Set<string> | undefined {
  // The SDK sends a list as one JSON array parameter (`stream_mode=["values","messages-tuple"]`) or repeats the parameter.
  const asked = url.searchParams.getAll("stream_mode").flatMap((value) => (value.startsWith("[") ? parseModeList(value) : [value]));
  if (asked.length === 0) return undefined;
  for (const mode of asked) {
    if (!(SERVER_STREAM_MODES as readonly string[]).includes(mode)) {
      throw httpError(422, `Unknown stream_mode ${JSON.stringify(mode.slice(0, 60))}; use ${SERVER_STREAM_MODES.map((name) => `"${name}"`).join(", ")}.`, "stream_mode");
    }
  }
  return new Set((asked as ServerStreamMode[]).map((mode) => (mode === "messages-tuple" ? "messages" : mode)));
}

/** The events of the asked modes, batch by batch; the run's own events (metadata, error) always pass. */
async function* onlyModes(batches: AsyncIterable<readonly LoggedEvent[]>, modes: Set<string>): AsyncIterable<readonly LoggedEvent[]> {
  for await (const batch of batches) {
    const kept = batch.filter((event) => {
      const mode = event.event.split("|")[0]!;
      return mode === "metadata" || mode === "error" || modes.has(mode);
    });
    if (kept.length > 0) yield kept;
  }
}

function parseModeList(value: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw httpError(422, "`stream_mode` is not a valid JSON array of mode names.", "stream_mode");
  }
  if (!Array.isArray(parsed) || parsed.some((mode) => typeof mode !== "string")) throw httpError(422, "`stream_mode` must be an array of mode names.", "stream_mode");
  return parsed as string[];
}
