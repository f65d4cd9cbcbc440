// How a run stops waiting for tasks that ignore its abort: ABANDON_AFTER_MS after the signal fired,
// the step waiting on them ends without them. One abort listener per run, not one per superstep:
// adding and removing an EventTarget listener per step was the larger part of a step's fixed cost,
// and, on a process's first run, 0.3 ms of cold code between a node's first token and its delivery.

/** Milliseconds the tasks of an aborted run get to stop on their own before the run stops waiting. */
export const ABANDON_AFTER_MS = 100;

export class AbandonWatch {
  /** Resolves the promise of the step waiting now (steps of one run are sequential). */
  private waiter: ((value: undefined) => void) | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly signal: AbortSignal) {
    if (!signal.aborted) signal.addEventListener("abort", this.onAbort, { once: true });
  }

  /** `work`, or undefined once the signal has been aborted for ABANDON_AFTER_MS and `work` is still going. */
  until<T>(work: Promise<T>): Promise<T | undefined> {
    return new Promise<T | undefined>((resolve, reject) => {
      this.waiter = resolve;
      // A step that starts on an aborted run gets its own ABANDON_AFTER_MS, as the first one did.
      if (this.signal.aborted) this.startTimer();
      work.then(
        (value) => {
          this.settled(resolve);
          resolve(value);
        },
        (error: unknown) => {
          this.settled(resolve);
          reject(error);
        },
      );
    });
  }

  /** The run ended: drop the listener and any timer. */
  dispose(): void {
    this.signal.removeEventListener("abort", this.onAbort);
    this.clearTimer();
    this.waiter = undefined;
  }

  private readonly onAbort = (): void => {
    if (this.waiter !== undefined) this.startTimer();
  };

  private startTimer(): void {
    this.clearTimer();
    const waiter = this.waiter;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (waiter !== undefined && this.waiter === waiter) {
        this.waiter = undefined;
        waiter(undefined);
      }
    }, ABANDON_AFTER_MS);
  }

  private settled(waiter: (value: undefined) => void): void {
    if (this.waiter === waiter) this.waiter = undefined;
    this.clearTimer();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
