// Server-Sent Events on the wire: one event's framing, and a Response that streams events with
// heartbeats and stops (and tells its producer) when the client goes away.
import { WeftError } from "../errors.js";
import { eventDataJson } from "./event-json.js";

/** One SSE event as the server sends it. `data` is serialized as one line of JSON. */
export interface ServerSentEvent {
  event: string;
  data: unknown;
  /** The id a client sends back as `Last-Event-ID` to resume after this event. */
  id?: string;
  /** `data` already serialized as one line of JSON (eventDataJson), as the event logs give it: sent as is, unchecked. */
  json?: string;
}

// CR and LF end an SSE field, so a value holding one could forge a second event; NUL makes
// browsers ignore an `id`. These values are rejected, not escaped: the caller built a bad name.
const LINE_BREAK_OR_NUL = /[\r\n\0]/;

function checkField(field: "event" | "id", value: string): void {
  if (LINE_BREAK_OR_NUL.test(value)) {
    throw new WeftError("SERVER", `SSE ${field} ${JSON.stringify(value)} contains a line break or NUL; SSE fields must be one line.`);
  }
}

const encoder = new TextEncoder();
const TURN_ENDED = Symbol("turn ended");
// setImmediate runs after this turn's I/O callbacks (Node, Bun, Deno); runtimes without it get a 0 ms timer.
const afterThisTurn: (callback: () => void) => void =
  typeof globalThis.setImmediate === "function" ? (callback) => void globalThis.setImmediate(callback) : (callback) => void setTimeout(callback, 0);

/**
 * The bytes of one event: `event:`, optional `id:`, one `data:` line of JSON, blank line.
 * JSON.stringify escapes CR and LF inside strings, so the data is always a single line.
 *
 * @example
 * formatServerSentEvent({ event: "values", data: { topic: "cats" }, id: "3" });
 * // "event: values\nid: 3\ndata: {\"topic\":\"cats\"}\n\n"
 */
export function formatServerSentEvent(message: ServerSentEvent): string {
  checkField("event", message.event);
  let text = `event: ${message.event}\n`;
  if (message.id !== undefined) {
    checkField("id", message.id);
    text += `id: ${message.id}\n`;
  }
  return `${text}data: ${message.json ?? eventDataJson(message.event, message.data)}\n\n`;
}

/** Characters of events written together, at most: a batch is one socket write, and it must stay bounded. */
const MAX_BATCH_CHARACTERS = 64 * 1024;

export interface EventStreamResponseOptions {
  /** Extra response headers (CORS, Content-Location, ...). */
  headers?: HeadersInit;
  /** Milliseconds between `: heartbeat` comments that keep proxies from closing an idle stream (0 = none). */
  heartbeatMs?: number;
  /** The request's signal: when it aborts (client gone), the stream stops. */
  signal?: AbortSignal;
  /** Called once when the client went away before the events ended (not when they ended normally). */
  onDisconnect?: () => void;
}

/**
 * A `text/event-stream` Response that writes the events of `open(signal)` as they come (events, or
 * batches of events as an event log's `readBatches` gives them). Pulling is
 * lazy (one chunk per read: the events the source has ready in this event-loop turn, up to 64 KB of
 * them), so a slow client slows the event source instead of filling memory.
 * `signal` aborts when the stream stops for any reason, so a source waiting for its next event
 * (a blocking Redis read, a run still working) lets go at once.
 */
export function eventStreamResponse(
  open: (signal: AbortSignal) => AsyncIterable<ServerSentEvent | readonly ServerSentEvent[]>,
  options: EventStreamResponseOptions = {},
): Response {
  const stopReading = new AbortController();
  const iterator = open(stopReading.signal)[Symbol.asyncIterator]();
  let finished = false;
  /** A next() started while batching that was still pending when the turn ended: the next pull awaits it first. */
  let ahead: Promise<IteratorResult<ServerSentEvent | readonly ServerSentEvent[]>> | undefined;
  let heartbeat: ReturnType<typeof setInterval> | undefined;

  const stop = (disconnected: boolean) => {
    if (finished) return;
    finished = true;
    if (heartbeat !== undefined) clearInterval(heartbeat);
    options.signal?.removeEventListener("abort", onAbort);
    if (disconnected) options.onDisconnect?.();
    stopReading.abort();
    void iterator.return?.().catch(() => undefined);
  };
  const onAbort = () => stop(true);

  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        if (options.signal?.aborted) {
          stop(true);
          controller.close();
          return;
        }
        options.signal?.addEventListener("abort", onAbort, { once: true });
        const every = options.heartbeatMs ?? 15_000;
        if (every > 0) {
          heartbeat = setInterval(() => {
            if (finished) return;
            try {
              controller.enqueue(encoder.encode(": heartbeat\n\n"));
            } catch {
              stop(true);
            }
          }, every);
          heartbeat.unref?.();
        }
      },
      async pull(controller) {
        if (finished) {
          controller.close();
          return;
        }
        // The text of this write, event by event: an event that cannot be framed ends it after the ones before.
        const out = { text: "" };
        try {
          const first = await (ahead ?? iterator.next());
          ahead = undefined;
          if (finished) return;
          if (first.done) {
            stop(false);
            controller.close();
            return;
          }
          addItem(out, first.value);
          // Everything else the source has ready in this turn goes into the same chunk (one socket
          // write): a next() still pending when the turn ends is kept for the next pull, so no event
          // is lost or reordered, and the batch is bounded so a slow client still slows the source.
          let turnEnded: Promise<typeof TURN_ENDED> | undefined;
          while (out.text.length < MAX_BATCH_CHARACTERS) {
            const next = iterator.next();
            turnEnded ??= new Promise((resolve) => afterThisTurn(() => resolve(TURN_ENDED)));
            const result = await Promise.race([next, turnEnded]);
            if (finished) return;
            if (result === TURN_ENDED) {
              ahead = next;
              break;
            }
            if (result.done) {
              stop(false);
              controller.enqueue(encoder.encode(out.text));
              controller.close();
              return;
            }
            addItem(out, result.value);
          }
          controller.enqueue(encoder.encode(out.text));
        } catch (error) {
          if (finished) return;
          stop(false);
          controller.enqueue(
            encoder.encode(out.text + formatServerSentEvent({ event: "error", data: { error: errorName(error), message: errorMessage(error) } })),
          );
          controller.close();
        }
      },
      cancel() {
        stop(true);
      },
    },
    { highWaterMark: 0 },
  );

  const headers = new Headers(options.headers);
  headers.set("Content-Type", "text/event-stream; charset=utf-8");
  headers.set("Cache-Control", "no-cache, no-transform");
  headers.set("Connection", "keep-alive");
  headers.set("X-Accel-Buffering", "no");
  return new Response(body, { status: 200, headers });
}

/** Add an event, or each event of a batch in turn, to `out.text`. */
function addItem(out: { text: string }, item: ServerSentEvent | readonly ServerSentEvent[]): void {
  if (!Array.isArray(item)) {
    out.text += formatServerSentEvent(item as ServerSentEvent);
    return;
  }
  for (const event of item as readonly ServerSentEvent[]) out.text += formatServerSentEvent(event);
}

function errorName(error: unknown): string {
  if (WeftError.isInstance(error)) return error.code;
  return error instanceof Error ? error.name : "Error";
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
