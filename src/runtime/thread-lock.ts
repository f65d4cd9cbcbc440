// One run at a time per thread: a second run on a busy thread is refused, never interleaved.
// This lock lives in this process, per checkpointer instance; Checkpointer.lockThread() adds one across
// processes where the store can (SQLite: a lock row owned by a live process; Postgres: an advisory lock).
import { type Checkpointer, threadBusy } from "../core/checkpointer.js";

const busyThreads = new WeakMap<Checkpointer, Set<string>>();

/** Mark the thread busy; returns the function that frees it. Throws THREAD_BUSY when a run holds it. */
export function lockThread(checkpointer: Checkpointer, threadId: string, namespace: string): () => void {
  let busy = busyThreads.get(checkpointer);
  if (busy === undefined) busyThreads.set(checkpointer, (busy = new Set()));
  const key = `${threadId}\u0000${namespace}`;
  if (busy.has(key)) throw threadBusy(threadId, "");
  busy.add(key);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    busy!.delete(key);
  };
}
