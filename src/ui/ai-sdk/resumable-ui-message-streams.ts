// Resuming an interrupted response, as useChat's `resume: true` does it: after a reload or a dropped
// connection it GETs `<api>/<chatId>/stream` and expects the active response again from its start
// (or 204 when none is active). This keeps each active response's chunks in memory until it ends.
import { createUIMessageStreamResponse } from "./to-ui-message-stream.js";
import type { UIMessageChunk } from "./ui-message-types.js";

interface ActiveResponse {
  readonly chunks: UIMessageChunk[];
  done: boolean;
  readonly waiters: Set<() => void>;
  readonly source: ReadableStreamDefaultReader<UIMessageChunk>;
}

/**
 * The active responses of chats, by chat id, in this process. The run of a response goes on when its
 * client disconnects (so it can be resumed); `stop(chatId)` cancels it. A finished response is dropped:
 * from then on the chat's history (stored by your app or a checkpointer) has it.
 *
 * For several server instances, store the SSE text elsewhere instead: `toUIMessageStreamResponse(stream, { consumeSseStream })`
 * takes the AI SDK's `resumable-stream` package as it is.
 *
 * @example
 * const streams = new ResumableUIMessageStreams();
 * // POST /api/chat
 * return streams.respond(id, toUIMessageStream(agent.stream({ messages: fromUIMessages(messages) }, { streamMode: ["messages", "custom", "tools"] })));
 * // GET /api/chat/[id]/stream
 * return streams.resume(id);
 */
export class ResumableUIMessageStreams {
  private readonly active = new Map<string, ActiveResponse>();

  /** Start keeping `chunks` as the active response of `chatId` (cancelling one still running) and stream it to this client. */
  respond(chatId: string, chunks: ReadableStream<UIMessageChunk>, init: ResponseInit = {}): Response {
    const previous = this.active.get(chatId);
    if (previous !== undefined) void this.stop(chatId);
    const response: ActiveResponse = { chunks: [], done: false, waiters: new Set(), source: chunks.getReader() };
    this.active.set(chatId, response);
    void this.keep(chatId, response);
    return this.replay(response, init);
  }

  /** The active response of `chatId` from its first chunk, then live; 204 (no content) when none is active. */
  resume(chatId: string, init: ResponseInit = {}): Response {
    const response = this.active.get(chatId);
    if (response === undefined) return new Response(null, { status: 204 });
    return this.replay(response, init);
  }

  /** True while `chatId` has a response streaming. */
  has(chatId: string): boolean {
    return this.active.has(chatId);
  }

  /** Cancel the active response of `chatId`, and so its run. */
  async stop(chatId: string, reason?: unknown): Promise<void> {
    const response = this.active.get(chatId);
    if (response === undefined) return;
    this.end(chatId, response);
    await response.source.cancel(reason);
  }

  /** Read the response to its end, whoever is listening. */
  private async keep(chatId: string, response: ActiveResponse): Promise<void> {
    try {
      for (;;) {
        const result = await response.source.read();
        if (result.done || response.done) break;
        response.chunks.push(result.value);
        for (const wake of response.waiters) wake();
      }
    } catch {
      // toUIMessageStream turns a failed run into an `error` chunk; a failing custom stream just ends.
    }
    this.end(chatId, response);
  }

  private end(chatId: string, response: ActiveResponse): void {
    response.done = true;
    for (const wake of response.waiters) wake();
    if (this.active.get(chatId) === response) this.active.delete(chatId);
  }

  private replay(response: ActiveResponse, init: ResponseInit): Response {
    let next = 0;
    let wake: (() => void) | undefined;
    let cancelled = false;
    const chunks = new ReadableStream<UIMessageChunk>(
      {
        async pull(controller) {
          while (!cancelled && next >= response.chunks.length && !response.done) {
            await new Promise<void>((resolve) => {
              wake = resolve;
              response.waiters.add(resolve);
            });
            response.waiters.delete(wake!);
          }
          if (cancelled) return;
          if (next < response.chunks.length) controller.enqueue(response.chunks[next++]!);
          else controller.close();
        },
        cancel() {
          // This client left; the response goes on for the others (and for a later resume).
          cancelled = true;
          if (wake !== undefined) {
            response.waiters.delete(wake);
            wake();
          }
        },
      },
      { highWaterMark: 0 },
    );
    return createUIMessageStreamResponse(chunks, init);
  }
}
