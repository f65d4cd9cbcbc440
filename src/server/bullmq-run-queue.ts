// Runs as BullMQ jobs on Redis, for several instances: BullMQ does the claims (a job is active on
// one worker), the leases (the job lock, renewed every half `leaseMs` while the worker lives),
// stalled-job detection (a lock that ran out puts the job back in the queue for another worker) and
// the hand-back of unfinished jobs at shutdown (moveToWait). Weft keeps the attempt count and its
// maximum on the run record. `bullmq` is an optional peer dependency, loaded here.
import type { Job, Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { WeftError, describeError } from "../errors.js";
import type { RunProcessor, RunQueue } from "./run-queue.js";

export interface BullmqRunQueueOptions {
  /** A `redis://` URL. Default "redis://127.0.0.1:6379". */
  url?: string;
  /** BullMQ key prefix (keep it apart per application and test run). Default "weft". */
  prefix?: string;
  /** Queue name. Default "runs". */
  name?: string;
  /** Milliseconds a job lock lasts without renewal: a run whose worker died moves on after it (and one stalled check). Default 30,000. */
  leaseMs?: number;
  /** Runs one worker executes at once. Default 64. */
  concurrency?: number;
  /** Milliseconds before a run that waits for its thread is looked at again (it is also woken when the thread frees up). Default 1,000. */
  waitRetryMs?: number;
}

/**
 * Create a RunQueue on BullMQ.
 *
 * @example
 * const queue = await createBullmqRunQueue({ url: "redis://127.0.0.1:6379", prefix: "myapp" });
 * const handler = createHandler({ graphs: { agent }, store, eventLog, queue });
 */
export async function createBullmqRunQueue(options: BullmqRunQueueOptions = {}): Promise<RunQueue> {
  let bullmq: typeof import("bullmq");
  let RedisClass: typeof import("ioredis").Redis;
  try {
    bullmq = await import("bullmq");
    RedisClass = (await import("ioredis")).Redis;
  } catch (error) {
    throw new WeftError("MISSING_DEPENDENCY", "The BullMQ run queue needs the `bullmq` package: npm install bullmq.", { cause: error });
  }
  const url = options.url ?? "redis://127.0.0.1:6379";
  // Workers block on their connection, so BullMQ wants commands never to give up (maxRetriesPerRequest null).
  const connect = () => new RedisClass(url, { maxRetriesPerRequest: null });
  const connection = connect();
  try {
    await connection.ping();
  } catch (error) {
    connection.disconnect();
    throw new WeftError("SERVER", `Cannot reach Redis at ${url} for the run queue: ${describeError(error)}.`, { cause: error });
  }
  return new BullmqRunQueue(bullmq, connection, connect, options);
}

class BullmqRunQueue implements RunQueue {
  private readonly queue: Queue;
  private worker: Worker | undefined;
  private workerConnection: Redis | undefined;
  private readonly handovers = new Map<string, AbortController>();
  private readonly leaseMs: number;
  private readonly waitRetryMs: number;

  constructor(
    private readonly bullmq: typeof import("bullmq"),
    private readonly connection: Redis,
    private readonly connect: () => Redis,
    private readonly options: BullmqRunQueueOptions,
  ) {
    this.leaseMs = options.leaseMs ?? 30_000;
    this.waitRetryMs = options.waitRetryMs ?? 1_000;
    this.queue = new bullmq.Queue(options.name ?? "runs", { connection, prefix: options.prefix ?? "weft" });
  }

  async enqueue(runId: string): Promise<void> {
    const existing = await this.queue.getJob(runId);
    if (existing !== undefined && (await existing.getState()) === "delayed") {
      // A run waiting for its thread: the thread is free now.
      await existing.promote().catch(() => undefined);
      return;
    }
    // jobId = runId: adding a run twice adds one job.
    await this.queue.add("run", { runId }, { jobId: runId, removeOnComplete: true, removeOnFail: true });
  }

  async startWorker(processor: RunProcessor): Promise<void> {
    const { Worker, DelayedError, WaitingError } = this.bullmq;
    this.worker = new Worker(
      this.options.name ?? "runs",
      async (job: Job<{ runId: string }>, token?: string) => {
        const runId = job.data.runId;
        const handover = new AbortController();
        this.handovers.set(runId, handover);
        let outcome: Awaited<ReturnType<RunProcessor>>;
        try {
          outcome = await processor(runId, handover.signal);
        } finally {
          this.handovers.delete(runId);
        }
        if (outcome === "later") {
          await job.moveToDelayed(Date.now() + this.waitRetryMs, token);
          throw new DelayedError();
        }
        if (outcome === "handover") {
          await job.moveToWait(token);
          throw new WaitingError();
        }
      },
      {
        connection: (this.workerConnection = this.connect()),
        prefix: this.options.prefix ?? "weft",
        concurrency: this.options.concurrency ?? 64,
        lockDuration: this.leaseMs,
        stalledInterval: this.leaseMs,
        // Weft counts attempts on the run record and ends a run after its maximum, with a clear error.
        maxStalledCount: 1_000_000,
      },
    );
    this.worker.on("error", (error) => console.error(`weft server: run queue worker: ${describeError(error)}`));
    await this.worker.waitUntilReady();
  }

  async close(drainMs = 0): Promise<void> {
    if (this.worker !== undefined) {
      const closing = this.worker.close();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const drained = await Promise.race([closing.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), drainMs)))]);
      clearTimeout(timer);
      if (!drained) {
        for (const handover of this.handovers.values()) handover.abort(new WeftError("ABORTED", "The worker is stopping; the run goes back to the queue."));
        await closing;
      }
    }
    await this.queue.close();
    await this.workerConnection?.quit().catch(() => this.workerConnection?.disconnect());
    await this.connection.quit().catch(() => this.connection.disconnect());
  }
}
