// The events of a thread as one protocol stream: its latest run's events from the start (so a
// stream opened just after `run.start`, or after a reload, misses nothing), then each later run's,
// read from the event log (any instance's) and translated. Filters and `since` apply per event.
import { WeftError } from "../../errors.js";
import type { EventLog } from "../event-log.js";
import { FINISHED_RUN_STATUSES, type RecordStore, type RunRow } from "../record-store.js";
import type { ServerSentEvent } from "../sse.js";
import { ProtocolRunTranslator, type WireProtocolEvent } from "./protocol-translation.js";

/** What one `POST /threads/:id/stream/events` asks for. */
export interface EventFilter {
  channels: string[];
  namespaces?: string[][];
  depth?: number;
  since?: number;
}

/** `seq` room each run gets: run n of a thread numbers its events from n * SEQ_PER_RUN. */
export const SEQ_PER_RUN = 1_000_000_000;
/** Most runs of one thread the stream orders (older ones are not replayed). */
const MAX_RUNS = 1000;
/** How often a stream waiting for the thread's next run looks for it in the record store (when no local command says so). */
const NEXT_RUN_POLL_MS = 200;
/** How often a stream looks again for the log of a run it found before the run's first event was logged. */
const LOG_WAIT_MS = 50;

/**
 * Wakes this instance's streams waiting for a thread's next run as soon as a protocol command here
 * starts one; runs started elsewhere (another instance, the LangGraph routes) are found by polling.
 */
export class RunStartSignal {
  private readonly waiting = new Map<string, Set<() => void>>();

  notify(threadId: string): void {
    const wakers = this.waiting.get(threadId);
    if (wakers === undefined) return;
    this.waiting.delete(threadId);
    for (const wake of wakers) wake();
  }

  /** Resolves on `notify(threadId)`, after `ms`, or when `signal` aborts, whichever comes first. */
  wait(threadId: string, ms: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const wakers = this.waiting.get(threadId) ?? new Set();
      this.waiting.set(threadId, wakers);
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakers.delete(done);
        signal.removeEventListener("abort", done);
        resolve();
      }
      wakers.add(done);
      signal.addEventListener("abort", done, { once: true });
    }).finally(() => {
      if (this.waiting.get(threadId)?.size === 0) this.waiting.delete(threadId);
    });
  }
}

/** The channel an event belongs to, as the protocol's filters name them. */
export function channelOf(event: WireProtocolEvent): string {
  if (event.method === "input.requested") return "input";
  if (event.method === "custom") {
    const name = (event.params.data as { name?: unknown } | null)?.name;
    return typeof name === "string" ? `custom:${name}` : "custom";
  }
  return event.method;
}

const segmentName = (segment: string) => (segment.includes(":") ? segment.slice(0, segment.indexOf(":")) : segment);

/** A prefix segment without ":" matches any task of that node ("agent" matches "agent:<taskId>"). */
function hasPrefix(namespace: readonly string[], prefix: readonly string[]): boolean {
  if (prefix.length > namespace.length) return false;
  return prefix.every((segment, index) => namespace[index] === segment || (!segment.includes(":") && segmentName(namespace[index]!) === segment));
}

export function matchesFilter(event: WireProtocolEvent, filter: EventFilter): boolean {
  if (filter.since !== undefined && event.seq <= filter.since) return false;
  const channel = channelOf(event);
  if (!filter.channels.includes(channel) && !(channel.startsWith("custom:") && filter.channels.includes("custom"))) return false;
  if (filter.namespaces === undefined || filter.namespaces.length === 0) return true;
  const namespace = event.params.namespace;
  return filter.namespaces.some((prefix) => hasPrefix(namespace, prefix) && (filter.depth === undefined || namespace.length - prefix.length <= filter.depth));
}

/** The thread's protocol events as SSE events (`event:` the method, `id:` the event id), until `signal` aborts. */
export async function* threadEventStream(
  store: RecordStore,
  log: EventLog,
  threadId: string,
  filter: EventFilter,
  signal: AbortSignal,
  runStarts: RunStartSignal,
): AsyncIterable<ServerSentEvent> {
  let runs = await runsOf(store, threadId);
  let position = runs.length - 1;
  for (;;) {
    if (position >= 0) {
      for await (const event of runEvents(store, log, runs[position]!, position * SEQ_PER_RUN, signal, runStarts)) {
        if (matchesFilter(event, filter)) yield { event: event.method, id: event.event_id, data: event };
      }
    }
    // Wait for the thread's next run (started on any instance).
    while (runs.length <= position + 1) {
      if (signal.aborted) return;
      await runStarts.wait(threadId, NEXT_RUN_POLL_MS, signal);
      if (signal.aborted) return;
      runs = await runsOf(store, threadId);
    }
    position++;
  }
}

async function runsOf(store: RecordStore, threadId: string): Promise<RunRow[]> {
  return store.listRuns({ threadId, limit: MAX_RUNS, offset: 0 });
}

/** One run's events: its log translated, then its ending (read from its record once the log ended). */
async function* runEvents(
  store: RecordStore,
  log: EventLog,
  row: RunRow,
  seqBase: number,
  signal: AbortSignal,
  runStarts: RunStartSignal,
): AsyncIterable<WireProtocolEvent> {
  const runId = row.run.run_id;
  const translator = new ProtocolRunTranslator(runId, seqBase);
  let read = 0;
  for (;;) {
    try {
      for await (const logged of log.read(runId, { start: true }, signal)) {
        read++;
        // The memory log keeps objects, the Redis log JSON: both read as JSON here.
        yield* translator.translate(logged.event, JSON.parse(logged.json ?? JSON.stringify(logged.data ?? null)));
      }
      break;
    } catch (error) {
      if (!WeftError.isInstance(error) || ![404, 410].includes(error.details.status as number)) throw error;
      // A run is listed a moment before its first event is logged: a stream that found it in
      // between waits for its log. A finished run whose log is gone (expired, or its instance
      // died) has nothing left to replay.
      const current = read === 0 && error.details.status === 404 ? await store.getRun(runId) : undefined;
      if (current === undefined || FINISHED_RUN_STATUSES.includes(current.run.status)) return;
      await runStarts.wait(row.run.thread_id ?? runId, LOG_WAIT_MS, signal);
      if (signal.aborted) return;
    }
  }
  if (signal.aborted) return;
  const ended = await store.getRun(runId);
  yield* translator.finish({ status: ended?.run.status ?? "error", error: ended?.run.error as { error: string; message: string } | undefined });
}
