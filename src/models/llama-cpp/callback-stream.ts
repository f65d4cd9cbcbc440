// node-llama-cpp reports generated text through a callback; a provider yields an async iterable.
// This bridges the two without losing a chunk and stops the generation when the reader leaves.
import { WeftError } from "../../errors.js";

/**
 * Run `generate`, which reports text through `push`, and yield each piece as soon as it arrives.
 * Pieces pushed before a failure are yielded before the failure is thrown. Aborting `signal`, or
 * the reader breaking out of its loop, aborts the signal handed to `generate`.
 */
export async function* streamFromCallback(
  generate: (push: (text: string) => void, signal: AbortSignal) => Promise<unknown>,
  signal: AbortSignal | undefined,
): AsyncGenerator<string> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal!.reason);
  if (signal?.aborted) controller.abort(signal.reason);
  else signal?.addEventListener("abort", onAbort, { once: true });

  let queue: string[] = [];
  let wake: (() => void) | undefined;
  let settled = false;
  let failure: { error: unknown } | undefined;
  const notify = () => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };
  const generation = Promise.resolve()
    .then(() =>
      generate((text) => {
        if (text === "") return;
        queue.push(text);
        notify();
      }, controller.signal),
    )
    .then(
      () => {
        settled = true;
        notify();
      },
      (error: unknown) => {
        settled = true;
        failure = { error };
        notify();
      },
    );

  try {
    while (true) {
      if (queue.length > 0) {
        const pieces = queue;
        queue = [];
        for (const piece of pieces) yield piece;
        continue;
      }
      if (settled) break;
      // Single-threaded: no push can land between the checks above and setting `wake` here.
      await new Promise<void>((resolve) => (wake = resolve));
    }
    if (failure !== undefined) throw failure.error;
  } finally {
    signal?.removeEventListener("abort", onAbort);
    if (!settled) {
      controller.abort(new WeftError("ABORTED", "The reader stopped before the generation finished."));
      await generation;
    }
  }
}
