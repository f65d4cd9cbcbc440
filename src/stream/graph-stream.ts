// The public face of a run's stream: an async iterable of chunks that can also be awaited,
// aborted, and turned into a Web ReadableStream.
import { WeftError } from "../errors.js";
import { keepShape } from "../core/keep-shape.js";
import { RunStream } from "./run-stream.js";

/**
 * The stream of one run. Iterate it with `for await`; leaving the loop early cancels the run.
 *
 * @example
 * const stream = graph.stream({ topic: "cats" }, { streamMode: "messages" });
 * for await (const [chunk, metadata] of stream) process.stdout.write(chunk.content);
 */
export class GraphStream<Chunk> implements AsyncIterable<Chunk> {
  constructor(
    protected readonly bus: RunStream,
    protected readonly controller: AbortController,
  ) {}

  [Symbol.asyncIterator](): AsyncIterator<Chunk> {
    return this.bus as AsyncIterator<Chunk>;
  }

  /** Stop the run: nodes see their signal aborted, model calls are cancelled, and iteration ends with an ABORTED error after the chunks already produced. */
  abort(reason?: unknown): void {
    this.controller.abort(reason ?? new WeftError("ABORTED", "The run was aborted with stream.abort()."));
  }

  /** The signal that aborts when the run is aborted. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** A Web ReadableStream of the same chunks; cancelling it cancels the run. */
  toReadableStream(): ReadableStream<Chunk> {
    const bus = this.bus;
    return new ReadableStream<Chunk>(
      {
        async pull(controller) {
          const result = await bus.next();
          if (result.done) controller.close();
          else controller.enqueue(result.value as Chunk);
        },
        async cancel() {
          await bus.return();
        },
      },
      { highWaterMark: 0 },
    );
  }
}

/**
 * What `graph.stream()` returns: a GraphStream that can also be awaited, so code written
 * `for await (const chunk of await graph.stream(...))` (as with LangGraph.js) keeps working.
 */
export class AwaitableGraphStream<Chunk> extends GraphStream<Chunk> implements PromiseLike<GraphStream<Chunk>> {
  then<Result1 = GraphStream<Chunk>, Result2 = never>(
    onFulfilled?: ((value: GraphStream<Chunk>) => Result1 | PromiseLike<Result1>) | null,
    onRejected?: ((reason: unknown) => Result2 | PromiseLike<Result2>) | null,
  ): PromiseLike<Result1 | Result2> {
    // Resolve with a plain (non-thenable) view of the same stream, or `await` would recurse.
    return Promise.resolve(new GraphStream<Chunk>(this.bus, this.controller)).then(onFulfilled, onRejected);
  }
}

keepShape(new AwaitableGraphStream(new RunStream({ modes: [], modeTuples: false, subgraphs: false }), new AbortController()));
keepShape(new GraphStream(new RunStream({ modes: [], modeTuples: false, subgraphs: false }), new AbortController()));
