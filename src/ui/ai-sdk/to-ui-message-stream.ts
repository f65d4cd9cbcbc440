// A Weft run as an AI SDK UI message stream: what `useChat` (@ai-sdk/react, AI SDK 5 and 6) reads from
// a chat route. Pull-based end to end: the run produces only as fast as the client reads, and a client
// that goes away (useChat's stop(), a closed tab) cancels the run.
import { type UIMessageWriterOptions, UIMessageWriter } from "./ui-message-writer.js";
import { UI_MESSAGE_STREAM_HEADERS, type UIMessageChunk } from "./ui-message-types.js";

export interface UIMessageStreamOptions extends UIMessageWriterOptions {
  /** The id of the assistant message (sent in `start`); default a random UUID. Give one to store the message under it. */
  messageId?: string;
  /** Metadata of the assistant message, sent with `start`. */
  messageMetadata?: unknown;
  /**
   * The `errorText` the client sees when the run fails. Default: "An error occurred." (as in the AI SDK,
   * so server errors do not leak to browsers); return `error.message` to show it.
   */
  onError?: (error: unknown) => string;
}

export interface UIMessageStreamResponseOptions extends UIMessageStreamOptions, ResponseInit {
  /**
   * Called with a copy of the SSE text stream, e.g. to store it for resuming (the AI SDK's option of the
   * same name, so `resumable-stream`'s `createNewResumableStream` plugs in). The response does not wait for it.
   */
  consumeSseStream?: (options: { stream: ReadableStream<string> }) => void | PromiseLike<void>;
}

/**
 * The UI message chunks of a run. Pass the stream of `graph.stream(input, { streamMode: ["messages", "custom", "tools"] })`
 * (more modes may be there; `updates` helps it end text parts early). Each model call is a step with its
 * text, reasoning and tool-call parts; a tool's result is the output of its `tool-<name>` part; a custom-mode
 * write `{ type, id?, data }` is a `data-<type>` part. Cancelling the returned stream cancels the run.
 *
 * @example
 * const chunks = toUIMessageStream(agent.stream({ messages }, { streamMode: ["messages", "custom", "tools"] }));
 */
export function toUIMessageStream(stream: AsyncIterable<unknown>, options: UIMessageStreamOptions = {}): ReadableStream<UIMessageChunk> {
  const writer = new UIMessageWriter(options);
  const onError = options.onError ?? (() => "An error occurred.");
  const start: UIMessageChunk = { type: "start", messageId: options.messageId ?? crypto.randomUUID() };
  if (options.messageMetadata !== undefined) start.messageMetadata = options.messageMetadata;
  let iterator: AsyncIterator<unknown> | undefined;
  let ended = false;
  return new ReadableStream<UIMessageChunk>(
    {
      start(controller) {
        controller.enqueue(start);
      },
      async pull(controller) {
        iterator ??= stream[Symbol.asyncIterator]();
        // Pull until at least one chunk goes out (most items give one; `values` items give none).
        for (;;) {
          let chunks: UIMessageChunk[];
          let done = false;
          try {
            const result = await iterator.next();
            if (ended) return;
            if (result.done) {
              chunks = writer.finish();
              done = true;
            } else {
              chunks = writer.accept(result.value);
            }
          } catch (error) {
            if (ended) return;
            chunks = writer.fail(error, onError(error));
            done = true;
            // A stream that failed in our hands (a bad item) must not keep the run going.
            void iterator.return?.();
          }
          for (const chunk of chunks) controller.enqueue(chunk);
          if (done) {
            ended = true;
            controller.close();
            return;
          }
          if (chunks.length > 0) return;
        }
      },
      async cancel() {
        ended = true;
        await (iterator ?? stream[Symbol.asyncIterator]()).return?.();
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * A streaming `Response` for useChat: the UI message stream of a run as server-sent events
 * (`data: {json}` per chunk, then `data: [DONE]`) with the `x-vercel-ai-ui-message-stream: v1` header.
 *
 * @example
 * // app/api/chat/route.ts (Next.js)
 * export async function POST(request: Request) {
 *   const { messages } = await request.json();
 *   const stream = agent.stream({ messages: fromUIMessages(messages) }, { streamMode: ["messages", "custom", "tools"], signal: request.signal });
 *   return toUIMessageStreamResponse(stream);
 * }
 */
export function toUIMessageStreamResponse(stream: AsyncIterable<unknown>, options: UIMessageStreamResponseOptions = {}): Response {
  const { status, statusText, headers, consumeSseStream, ...streamOptions } = options;
  return createUIMessageStreamResponse(toUIMessageStream(stream, streamOptions), { status, statusText, headers, consumeSseStream });
}

/** A `Response` streaming `chunks` as the UI message stream protocol's server-sent events. */
export function createUIMessageStreamResponse(
  chunks: ReadableStream<UIMessageChunk>,
  options: Pick<UIMessageStreamResponseOptions, "status" | "statusText" | "headers" | "consumeSseStream"> = {},
): Response {
  let sse = toServerSentEvents(chunks);
  if (options.consumeSseStream !== undefined) {
    const [forResponse, forConsumer] = sse.tee();
    sse = forResponse;
    void Promise.resolve(options.consumeSseStream({ stream: forConsumer })).catch(() => {});
  }
  const headers = new Headers(options.headers);
  for (const [name, value] of Object.entries(UI_MESSAGE_STREAM_HEADERS)) if (!headers.has(name)) headers.set(name, value);
  return new Response(sse.pipeThrough(new TextEncoderStream()), { status: options.status ?? 200, statusText: options.statusText, headers });
}

/** `data: {json}\n\n` per chunk, then `data: [DONE]\n\n`; cancelling it cancels `chunks`. */
export function toServerSentEvents(chunks: ReadableStream<UIMessageChunk>): ReadableStream<string> {
  const reader = chunks.getReader();
  let finished = false;
  return new ReadableStream<string>(
    {
      async pull(controller) {
        if (finished) return;
        const result = await reader.read();
        if (result.done) {
          finished = true;
          controller.enqueue("data: [DONE]\n\n");
          controller.close();
        } else {
          controller.enqueue(`data: ${JSON.stringify(result.value)}\n\n`);
        }
      },
      async cancel(reason) {
        await reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
