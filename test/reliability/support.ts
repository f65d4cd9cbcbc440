// Shared tools of the reliability suite: a seeded random source, hard timeouts that name what hung,
// resource snapshots for leak checks, and a figures log that docs/reliability.md is written from.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { BaseChatModel, type ChatModelRequest, type ChatStreamPart } from "weft";
import { seededRandom } from "../../src/core/seeded-random.js";

export { seededRandom };


/** An integer in [min, max] from `random`. */
export function randomInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** Resolve or reject with `promise`, or fail with a message naming `what` after `ms` (the timer never outlives the race). */
export async function withTimeout<Value>(promise: Promise<Value>, ms: number, what: string): Promise<Value> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms: ${what} (a hang).`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Active handles and requests by type (`process.getActiveResourcesInfo()`), e.g. { Timeout: 2, TCPSocketWrap: 1 }. */
export function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of process.getActiveResourcesInfo()) counts.set(name, (counts.get(name) ?? 0) + 1);
  return counts;
}

/** Resource types that grew between two snapshots, e.g. ["Timeout: 0 -> 3"]; empty when nothing leaked. */
export function leakedResources(before: Map<string, number>, after: Map<string, number>): string[] {
  const leaks: string[] = [];
  for (const [name, count] of after) {
    const previous = before.get(name) ?? 0;
    if (count > previous) leaks.push(`${name}: ${previous} -> ${count}`);
  }
  return leaks;
}

/** Wait until pending close/abort callbacks have run: one macrotask turn after the microtasks. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The value at `quantile` (0..1) of `values` (nearest rank). */
export function percentile(values: readonly number[], quantile: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)]!;
}

/** Samples the peak RSS and heap while a test runs. */
export class MemorySampler {
  peakRss = 0;
  peakHeap = 0;
  readonly startRss: number;
  readonly startHeap: number;
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 10) {
    const usage = process.memoryUsage();
    this.startRss = usage.rss;
    this.startHeap = usage.heapUsed;
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  sample(): void {
    const usage = process.memoryUsage();
    if (usage.rss > this.peakRss) this.peakRss = usage.rss;
    if (usage.heapUsed > this.peakHeap) this.peakHeap = usage.heapUsed;
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }
}

export const MEBIBYTE = 1024 * 1024;

/**
 * Record the figures of one test: printed as a test diagnostic, and written to
 * test-output/reliability/<name>.json so docs/reliability.md can quote the last full run.
 */
export function recordFigures(context: TestContext, name: string, figures: Record<string, unknown>): void {
  context.diagnostic(`${name}: ${JSON.stringify(figures)}`);
  const folder = join(process.cwd(), "test-output", "reliability");
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, `${name}.json`), `${JSON.stringify({ name, at: new Date().toISOString(), ...figures }, null, 2)}\n`);
}

// --- Models that report what happened to them ---------------------------------------------------


/**
 * A model that streams `count` numbered tokens of `size` characters (optionally `delayMs` apart) and
 * reports how far it got and when its call's signal aborted, so tests can see backpressure and cancellation.
 */
export class ProbeChatModel extends BaseChatModel {
  readonly provider = "probe";
  readonly modelName: string;
  produced = 0;
  abortedAt: number | undefined;
  settledAt: number | undefined;
  private readonly waiters: Array<{ count: number; wake: () => void }> = [];

  constructor(private readonly options: { count: number; size?: number; delayMs?: number; name?: string; tags?: string[] }) {
    super({ tags: options.tags });
    this.modelName = options.name ?? "probe-model";
  }

  /** The `index`-th token: its number, padded to `size` characters. */
  token(index: number): string {
    const text = `${index} `;
    return this.options.size === undefined ? text : text.padEnd(this.options.size, ".");
  }

  /** Resolves once `count` tokens have been produced (or at once when they have). */
  reached(count: number): Promise<void> {
    if (this.produced >= count) return Promise.resolve();
    return new Promise((wake) => this.waiters.push({ count, wake }));
  }

  protected async *streamParts(request: ChatModelRequest): AsyncIterable<ChatStreamPart> {
    const onAbort = () => (this.abortedAt = performance.now());
    request.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      for (let index = 0; index < this.options.count; index++) {
        if (request.signal?.aborted) throw request.signal.reason;
        if (this.options.delayMs !== undefined) await abortableWait(this.options.delayMs, request.signal);
        this.produced++;
        for (const waiter of this.waiters.filter((entry) => entry.count <= this.produced)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.wake();
        }
        yield this.token(index);
      }
    } finally {
      this.settledAt = performance.now();
      request.signal?.removeEventListener("abort", onAbort);
    }
  }
}

function abortableWait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
