// What every route group shares: the stores, the run manager, the served graphs, and the lookups
// that answer 404 for a record that is missing or belongs to another identity.
import type { EventLog } from "../event-log.js";
import { httpError } from "../http-error.js";
import type { RecordStore, RunRow, ThreadRecord, ThreadRow } from "../record-store.js";
import { isRecordId } from "../request-fields.js";
import type { AnyGraph, RunManager } from "../run-manager.js";

/** A route: the request, the path's captured parts, the URL, and who asked (null without `authenticate`). */
export type Route = (request: Request, parameters: string[], url: URL, owner: string | null) => Promise<Response> | Response;

/** One line of the route table: method, path pattern (after the base path), route. */
export type RouteEntry = [method: string, pattern: RegExp, route: Route];

export interface ServerContext {
  graphs: ReadonlyMap<string, AnyGraph>;
  store: RecordStore;
  log: EventLog;
  runs: RunManager;
  maxBodyBytes: number;
  heartbeatMs: number;
  /** When the handler was created (the assistants' created_at). */
  createdAt: string;
  /** True when the handler authenticates requests (thread searches then show the requester's threads only). */
  authenticates: boolean;
  /** True once close() was called: new runs are refused. */
  closing(): boolean;
}

/** Without `authenticate` every record is everyone's; with it, a record is its owner's only. */
export function visible(recordOwner: string | null, requester: string | null): boolean {
  return requester === null ? true : recordOwner === requester;
}

/** The thread, or 404 when it is missing or belongs to another identity. */
export async function threadOf(context: ServerContext, threadId: string, owner: string | null): Promise<ThreadRow> {
  const row = isRecordId(threadId) ? await context.store.getThread(threadId) : undefined;
  if (row === undefined || !visible(row.owner, owner)) throw httpError(404, `Thread ${threadId.slice(0, 200)} not found; create it with POST /threads.`);
  return row;
}

/** The run (on `threadId` unless it is null), or 404. */
export async function runOf(context: ServerContext, threadId: string | null, runId: string, owner: string | null): Promise<RunRow> {
  const row = isRecordId(runId) ? await context.store.getRun(runId) : undefined;
  if (row === undefined || (threadId !== null && row.run.thread_id !== threadId) || !visible(row.owner, owner)) {
    throw httpError(404, `Run ${runId.slice(0, 200)} not found${threadId === null ? "" : ` on thread ${threadId.slice(0, 200)}`}.`);
  }
  return row;
}

/** The graph that last ran on the thread (its metadata's graph_id), if this server serves it. */
export function graphOfThread(context: ServerContext, row: ThreadRow): AnyGraph | undefined {
  const graphId = row.thread.metadata.graph_id;
  return typeof graphId === "string" ? context.graphs.get(graphId) : undefined;
}

export function newThread(threadId: string, metadata: Record<string, unknown>, owner: string | null): ThreadRow {
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
}
