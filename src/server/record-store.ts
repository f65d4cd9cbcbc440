// The contract of the server's durable records: threads, runs, and the assistants made with
// POST /assistants (the served graphs are assistants too; they live in code). One contract, three stores: memory (tests), SQLite (the embedded
// default of `weft serve`) and Postgres (several instances). Every change is a compare-and-set
// (`updateThread`/`updateRun`), so a claim of a thread or of a run is atomic across instances.
import type { RunRequest } from "./run-request.js";

export type RunStatus = "pending" | "running" | "success" | "error" | "timeout" | "interrupted";

/** The states a run never leaves. */
export const FINISHED_RUN_STATUSES: readonly RunStatus[] = ["success", "error", "timeout", "interrupted"];

export type MultitaskStrategy = "reject" | "interrupt" | "rollback" | "enqueue";

export interface ThreadRecord extends Record<string, unknown> {
  thread_id: string;
  created_at: string;
  updated_at: string;
  metadata: Record<string, unknown>;
  status: "idle" | "busy" | "error" | "interrupted";
  /** The last run's final values; the state when the graph has no checkpointer. */
  values: Record<string, unknown> | null;
  config: Record<string, unknown>;
  interrupts: Record<string, unknown>;
}

export interface RunRecord extends Record<string, unknown> {
  run_id: string;
  thread_id: string | null;
  assistant_id: string;
  created_at: string;
  updated_at: string;
  status: RunStatus;
  metadata: Record<string, unknown>;
  multitask_strategy: MultitaskStrategy;
  kwargs: { stream_mode: string[]; subgraphs: boolean; resumable: boolean };
  /** Attempts started so far (a worker that dies mid-run costs one), and the most allowed. */
  attempt: number;
  max_attempts: number;
  /** Why the run ended in error, when it did. */
  error?: { error: string; message: string };
}

/** A thread as stored: the record the API returns, its owner, and the run that holds it busy. */
export interface ThreadRow {
  thread: ThreadRecord;
  /** The identity that created it (null without `authenticate`). */
  owner: string | null;
  /** The run that holds the thread busy; at most one per thread (the atomic claim). */
  currentRunId: string | null;
}

/** A run as stored: the record, who owns it, what to execute, and the lease of the worker executing it. */
export interface RunRow {
  run: RunRecord;
  owner: string | null;
  /** The parsed run request, kept so any worker can execute (or re-attempt) the run. */
  request: RunRequest;
  /** The worker holding the run and until when (ms since epoch); null / 0 when none. */
  leaseOwner: string | null;
  leaseExpiresAt: number;
  /** Set by a cancel request; a worker that picks the run up ends it as interrupted. */
  cancelRequested: boolean;
  /** When the run waits for another run on its thread (multitask_strategy "enqueue"). */
  enqueued: boolean;
}

export interface ThreadQuery {
  /** Only threads of this owner (undefined: any). */
  owner?: string | null;
  status?: ThreadRecord["status"];
  /** Only threads whose metadata has these keys with these (JSON-equal) values. */
  metadata?: Record<string, unknown>;
  /** Only threads whose values have these keys with these (JSON-equal) values. */
  values?: Record<string, unknown>;
  /** Only these thread ids. */
  ids?: readonly string[];
  /** Order of the results. Default: updated_at, descending. */
  sortBy?: ThreadSortField;
  sortOrder?: "asc" | "desc";
  limit: number;
  offset: number;
}

export const THREAD_SORT_FIELDS = ["thread_id", "status", "created_at", "updated_at"] as const;
export type ThreadSortField = (typeof THREAD_SORT_FIELDS)[number];

export interface RunQuery {
  threadId?: string;
  status?: readonly RunStatus[];
  /** Only runs whose lease ended before this time (ms since epoch); runs without a lease count as ended. */
  leaseExpiredBefore?: number;
  limit: number;
  offset: number;
}

/** An assistant made with POST /assistants: a served graph with config, context and metadata of its own (LangGraph's Assistant). */
export interface AssistantRecord extends Record<string, unknown> {
  assistant_id: string;
  graph_id: string;
  name: string;
  description: string | null;
  /** `{ configurable?, tags?, recursion_limit? }`: the base of every run's config (the run's own values win). */
  config: Record<string, unknown>;
  context: Record<string, unknown>;
  metadata: Record<string, unknown>;
  /** 1 when created; each PATCH adds one. */
  version: number;
  created_at: string;
  updated_at: string;
}

export interface AssistantRow {
  assistant: AssistantRecord;
  /** The identity that created it (null without `authenticate`). */
  owner: string | null;
}

export interface AssistantQuery {
  /** Only this owner's assistants (undefined: any). */
  owner?: string | null;
  graphId?: string;
  /** Only assistants whose metadata has these keys with these (JSON-equal) values. */
  metadata?: Record<string, unknown>;
  /** Only assistants whose name contains this (case-insensitive). */
  name?: string;
  limit: number;
  offset: number;
}

/** What `prune` removes: finished runs and threads not updated since these times (ms since epoch). */
export interface PruneBefore {
  finishedRuns?: number;
  threads?: number;
}

/** A change to a row: the new row, or undefined to leave it as it is (the compare in compare-and-set). */
export type RowChange<Row> = (current: Row) => Row | undefined;

export interface RecordStore {
  /** Create the tables (a no-op when they exist). */
  setup(): Promise<void>;
  /** Add a thread; false (and nothing written) when its id exists. */
  insertThread(row: ThreadRow): Promise<boolean>;
  getThread(threadId: string): Promise<ThreadRow | undefined>;
  /**
   * Apply `change` to the thread atomically: it sees the current row, and its result is written only
   * if nobody changed the row meanwhile (else it runs again on the newer row). Returns the written
   * row, or undefined when the thread is missing or `change` declined.
   */
  updateThread(threadId: string, change: RowChange<ThreadRow>): Promise<ThreadRow | undefined>;
  /** Remove the thread and its runs; false when it was missing. */
  deleteThread(threadId: string): Promise<boolean>;
  /** Threads, most recently updated first. */
  searchThreads(query: ThreadQuery): Promise<ThreadRow[]>;
  insertRun(row: RunRow): Promise<void>;
  getRun(runId: string): Promise<RunRow | undefined>;
  /** As updateThread, for a run. */
  updateRun(runId: string, change: RowChange<RunRow>): Promise<RunRow | undefined>;
  /** Runs, oldest first. */
  listRuns(query: RunQuery): Promise<RunRow[]>;
  deleteRun(runId: string): Promise<boolean>;
  /** Add an assistant; false (and nothing written) when its id exists. */
  insertAssistant(row: AssistantRow): Promise<boolean>;
  getAssistant(assistantId: string): Promise<AssistantRow | undefined>;
  /** As updateThread, for an assistant. */
  updateAssistant(assistantId: string, change: RowChange<AssistantRow>): Promise<AssistantRow | undefined>;
  deleteAssistant(assistantId: string): Promise<boolean>;
  /** Assistants, most recently updated first. */
  searchAssistants(query: AssistantQuery): Promise<AssistantRow[]>;
  /** Remove finished runs and idle threads older than the given times (the retention settings). */
  prune(before: PruneBefore): Promise<{ runs: number; threads: number }>;
  close(): Promise<void>;
}

/** JSON-equal (the stores compare metadata filters this way). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function matchesThreadQuery(row: ThreadRow, query: ThreadQuery): boolean {
  if (query.owner !== undefined && row.owner !== query.owner) return false;
  if (query.status !== undefined && row.thread.status !== query.status) return false;
  if (query.metadata !== undefined) {
    for (const [key, value] of Object.entries(query.metadata)) if (!jsonEqual(row.thread.metadata[key], value)) return false;
  }
  if (query.values !== undefined) {
    const values = row.thread.values ?? {};
    for (const [key, value] of Object.entries(query.values)) if (!jsonEqual(values[key], value)) return false;
  }
  if (query.ids !== undefined && !query.ids.includes(row.thread.thread_id)) return false;
  return true;
}

/** The order of a thread search (ties broken by thread id, so pages never overlap). */
export function compareThreads(query: Pick<ThreadQuery, "sortBy" | "sortOrder">): (a: ThreadRow, b: ThreadRow) => number {
  const field = query.sortBy ?? "updated_at";
  const direction = (query.sortOrder ?? "desc") === "desc" ? -1 : 1;
  return (a, b) => direction * (String(a.thread[field]).localeCompare(String(b.thread[field])) || a.thread.thread_id.localeCompare(b.thread.thread_id));
}

export function matchesRunQuery(row: RunRow, query: RunQuery): boolean {
  if (query.threadId !== undefined && row.run.thread_id !== query.threadId) return false;
  if (query.status !== undefined && !query.status.includes(row.run.status)) return false;
  if (query.leaseExpiredBefore !== undefined && row.leaseExpiresAt >= query.leaseExpiredBefore) return false;
  return true;
}

export function matchesAssistantQuery(row: AssistantRow, query: AssistantQuery): boolean {
  if (query.owner !== undefined && row.owner !== query.owner) return false;
  if (query.graphId !== undefined && row.assistant.graph_id !== query.graphId) return false;
  if (query.name !== undefined && !row.assistant.name.toLowerCase().includes(query.name.toLowerCase())) return false;
  if (query.metadata !== undefined) {
    for (const [key, value] of Object.entries(query.metadata)) if (!jsonEqual(row.assistant.metadata[key], value)) return false;
  }
  return true;
}

/** Newest update first; ties by id, so pages never overlap. */
export function compareAssistants(a: AssistantRow, b: AssistantRow): number {
  return b.assistant.updated_at.localeCompare(a.assistant.updated_at) || a.assistant.assistant_id.localeCompare(b.assistant.assistant_id);
}
