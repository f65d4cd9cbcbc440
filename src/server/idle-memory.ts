// Giving memory back to the OS once a burst of runs is over. Streaming a million tokens grows V8's
// young generation and leaves pages pooled for reuse; V8 keeps them committed after the burst
// (its memory reducer waits for a low allocation rate it does not see in an idle Node process), so
// without this an idle server holds several hundred MiB it no longer uses (Node 22 and 24 most).
// When the event loop has been idle for a whole interval and the resident set has grown by
// `growthBytes` since the last reclaim, one memory-reducing full collection returns those pages.
import { performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

export interface IdleMemoryOptions {
  /** How often the loop's idleness and the resident set are checked. Default 5,000 ms. */
  intervalMs?: number;
  /** Reclaim once the resident set is this much above where the last reclaim left it. Default 64 MiB. */
  growthBytes?: number;
  /** The event loop counts as idle when it was busy for less than this share of an interval. Default 0.05. */
  maxUtilization?: number;
  /** Told after each reclaim: the resident set before and after, and how long the collection paused the loop. */
  onReclaim?: (report: IdleMemoryReport) => void;
}

export interface IdleMemoryReport {
  rssBefore: number;
  rssAfter: number;
  pauseMs: number;
}

/** One check's readings, injectable for tests. */
export interface IdleMemoryProbe {
  /** The event loop's utilization (0-1) since the previous call. */
  utilization(): number;
  rss(): number;
  /** A full, memory-reducing collection. */
  collect(): void;
}

export interface IdleMemoryWatch {
  /** One check now (what the interval runs): reclaims when idle and grown; resolves with the report if it did. */
  check(): IdleMemoryReport | undefined;
  /** Resolves after the next check that found the loop idle, with the report if that check reclaimed. */
  nextIdleCheck(): Promise<IdleMemoryReport | undefined>;
  stop(): void;
}

const DEFAULTS = { intervalMs: 5_000, growthBytes: 64 * 2 ** 20, maxUtilization: 0.05 };

/**
 * Watch the process's memory while a server runs (`serve()` starts one unless `reclaimIdleMemory: false`).
 * The interval is unref'd: it never keeps the process alive.
 *
 * @example
 * const watch = watchIdleMemory({ onReclaim: ({ rssBefore, rssAfter }) => console.log(rssBefore, rssAfter) });
 * // ... later
 * watch.stop();
 */
export function watchIdleMemory(options: IdleMemoryOptions = {}, probe: IdleMemoryProbe = nodeProbe()): IdleMemoryWatch {
  const { intervalMs, growthBytes, maxUtilization } = { ...DEFAULTS, ...options };
  let floor = probe.rss();
  probe.utilization();
  let waiting: Array<(report: IdleMemoryReport | undefined) => void> = [];
  const check = (): IdleMemoryReport | undefined => {
    const idle = probe.utilization() < maxUtilization;
    const rss = probe.rss();
    floor = Math.min(floor, rss);
    let report: IdleMemoryReport | undefined;
    if (idle && rss > floor + growthBytes) {
      const started = performance.now();
      probe.collect();
      const pauseMs = performance.now() - started;
      floor = probe.rss();
      report = { rssBefore: rss, rssAfter: floor, pauseMs };
      options.onReclaim?.(report);
      // The collection itself kept the loop busy; the next interval's utilization starts after it.
      probe.utilization();
    }
    if (idle) {
      const resolved = waiting;
      waiting = [];
      for (const resolve of resolved) resolve(report);
    }
    return report;
  };
  const timer = setInterval(check, intervalMs);
  timer.unref();
  return {
    check,
    nextIdleCheck: () => new Promise((resolve) => waiting.push(resolve)),
    stop() {
      clearInterval(timer);
      const resolved = waiting;
      waiting = [];
      for (const resolve of resolved) resolve(undefined);
    },
  };
}

let collectGarbage: ((options?: object) => void) | undefined;
// V8 12 (Node 22) and later take options: "last-resort" is the memory-reducing collection a
// low-memory notification makes (it shrinks the young generation and frees the pages V8 pools).
// V8 11 (Node 20) has no such option; a full collection while V8 optimizes for size is the nearest
// (measured in the slow-clients test: V8's pages after it 55 MiB, after plain full collections 61-156).
const HAS_LAST_RESORT = Number(process.versions.v8.split(".")[0]) >= 12;
const LAST_RESORT = { type: "major", execution: "sync", flavor: "last-resort" };

// A process started with --optimize-for-size keeps it: the flag is only turned off again if this turned it on.
const STARTED_FOR_SIZE = process.execArgv.some((argument) => /^--optimize[-_]for[-_]size$/.test(argument));

function reduceMemory(gc: (options?: object) => void): void {
  if (HAS_LAST_RESORT) return gc(LAST_RESORT);
  if (STARTED_FOR_SIZE) return gc();
  setFlagsFromString("--optimize-for-size");
  try {
    gc();
    gc();
  } finally {
    setFlagsFromString("--no-optimize-for-size");
  }
}

/** The process's own readings and V8's collection. */
function nodeProbe(): IdleMemoryProbe {
  let last = performance.eventLoopUtilization();
  return {
    utilization() {
      const now = performance.eventLoopUtilization();
      const delta = performance.eventLoopUtilization(now, last);
      last = now;
      return delta.utilization;
    },
    rss: () => process.memoryUsage.rss(),
    collect() {
      if (collectGarbage === undefined) {
        // V8's gc(), from a context of its own: the main context gets no `gc` global, and contexts
        // made later get none either (unless the process was started with --expose-gc).
        const exposed = typeof (globalThis as { gc?: unknown }).gc === "function";
        setFlagsFromString("--expose-gc");
        collectGarbage = runInNewContext("gc") as (options?: object) => void;
        if (!exposed) setFlagsFromString("--no-expose-gc");
      }
      reduceMemory(collectGarbage);
    },
  };
}
