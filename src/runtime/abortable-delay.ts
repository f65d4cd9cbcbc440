import { WeftError } from "../errors.js";

/** Wait `ms` milliseconds, or reject as soon as `signal` aborts (leaving no timer behind). */
export function abortableDelay(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Wait until `performance.now()` reaches `deadline`, or reject when `signal` aborts. Node's timers
 * count from the event loop's cached clock, so one timer can fire a millisecond before the deadline
 * by the real clock: wait again for what is left, so a paced stream is never early.
 */
export async function abortableWaitUntil(deadline: number, signal?: AbortSignal): Promise<void> {
  for (let left = deadline - performance.now(); left > 0; left = deadline - performance.now()) await abortableDelay(left, signal);
  if (signal?.aborted) throw abortReason(signal);
}

/** The reason of an aborted signal as an error (a WeftError ABORTED when none was given). */
export function abortReason(signal: AbortSignal): unknown {
  const reason: unknown = signal.reason;
  if (reason instanceof Error || WeftErrorLike(reason)) return reason;
  return new WeftError("ABORTED", reason === undefined ? "The run was aborted." : `The run was aborted: ${String(reason)}`, { cause: reason });
}

function WeftErrorLike(value: unknown): boolean {
  return typeof value === "object" && value !== null && "code" in value && "message" in value;
}

type SetMaxListeners = (count: number, ...targets: EventTarget[]) => void;
const setMaxListeners = (
  (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } }).process?.getBuiltinModule?.("node:events") as
    | { setMaxListeners?: SetMaxListeners }
    | undefined
)?.setMaxListeners;

/**
 * A run's signal is shared by all its tasks, and each model call or delay listens on it, so a
 * fan-out of more than 10 calls is normal, not a leak: lift Node's listener warning for this signal.
 */
export function allowManyAbortListeners(signal: AbortSignal): void {
  setMaxListeners?.(0, signal);
}
