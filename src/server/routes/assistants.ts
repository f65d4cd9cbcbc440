// The assistants routes. Every served graph is an assistant whose id is its graph id (made by the
// server, read-only); POST /assistants makes more, kept in the record store: a served graph with a
// config, context and metadata of its own, which every run of the assistant starts from.
import { randomUUID } from "node:crypto";
import { describeValue } from "../../errors.js";
import { describeGraph, describeSchemas } from "../graph-description.js";
import { httpError, jsonResponse } from "../http-error.js";
import { type AssistantRecord, type AssistantRow, matchesAssistantQuery } from "../record-store.js";
import { checkThreadId, integerField, isObject, objectBody, optionalEnum, optionalObject } from "../request-fields.js";
import { readJsonBody } from "../request-guard.js";
import { type RouteEntry, type ServerContext, visible } from "./context.js";

/** The LangGraph server's Assistant record of a served graph. */
export function assistantOf(context: ServerContext, id: string): AssistantRecord {
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

const EDITABLE = ["graph_id", "config", "context", "metadata", "name", "description"];

export function assistantRoutes(context: ServerContext): RouteEntry[] {
  /** The record of an id: a served graph's, or one made with POST /assistants (404 when missing or another identity's). */
  const recordOf = async (id: string, owner: string | null): Promise<{ record: AssistantRecord; builtIn: boolean }> => {
    if (context.graphs.has(id)) return { record: assistantOf(context, id), builtIn: true };
    const { record } = await context.runs.assistant(id, owner);
    return { record: record!, builtIn: false };
  };
  const builtInCannot = (id: string, what: string) => httpError(409, `Assistant "${id}" is a served graph; it cannot be ${what}. Create an assistant on it with POST /assistants.`, "assistant_id");
  const servedGraph = (body: Record<string, unknown>, required: boolean): string | undefined => {
    if (body.graph_id === undefined && !required) return undefined;
    if (typeof body.graph_id !== "string" || !context.graphs.has(body.graph_id)) {
      const known = [...context.graphs.keys()].map((id) => `"${id}"`).join(", ");
      throw httpError(422, `\`graph_id\` must name a served graph (${known}), not ${describeValue(body.graph_id)}.`, "graph_id");
    }
    return body.graph_id;
  };
  const textField = (body: Record<string, unknown>, field: string, nullable: boolean): string | null | undefined => {
    const value = body[field];
    if (value === undefined || (nullable && value === null)) return value as undefined | null;
    if (typeof value !== "string" || value.length > 1000) throw httpError(422, `\`${field}\` must be a string of at most 1000 characters, not ${describeValue(value)}.`, field);
    return value;
  };
  const configField = (body: Record<string, unknown>): Record<string, unknown> | undefined => {
    const config = optionalObject(body, "config");
    if (config === undefined) return undefined;
    for (const key of Object.keys(config)) {
      if (!["configurable", "tags", "recursion_limit"].includes(key)) throw httpError(422, `\`config.${key.slice(0, 60)}\` is not supported; an assistant's config takes configurable, tags and recursion_limit.`, "config");
    }
    if (config.configurable !== undefined && !isObject(config.configurable)) throw httpError(422, "`config.configurable` must be an object.", "config");
    if (config.tags !== undefined && (!Array.isArray(config.tags) || config.tags.some((tag) => typeof tag !== "string"))) throw httpError(422, "`config.tags` must be an array of strings.", "config");
    if (config.recursion_limit !== undefined && (!Number.isSafeInteger(config.recursion_limit) || (config.recursion_limit as number) < 1)) {
      throw httpError(422, "`config.recursion_limit` must be a whole number of at least 1.", "config");
    }
    return config;
  };

  const readFilter = (body: Record<string, unknown>) => {
    if (body.graph_id !== undefined && body.graph_id !== null && typeof body.graph_id !== "string") throw httpError(422, "`graph_id` must be a string.", "graph_id");
    return { graphId: (body.graph_id ?? undefined) as string | undefined, metadata: optionalObject(body, "metadata"), name: textField(body, "name", false) ?? undefined };
  };
  /** The first `count` assistants a filter finds: the served graphs first, then the ones made on them, newest first. */
  const search = async (filter: ReturnType<typeof readFilter>, owner: string | null, count: number): Promise<AssistantRecord[]> => {
    const builtIns = [...context.graphs.keys()]
      .map((id) => assistantOf(context, id))
      .filter((record) => matchesAssistantQuery({ assistant: record, owner: null }, { ...filter, limit: 1, offset: 0 }));
    const made = await context.store.searchAssistants({ ...filter, owner: context.authenticates ? owner : undefined, limit: Math.max(0, count - builtIns.length), offset: 0 });
    return [...builtIns, ...made.map((row) => row.assistant)].slice(0, count);
  };

  return [
    [
      "POST",
      /^\/assistants$/,
      async (request, _parameters, _url, owner) => {
        const body = objectBody(await readJsonBody(request, context.maxBodyBytes), ["assistant_id", ...EDITABLE, "if_exists"]);
        const graphId = servedGraph(body, true)!;
        const assistantId = body.assistant_id === undefined || body.assistant_id === null ? randomUUID() : checkThreadId(body.assistant_id, "assistant_id");
        const ifExists = optionalEnum(body, "if_exists", ["raise", "do_nothing"] as const) ?? "raise";
        if (context.graphs.has(assistantId)) throw builtInCannot(assistantId, "replaced");
        const now = new Date().toISOString();
        const row: AssistantRow = {
          assistant: {
            assistant_id: assistantId,
            graph_id: graphId,
            name: textField(body, "name", false) ?? "Untitled",
            description: textField(body, "description", true) ?? null,
            config: configField(body) ?? {},
            context: optionalObject(body, "context") ?? {},
            metadata: { ...optionalObject(body, "metadata"), ...(owner === null ? {} : { owner }) },
            version: 1,
            created_at: now,
            updated_at: now,
          },
          owner,
        };
        if (await context.store.insertAssistant(row)) return jsonResponse(row.assistant);
        const existing = await context.store.getAssistant(assistantId);
        if (ifExists === "do_nothing" && existing !== undefined && visible(existing.owner, owner)) return jsonResponse(existing.assistant);
        throw httpError(409, `Assistant ${assistantId} already exists; pass if_exists: "do_nothing" to reuse it.`, "assistant_id");
      },
    ],
    [
      "POST",
      /^\/assistants\/search$/,
      async (request, _parameters, _url, owner) => {
        const body = objectBody(await readJsonBody(request, context.maxBodyBytes), ["graph_id", "metadata", "limit", "offset", "name", "sort_by", "sort_order", "select"]);
        const limit = integerField(body, "limit", 10, 1, 1000);
        const offset = integerField(body, "offset", 0, 0, 1_000_000);
        for (const field of ["sort_by", "sort_order", "select"]) if (body[field] !== undefined && body[field] !== null) throw httpError(422, `"${field}" is not supported in an assistant search; remove it.`, field);
        return jsonResponse(await search(readFilter(body), owner, offset + limit).then((records) => records.slice(offset)));
      },
    ],
    [
      "POST",
      /^\/assistants\/count$/,
      async (request, _parameters, _url, owner) => {
        const body = objectBody(await readJsonBody(request, context.maxBodyBytes), ["graph_id", "metadata", "name"]);
        return jsonResponse((await search(readFilter(body), owner, Number.MAX_SAFE_INTEGER)).length);
      },
    ],
    ["GET", /^\/assistants\/([^/]+)\/graph$/, async (_request, [id], _url, owner) => jsonResponse(describeGraph((await context.runs.assistant(id!, owner)).graph.graphSpec))],
    [
      "GET",
      /^\/assistants\/([^/]+)\/schemas$/,
      async (_request, [id], _url, owner) => {
        const { graph, graphId } = await context.runs.assistant(id!, owner);
        return jsonResponse(describeSchemas(graphId, graph.graphSpec));
      },
    ],
    ["GET", /^\/assistants\/([^/]+)$/, async (_request, [id], _url, owner) => jsonResponse((await recordOf(id!, owner)).record)],
    [
      "PATCH",
      /^\/assistants\/([^/]+)$/,
      async (request, [id], _url, owner) => {
        const body = objectBody(await readJsonBody(request, context.maxBodyBytes), EDITABLE);
        const { builtIn } = await recordOf(id!, owner);
        if (builtIn) throw builtInCannot(id!, "changed");
        const graphId = servedGraph(body, false);
        const name = textField(body, "name", false);
        const description = textField(body, "description", true);
        const config = configField(body);
        const assistantContext = optionalObject(body, "context");
        const metadata = optionalObject(body, "metadata");
        const updated = await context.store.updateAssistant(id!, (row) =>
          visible(row.owner, owner)
            ? {
                ...row,
                assistant: {
                  ...row.assistant,
                  ...(graphId === undefined ? {} : { graph_id: graphId }),
                  ...(name === undefined || name === null ? {} : { name }),
                  ...(description === undefined ? {} : { description }),
                  ...(config === undefined ? {} : { config }),
                  ...(assistantContext === undefined ? {} : { context: assistantContext }),
                  metadata: { ...row.assistant.metadata, ...metadata, ...(row.owner === null ? {} : { owner: row.owner }) },
                  version: row.assistant.version + 1,
                  updated_at: new Date().toISOString(),
                },
              }
            : undefined,
        );
        if (updated === undefined) throw httpError(404, `Assistant ${id} not found.`, "assistant_id");
        return jsonResponse(updated.assistant);
      },
    ],
    [
      "DELETE",
      /^\/assistants\/([^/]+)$/,
      async (_request, [id], _url, owner) => {
        const { builtIn } = await recordOf(id!, owner);
        if (builtIn) throw builtInCannot(id!, "deleted");
        await context.store.deleteAssistant(id!);
        return new Response(null, { status: 204 });
      },
    ],
  ];
}
