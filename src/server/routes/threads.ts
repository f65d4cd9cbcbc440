// The threads routes: create, search, read, patch and delete threads, and read their state and history.
import { randomUUID } from "node:crypto";
import { httpError, jsonResponse } from "../http-error.js";
import { checkThreadId, integerField, objectBody, optionalEnum, optionalObject } from "../request-fields.js";
import { readJsonBody } from "../request-guard.js";
import { threadHistoryOf, threadStateOf } from "../thread-state.js";
import { type RouteEntry, type ServerContext, graphOfThread, newThread, threadOf, visible } from "./context.js";

export function threadRoutes(context: ServerContext): RouteEntry[] {
  const { store, runs, maxBodyBytes } = context;
  return [
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
          owner: context.authenticates ? owner : undefined,
          metadata: optionalObject(body, "metadata"),
          status: optionalEnum(body, "status", ["idle", "busy", "error", "interrupted"] as const),
          limit: integerField(body, "limit", 10, 1, 1000),
          offset: integerField(body, "offset", 0, 0, 1_000_000),
        });
        return jsonResponse(rows.map((row) => row.thread));
      },
    ],
    ["GET", /^\/threads\/([^/]+)$/, async (_request, [threadId], _url, owner) => jsonResponse((await threadOf(context, threadId!, owner)).thread)],
    [
      "PATCH",
      /^\/threads\/([^/]+)$/,
      async (request, [threadId], _url, owner) => {
        const body = objectBody(await readJsonBody(request, maxBodyBytes), ["metadata"]);
        const metadata = optionalObject(body, "metadata") ?? {};
        await threadOf(context, threadId!, owner);
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
        const row = await threadOf(context, threadId!, owner);
        if (row.currentRunId !== null) await runs.cancel(row.currentRunId);
        await store.deleteThread(threadId!);
        const graph = graphOfThread(context, row);
        if (graph?.checkpointer !== undefined) await graph.checkpointer.deleteThread(threadId!);
        return new Response(null, { status: 204 });
      },
    ],
    [
      "GET",
      /^\/threads\/([^/]+)\/state$/,
      async (_request, [threadId], _url, owner) => {
        const row = await threadOf(context, threadId!, owner);
        return jsonResponse(await threadStateOf(row.thread, graphOfThread(context, row)));
      },
    ],
    [
      "POST",
      /^\/threads\/([^/]+)\/history$/,
      async (request, [threadId], _url, owner) => {
        const body = objectBody(await readJsonBody(request, maxBodyBytes), ["limit", "before", "metadata", "checkpoint"]);
        for (const field of ["before", "metadata", "checkpoint"]) if (body[field] !== undefined && body[field] !== null) throw httpError(422, `"${field}" is not supported in a history request; remove it.`, field);
        const limit = integerField(body, "limit", 10, 1, 1000);
        const row = await threadOf(context, threadId!, owner);
        return jsonResponse(await threadHistoryOf(row.thread, graphOfThread(context, row), limit));
      },
    ],
  ];
}
