// One run at a time per thread: a second run on a busy thread is refused, never interleaved.
// The lock lives in this process, per checkpointer instance; see docs/persistence.md for runs in several processes.
import { WeftError } from "../errors.js";
import type { Checkpointer } from "./checkpointer.js";

const busyThreads = new WeakMap<Checkpointer, Set<string>>();

/** Mark the thread busy; returns the function that frees it. Throws THREAD_BUSY when a run holds it. */
export function lockThread(checkpointer: Checkpointer, threadId: string, namespace: string): () => void {
  let busy = busyThreads.get(checkpointer);
  if (busy === undefined) busyThreads.set(checkpointer, (busy = new Set()));
  const key = `${threadId}\u0000${namespace}`;
  if (busy.has(key)) {
    throw new WeftError(
      "THREAD_BUSY",
      `Thread "${threadId}" already has a run in progress; wait for it to finish (or abort it) before starting another on the same thread.`,
      { details: { threadId } },
    );
  }
  busy.add(key);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    busy!.delete(key);
  };
}
