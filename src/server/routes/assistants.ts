// The assistants routes: every served graph is an assistant whose id is also its graph id.
import { describeGraph, describeSchemas } from "../graph-description.js";
import { httpError, jsonResponse } from "../http-error.js";
import { integerField, objectBody } from "../request-fields.js";
import { readJsonBody } from "../request-guard.js";
import type { RouteEntry, ServerContext } from "./context.js";

/** The LangGraph server's Assistant record of a served graph. */
export function assistantOf(context: ServerContext, id: string): Record<string, unknown> {
  return {
    assistant_id: id,
    graph_id: id,
    name: context.graphs.get(id)!.name,
    description: null,
    config: {},
    context: {},
    metadata: { created_by: "system" },
    version: 1,
    created_at: context.createdAt,
    updated_at: context.createdAt,
  };
}

export function assistantRoutes(context: ServerContext): RouteEntry[] {
  return [
    [
      "POST",
      /^\/assistants\/search$/,
      async (request) => {
        const body = objectBody(await readJsonBody(request, context.maxBodyBytes), ["graph_id", "metadata", "limit", "offset", "name", "sort_by", "sort_order", "select"]);
        const limit = integerField(body, "limit", 10, 1, 1000);
        const offset = integerField(body, "offset", 0, 0, 1_000_000);
        if (body.graph_id !== undefined && typeof body.graph_id !== "string") throw httpError(422, "`graph_id` must be a string.", "graph_id");
        const ids = [...context.graphs.keys()].filter((id) => body.graph_id === undefined || body.graph_id === id);
        return jsonResponse(ids.slice(offset, offset + limit).map((id) => assistantOf(context, id)));
      },
    ],
    ["GET", /^\/assistants\/([^/]+)\/graph$/, (_request, [id]) => jsonResponse(describeGraph(context.runs.graphOf(id!, "assistant_id").graphSpec))],
    ["GET", /^\/assistants\/([^/]+)\/schemas$/, (_request, [id]) => jsonResponse(describeSchemas(id!, context.runs.graphOf(id!, "assistant_id").graphSpec))],
    [
      "GET",
      /^\/assistants\/([^/]+)$/,
      (_request, [id]) => {
        context.runs.graphOf(id!, "assistant_id"); // 404 for an unknown id
        return jsonResponse(assistantOf(context, id!));
      },
    ],
  ];
}
