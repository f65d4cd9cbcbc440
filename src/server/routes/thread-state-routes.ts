// A thread's state: read it (now or at a checkpoint), list its history, and update it as a node
// would (POST /threads/{id}/state, LangGraph's updateState with `as_node`).
import { END, START } from "../../core/constants.js";
import { describeValue } from "../../errors.js";
import { httpError, jsonResponse } from "../http-error.js";
import { FINISHED_RUN_STATUSES } from "../record-store.js";
import { integerField, isObject, objectBody, optionalObject } from "../request-fields.js";
import { readJsonBody } from "../request-guard.js";
import type { AnyGraph } from "../run-manager.js";
import { threadHistoryOf, threadStateOf } from "../thread-state.js";
import { stateFromWire } from "../wire-format.js";
import { type RouteEntry, type ServerContext, graphOfThread, threadOf } from "./context.js";

export function threadStateRoutes(context: ServerContext): RouteEntry[] {
  const { store, maxBodyBytes } = context;

  /** The graph whose checkpoints hold the thread: the one that last ran on it, or the only one served. */
  const savedGraphOf = (row: Awaited<ReturnType<typeof threadOf>>, field: string): AnyGraph => {
    const graph = graphOfThread(context, row) ?? (context.graphs.size === 1 ? [...context.graphs.values()][0] : undefined);
    if (graph === undefined) throw httpError(409, `Thread ${row.thread.thread_id} has no graph yet; create it with POST /threads { graph_id } or run it first.`, field);
    if (graph.checkpointer === undefined) throw httpError(422, `Thread ${row.thread.thread_id}'s graph saves no checkpoints; serve it with a checkpointer to read or update its state.`, field);
    return graph;
  };

  return [
    [
      "GET",
      /^\/threads\/([^/]+)\/state$/,
      async (_request, [threadId], _url, owner) => {
        const row = await threadOf(context, threadId!, owner);
        return jsonResponse(await threadStateOf(row.thread, graphOfThread(context, row)));
      },
    ],
    [
      "GET",
      /^\/threads\/([^/]+)\/state\/([^/]+)$/,
      async (_request, [threadId, checkpointId], _url, owner) => {
        const row = await threadOf(context, threadId!, owner);
        const graph = savedGraphOf(row, "checkpoint_id");
        const tuple = await graph.checkpointer!.getTuple({ configurable: { thread_id: threadId!, checkpoint_ns: "", checkpoint_id: checkpointId } });
        if (tuple === undefined) throw httpError(404, `Checkpoint ${checkpointId!.slice(0, 100)} is not a checkpoint of thread ${threadId}.`, "checkpoint_id");
        return jsonResponse(await threadStateOf(row.thread, graph, checkpointId));
      },
    ],
    [
      "POST",
      /^\/threads\/([^/]+)\/state$/,
      async (request, [threadId], _url, owner) => {
        const body = objectBody(await readJsonBody(request, maxBodyBytes), ["values", "as_node", "checkpoint", "checkpoint_id"]);
        const row = await threadOf(context, threadId!, owner);
        const graph = savedGraphOf(row, "values");
        const values = body.values ?? {};
        if (!isObject(values)) throw httpError(422, `\`values\` must be an object of state values, not ${describeValue(values)}.`, "values");
        const asNode = body.as_node ?? undefined;
        if (asNode !== undefined && (typeof asNode !== "string" || (asNode !== START && asNode !== END && !graph.graphSpec.nodes.has(asNode)))) {
          throw httpError(422, `\`as_node\` must name a node of the graph (${[...graph.graphSpec.nodes.keys()].map((name) => `"${name}"`).join(", ")}), not ${describeValue(asNode)}.`, "as_node");
        }
        const checkpointId = checkpointIdOf(body);
        if (row.currentRunId !== null) {
          const current = await store.getRun(row.currentRunId);
          if (current !== undefined && !FINISHED_RUN_STATUSES.includes(current.run.status)) {
            throw httpError(409, `Thread ${threadId} is running run ${row.currentRunId}; update its state once the run has ended.`);
          }
        }
        let update: Record<string, unknown>;
        try {
          update = stateFromWire(values);
        } catch (error) {
          throw httpError(422, (error as Error).message, "values.messages");
        }
        const configurable = { thread_id: threadId!, ...(checkpointId === undefined ? {} : { checkpoint_id: checkpointId }) };
        const saved = await graph.updateState({ configurable }, update, asNode as string | undefined);
        const snapshot = await graph.getState({ configurable: { thread_id: threadId! } });
        const now = new Date().toISOString();
        const graphId = [...context.graphs].find(([, each]) => each === graph)![0];
        await store.updateThread(threadId!, (current) =>
          current.currentRunId !== row.currentRunId
            ? undefined
            : {
                ...current,
                thread: {
                  ...current.thread,
                  values: snapshot.values,
                  status: snapshot.next.length > 0 ? "interrupted" : "idle",
                  updated_at: now,
                  metadata: { ...current.thread.metadata, graph_id: graphId },
                },
              },
        );
        const savedConfigurable = (saved.configurable ?? {}) as Record<string, unknown>;
        const checkpoint = { thread_id: threadId, checkpoint_ns: savedConfigurable.checkpoint_ns ?? "", checkpoint_id: savedConfigurable.checkpoint_id };
        // The LangGraph server answers `{ checkpoint }`; the SDK's type says `{ configurable }`: both are given.
        return jsonResponse({ checkpoint: { ...checkpoint, checkpoint_map: null }, configurable: checkpoint });
      },
    ],
    [
      "POST",
      /^\/threads\/([^/]+)\/history$/,
      async (request, [threadId], _url, owner) => {
        const body = objectBody(await readJsonBody(request, maxBodyBytes), ["limit", "before", "metadata", "checkpoint", "select"]);
        if (body.checkpoint !== undefined && body.checkpoint !== null) throw httpError(422, '"checkpoint" is not supported in a history request; remove it (use "before").', "checkpoint");
        const limit = integerField(body, "limit", 10, 1, 1000);
        const before = beforeOf(optionalObject(body, "before"));
        const metadata = optionalObject(body, "metadata");
        const select = body.select ?? undefined;
        if (select !== undefined && (!Array.isArray(select) || select.some((field) => !(STATE_FIELDS as readonly unknown[]).includes(field)))) {
          throw httpError(422, `\`select\` must be an array of ${STATE_FIELDS.map((field) => `"${field}"`).join(", ")}.`, "select");
        }
        const row = await threadOf(context, threadId!, owner);
        const states = await threadHistoryOf(row.thread, graphOfThread(context, row), limit, { before, metadata });
        if (select === undefined) return jsonResponse(states);
        return jsonResponse(states.map((state) => Object.fromEntries((select as string[]).map((field) => [field, state[field]]))));
      },
    ],
  ];
}

/** The fields of a thread state a history request may `select`. */
const STATE_FIELDS = ["values", "next", "tasks", "metadata", "created_at", "checkpoint", "parent_checkpoint", "interrupts"] as const;

/** `before` as the SDK sends it (a config: `{ configurable: { checkpoint_id } }`) or as a checkpoint (`{ checkpoint_id }`). */
function beforeOf(before: Record<string, unknown> | undefined): string | undefined {
  if (before === undefined) return undefined;
  const checkpointId = isObject(before.configurable) ? before.configurable.checkpoint_id : before.checkpoint_id;
  if (typeof checkpointId !== "string" || checkpointId === "") {
    throw httpError(422, "`before` must name a checkpoint: `{ configurable: { checkpoint_id } }` or `{ checkpoint_id }`.", "before");
  }
  return checkpointId;
}

/** The checkpoint an update applies to: `checkpoint: { checkpoint_id }` or `checkpoint_id` (default: the latest). */
function checkpointIdOf(body: Record<string, unknown>): string | undefined {
  const checkpoint = body.checkpoint ?? undefined;
  const checkpointId = body.checkpoint_id ?? (isObject(checkpoint) ? checkpoint.checkpoint_id : undefined);
  if (checkpoint !== undefined && !isObject(checkpoint)) throw httpError(422, "`checkpoint` must be an object with a `checkpoint_id`.", "checkpoint");
  if (checkpointId !== undefined && (typeof checkpointId !== "string" || checkpointId === "")) throw httpError(422, "`checkpoint_id` must be a checkpoint id string.", "checkpoint_id");
  return checkpointId as string | undefined;
}
