// Runs as durable jobs: the API adds a run's job, a worker claims it with a lease it renews, runs it,
// and a run whose worker died (its lease ran out) goes to another worker. The contract below has two
// implementations: BullMQ on Redis for several instances (bullmq-run-queue.ts), and this file's
// StoreRunQueue for one process on its own record store (the embedded default).
import { randomUUID } from "node:crypto";
import { WeftError, describeError } from "../errors.js";
import type { RecordStore } from "./record-store.js";

/**
 * What a worker does with one job: "done" (the run ended, or is not to be run), "later" (it waits
 * for its thread: retry when the queue is nudged), or "handover" (the worker gave it back
 * unfinished; another attempt must follow). `signal` aborts when the worker stops and hands its jobs back.
 */
export type RunProcessor = (runId: string, signal: AbortSignal) => Promise<"done" | "later" | "handover">;

export interface RunQueue {
  /** Add the run's job; for a run that waits ("later"), make it ready now. */
  enqueue(runId: string): Promise<void>;
  /** Start taking jobs (the worker role). */
  startWorker(processor: RunProcessor): Promise<void>;
  /** Stop taking jobs, let the ones in progress finish for up to `drainMs`, then hand the rest back. */
  close(drainMs?: number): Promise<void>;
}

export class HandoverError extends Error {
  constructor(runId: string) {
    super(`Run ${runId} was handed back to the queue by a worker that stopped.`);
    this.name = "HandoverError";
  }
}

export interface StoreRunQueueOptions {
  /** Milliseconds a claim lasts without renewal; a run whose worker died is taken over after it. Default 30,000. */
  leaseMs?: number;
  /** Runs executed at once. Default 64. */
  concurrency?: number;
  /** Identifies this worker in the runs' leases. Default: a random id. */
  workerId?: string;
}

/**
 * The embedded queue: the record store is the queue. A run is claimed by writing this worker's
 * lease on it (compare-and-set, so two processes on one SQLite file never both claim it) and the
 * lease is renewed every third of `leaseMs`. On start and once per lease period the worker looks for
 * runs that are pending, or running with an expired lease (their process died), and takes them
 * over. Meant for one process (or a few on one machine sharing a SQLite file); several machines use
 * BullMQ on Redis.
 */
export class StoreRunQueue implements RunQueue {
  readonly leaseMs: number;
  private readonly concurrency: number;
  private readonly workerId: string;
  private processor: RunProcessor | undefined;
  private readonly waiting: string[] = [];
  private readonly active = new Map<string, { handover: AbortController; done: Promise<void> }>();
  /** Runs enqueued again while their job was executing: they go once more when it ends. */
  private readonly again = new Set<string>();
  private scanTimer: ReturnType<typeof setInterval> | undefined;
  private closed = false;

  constructor(
    private readonly store: RecordStore,
    options: StoreRunQueueOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? 30_000;
    this.concurrency = options.concurrency ?? 64;
    this.workerId = options.workerId ?? `worker-${randomUUID()}`;
    if (!Number.isInteger(this.leaseMs) || this.leaseMs < 100) throw new WeftError("INVALID_OPTIONS", `leaseMs must be a whole number >= 100, not ${this.leaseMs}.`);
  }

  async enqueue(runId: string): Promise<void> {
    if (this.closed || this.processor === undefined) return; // an API-only process: a worker's scan finds the run.
    if (this.active.has(runId)) this.again.add(runId);
    else if (!this.waiting.includes(runId)) this.waiting.push(runId);
    this.pump();
  }

  async startWorker(processor: RunProcessor): Promise<void> {
    this.processor = processor;
    await this.scan();
    this.scanTimer = setInterval(() => void this.scan(), this.leaseMs);
    this.scanTimer.unref?.();
  }

  async close(drainMs = 0): Promise<void> {
    this.closed = true;
    if (this.scanTimer !== undefined) clearInterval(this.scanTimer);
    this.waiting.length = 0;
    const all = () => Promise.allSettled([...this.active.values()].map((job) => job.done));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const drained = await Promise.race([all().then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), drainMs)))]);
    clearTimeout(timer);
    if (!drained) {
      for (const job of this.active.values()) job.handover.abort(new WeftError("ABORTED", "The worker is stopping; the run goes back to the queue."));
      await all();
    }
  }

  /** Runs that are pending, or running under an expired lease: this worker's to take. */
  private async scan(): Promise<void> {
    if (this.closed) return;
    try {
      const rows = await this.store.listRuns({ status: ["pending", "running"], leaseExpiredBefore: Date.now(), limit: 1000, offset: 0 });
      for (const row of rows) if (!this.waiting.includes(row.run.run_id) && !this.active.has(row.run.run_id)) this.waiting.push(row.run.run_id);
      this.pump();
    } catch (error) {
      console.error(`weft server: looking for runs to take over failed: ${describeError(error)}`);
    }
  }

  private pump(): void {
    while (!this.closed && this.active.size < this.concurrency && this.waiting.length > 0) {
      const runId = this.waiting.shift()!;
      const handover = new AbortController();
      const done = this.execute(runId, handover.signal).finally(() => {
        this.active.delete(runId);
        if (this.again.delete(runId) && !this.closed) {
          this.waiting.push(runId);
          this.pump();
        }
      });
      this.active.set(runId, { handover, done });
    }
  }

  private async execute(runId: string, signal: AbortSignal): Promise<void> {
    const now = Date.now();
    const claimed = await this.store.updateRun(runId, (row) =>
      (row.run.status === "pending" || row.run.status === "running") && (row.leaseExpiresAt < now || row.leaseOwner === this.workerId)
        ? { ...row, leaseOwner: this.workerId, leaseExpiresAt: now + this.leaseMs }
        : undefined,
    );
    if (claimed === undefined) return;
    const renew = setInterval(() => {
      void this.store
        .updateRun(runId, (row) => (row.leaseOwner === this.workerId ? { ...row, leaseExpiresAt: Date.now() + this.leaseMs } : undefined))
        .catch((error: unknown) => console.error(`weft server: renewing the lease of run ${runId} failed: ${describeError(error)}`));
    }, Math.max(50, Math.floor(this.leaseMs / 3)));
    renew.unref?.();
    let outcome: "done" | "later" | "handover" = "handover";
    try {
      outcome = await this.processor!(runId, signal);
    } catch (error) {
      console.error(`weft server: run ${runId} failed in the worker: ${describeError(error)}`);
    } finally {
      clearInterval(renew);
    }
    // Release the lease: a run that waits or was handed back is free for the next scan (or process) at once.
    await this.store
      .updateRun(runId, (row) => (row.leaseOwner === this.workerId ? { ...row, leaseOwner: null, leaseExpiresAt: 0 } : undefined))
      .catch(() => undefined);
  }
}
