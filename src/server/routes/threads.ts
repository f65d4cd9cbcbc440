// The threads routes: create, search, read, patch and delete threads (their state: thread-state-routes.ts).
import { randomUUID } from "node:crypto";
import { httpError, jsonResponse } from "../http-error.js";
import { checkThreadId, integerField, objectBody, optionalEnum, optionalObject } from "../request-fields.js";
import { THREAD_SORT_FIELDS } from "../record-store.js";
import { readJsonBody } from "../request-guard.js";
import { type RouteEntry, type ServerContext, graphOfThread, newThread, threadOf, visible } from "./context.js";

/** The fields of a thread record a search may `select`. */
const THREAD_FIELDS = ["thread_id", "created_at", "updated_at", "metadata", "status", "values", "config", "interrupts"] as const;

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
        const body = objectBody(await readJsonBody(request, maxBodyBytes), ["metadata", "status", "limit", "offset", "values", "sort_by", "sort_order", "select", "ids", "extract"]);
        if (body.extract !== undefined && body.extract !== null) throw httpError(422, '"extract" is not supported in a thread search; remove it (use "select").', "extract");
        const ids = body.ids ?? undefined;
        if (ids !== undefined && (!Array.isArray(ids) || ids.some((id) => typeof id !== "string"))) throw httpError(422, "`ids` must be an array of thread id strings.", "ids");
        const select = body.select ?? undefined;
        if (select !== undefined && (!Array.isArray(select) || select.some((field) => !(THREAD_FIELDS as readonly unknown[]).includes(field)))) {
          throw httpError(422, `\`select\` must be an array of ${THREAD_FIELDS.map((field) => `"${field}"`).join(", ")}.`, "select");
        }
        const rows = await store.searchThreads({
          owner: context.authenticates ? owner : undefined,
          metadata: optionalObject(body, "metadata"),
          values: optionalObject(body, "values"),
          ids: ids as string[] | undefined,
          status: optionalEnum(body, "status", ["idle", "busy", "error", "interrupted"] as const),
          sortBy: optionalEnum(body, "sort_by", THREAD_SORT_FIELDS),
          sortOrder: optionalEnum(body, "sort_order", ["asc", "desc"] as const),
          limit: integerField(body, "limit", 10, 1, 1000),
          offset: integerField(body, "offset", 0, 0, 1_000_000),
        });
        if (select !== undefined) return jsonResponse(rows.map((row) => Object.fromEntries((select as string[]).map((field) => [field, row.thread[field]]))));
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
  ];
}
