// Giving memory back to the OS once a burst of runs is over. Streaming a million tokens grows V8's
// young generation and leaves pages pooled for reuse; V8 keeps them committed after the burst
// (its memory reducer waits for a low allocation rate it does not see in an idle Node process), so
// without this an idle server holds several hundred MiB it no longer uses (Node 22 and 24 most).
// When the event loop has been idle for a whole interval and the resident set has grown by
// `growthBytes` since the last reclaim, one memory-reducing full collection returns those pages.
import { performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { WeftError } from "../errors.js";

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
  /** One check now (what the interval runs): reclaims when idle and grown; returns the report if it did. */
  check(): IdleMemoryReport | undefined;
  /** Resolves after the next check that found the loop idle, with the report if that check reclaimed (undefined once stopped). */
  nextIdleCheck(): Promise<IdleMemoryReport | undefined>;
  stop(): void;
}

const DEFAULTS = { intervalMs: 5_000, growthBytes: 64 * 2 ** 20, maxUtilization: 0.05 };

/**
 * Watch the process's memory while a server runs (`serve()` starts one unless `reclaimIdleMemory: false`).
 * The interval is unref'd: it never keeps the process alive. A collection that fails, or an
 * `onReclaim` that throws, is reported as a process warning and stops the watch; it never ends the process.
 *
 * @example
 * const watch = watchIdleMemory({ onReclaim: ({ rssBefore, rssAfter }) => console.log(rssBefore, rssAfter) });
 * // ... later
 * watch.stop();
 */
export function watchIdleMemory(options: IdleMemoryOptions = {}, probe: IdleMemoryProbe = nodeProbe()): IdleMemoryWatch {
  const { intervalMs, growthBytes, maxUtilization } = checkOptions({ ...DEFAULTS, ...definedOf(options) });
  let floor = probe.rss();
  probe.utilization();
  let stopped = false;
  let waiting: Array<(report: IdleMemoryReport | undefined) => void> = [];
  const settle = (report: IdleMemoryReport | undefined) => {
    const resolved = waiting;
    waiting = [];
    for (const resolve of resolved) resolve(report);
  };
  const check = (): IdleMemoryReport | undefined => {
    if (stopped) return undefined;
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
    if (idle) settle(report);
    return report;
  };
  const stop = () => {
    stopped = true;
    clearInterval(timer);
    settle(undefined);
  };
  const timer = setInterval(() => {
    try {
      check();
    } catch (error) {
      stop();
      process.emitWarning(`Weft stopped reclaiming idle memory: ${error instanceof Error ? error.message : String(error)}`, { code: "WEFT_IDLE_MEMORY" });
    }
  }, intervalMs);
  timer.unref();
  return {
    check,
    nextIdleCheck: () => (stopped ? Promise.resolve(undefined) : new Promise((resolve) => waiting.push(resolve))),
    stop,
  };
}

function definedOf(options: IdleMemoryOptions): Partial<IdleMemoryOptions> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

function checkOptions<Options extends Required<Omit<IdleMemoryOptions, "onReclaim">>>(options: Options): Options {
  const { intervalMs, growthBytes, maxUtilization } = options;
  if (!(Number.isFinite(intervalMs) && intervalMs >= 1)) {
    throw new WeftError("INVALID_OPTIONS", `reclaimIdleMemory.intervalMs is ${String(intervalMs)}; give the milliseconds between checks, at least 1.`);
  }
  if (typeof growthBytes !== "number" || Number.isNaN(growthBytes)) {
    throw new WeftError("INVALID_OPTIONS", `reclaimIdleMemory.growthBytes is ${String(growthBytes)}; give the growth in bytes that starts a reclaim.`);
  }
  if (typeof maxUtilization !== "number" || Number.isNaN(maxUtilization)) {
    throw new WeftError("INVALID_OPTIONS", `reclaimIdleMemory.maxUtilization is ${String(maxUtilization)}; give the share of the loop's time (0 to 1) below which it counts as idle.`);
  }
  return options;
}

let collectGarbage: ((options?: object) => void) | undefined;
// V8 12 (Node 22) and later take options: "last-resort" is the memory-reducing collection a
// low-memory notification makes (it shrinks the young generation and frees the pages V8 pools).
// V8 11 (Node 20) has no such option; its plain full collection frees what is garbage but keeps the
// pooled pages (docs/server.md "Memory").
const LAST_RESORT = Number(process.versions.v8.split(".")[0]) >= 12 ? { type: "major", execution: "sync", flavor: "last-resort" } : undefined;
// A process started with --expose-gc keeps it; otherwise the flag is on only while the gc function is made.
const STARTED_WITH_GC = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)].some((argument) => /^--expose[-_]gc$/.test(argument));

/** V8's gc(), from a context of its own: the main context and the contexts made later get no `gc` global. */
function gcFunction(): (options?: object) => void {
  if (collectGarbage !== undefined) return collectGarbage;
  setFlagsFromString("--expose-gc");
  try {
    collectGarbage = runInNewContext("gc") as (options?: object) => void;
  } finally {
    if (!STARTED_WITH_GC) setFlagsFromString("--no-expose-gc");
  }
  return collectGarbage;
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
    collect: () => gcFunction()(LAST_RESORT),
  };
}
