// What every bench child shares: scripted token lists, the measured run (time, CPU, first token,
// RSS), and how a child reports. Library-specific cases live in ../cases/*.mjs.

const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 500);
const MEASURE_MS = Number(process.env.BENCH_MEASURE_MS ?? 300);
/** Timed runs of the forced-GC method (a full GC before each), of which the median is reported. */
const GC_REPETITIONS = Number(process.env.BENCH_GC_REPETITIONS ?? 5);

/** `count` short tokens, the same list for every library. */
export function makeTokens(count, prefix = "t") {
  const tokens = new Array(count);
  for (let index = 0; index < count; index++) tokens[index] = `${prefix}${index % 100} `;
  return tokens;
}

/**
 * Samples RSS while a run goes on: on every `tick()` that lands on `every`, and from a timer for
 * the stretches where no chunk arrives (invoke-only cases, or a slow consumer).
 */
export class RssProbe {
  constructor({ every = 4096, intervalMs = 50, curve = false } = {}) {
    this.every = every;
    this.count = 0;
    this.started = performance.now();
    this.baseline = process.memoryUsage.rss();
    this.peak = this.baseline;
    this.curve = curve ? [[0, 0]] : undefined;
    this.stopped = false;
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  /** Call once per delivered chunk; it samples every `every` calls. */
  tick() {
    if (++this.count % this.every === 0) this.sample();
  }

  sample() {
    if (this.stopped) return;
    const rss = process.memoryUsage.rss();
    if (rss > this.peak) this.peak = rss;
    this.curve?.push([Math.round(performance.now() - this.started), round((rss - this.baseline) / 1048576, 2)]);
  }

  stop() {
    this.sample();
    this.stopped = true;
    clearInterval(this.timer);
    return { peakRssDeltaMb: round((this.peak - this.baseline) / 1048576, 2), rssCurveMb: this.curve };
  }
}

export function round(value, digits = 3) {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function collectGarbage() {
  if (typeof globalThis.gc === "function") {
    globalThis.gc();
    globalThis.gc();
  }
}

/**
 * Runs `runCase(probe)` for warm-up, then measures. Both phases follow one rule for every library, so
 * a library whose run takes 10 ms is treated like one whose run takes a second:
 * - warm-up: at least `warmups` runs and at least `warmupMs` of them (at most 30 runs);
 * - measurement: back-to-back runs until at least `measureMs` have passed (at least one run), and the
 *   time reported is their mean. On a loaded machine a single 15 ms run is a lottery of time slices;
 *   a window of several runs sees the same share of the CPU as one long run does.
 * `runCase` resolves to `{ units, produced, delivered, firstTokenMs?, ...extra }`.
 */
/** Fail the case (and the bench) with `message` unless `condition` holds. */
export function check(condition, message) {
  if (!condition) throw new Error(message);
}

/**
 * Cases e and e2, for either library: `invoke` a graph whose nodes each add 1 to `count`, and check
 * that it ran exactly `steps` supersteps. `label` names the library and graph in a failure.
 */
export function measureCountingInvoke(graph, steps, label, options) {
  return measure(
    async () => {
      const state = await graph.invoke({ count: 0 }, { recursionLimit: steps + 10 });
      check(state.count === steps, `${label} counted ${state.count}`);
      return { units: steps, produced: steps, delivered: state.count };
    },
    { warmups: options.warmups },
  );
}

export async function measure(runCase, { warmups, warmupMs = WARMUP_MS, measureMs = MEASURE_MS, curve = false }) {
  // Warm-up runs use the same probe class as the measured run: a different class at the tick() call
  // site would deoptimize the case's loop right when measuring starts. The full GC comes before the
  // warm-ups, not right before measuring: V8 shrinks the young generation after a full GC, and the
  // runs after it pay for regrowing it (measured 3x slower for allocation-heavy code).
  collectGarbage();
  let coldFirstToken;
  const warmupStarted = performance.now();
  for (let index = 0; index < 30 && (index < warmups || (warmups > 0 && performance.now() - warmupStarted < warmupMs)); index++) {
    const probe = new RssProbe();
    const result = await runCase(probe);
    // The first run of a new graph in a fresh process: cold code, the latency a first request sees.
    if (index === 0) coldFirstToken = result.firstTokenMs;
    probe.stop();
  }
  const probe = new RssProbe({ curve, intervalMs: curve ? 250 : 50 });
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  // RSS is the first measured run's: later runs of the window would add the garbage of the earlier ones.
  const results = [await runCase(probe)];
  const memory = probe.stop();
  while (performance.now() - started < measureMs) results.push(await runCase(probe));
  const wallMs = (performance.now() - started) / results.length;
  const cpu = process.cpuUsage(cpuBefore);
  const warmRuns = results.length;
  // The second method, the issue's: a full GC before each timed run, then the median of the runs.
  // It measures a run on a freshly shrunk young generation (what a server sees between requests
  // more than a tight loop does), where allocation per token shows as GC time.
  const gcTimes = [];
  for (let index = 0; index < (warmups > 0 ? GC_REPETITIONS : 0); index++) {
    collectGarbage();
    const before = performance.now();
    const result = await runCase(probe);
    gcTimes.push(performance.now() - before);
    results.push(result);
  }
  gcTimes.sort((a, b) => a - b);
  const last = results[results.length - 1];
  const firstTokens = results.map((result) => result.firstTokenMs).filter((value) => typeof value === "number").sort((a, b) => a - b);
  return {
    ...last,
    // A lost token in any measured run counts.
    delivered: Math.min(...results.map((result) => result.delivered)),
    firstTokenMs: firstTokens.length > 0 ? round(firstTokens[firstTokens.length >> 1], 4) : last.firstTokenMs,
    measuredRuns: warmRuns,
    forcedGcRuns: gcTimes.length,
    wallMs: round(wallMs),
    gcWallMs: gcTimes.length > 0 ? round(gcTimes[gcTimes.length >> 1]) : undefined,
    coldFirstTokenMs: coldFirstToken === undefined ? undefined : round(coldFirstToken, 4),
    // CPU time is the warm window's, so it is divided by the warm runs only (not the forced-GC ones).
    cpuMs: round((cpu.user + cpu.system) / 1000 / warmRuns),
    ...memory,
  };
}

/** Marks when a model yields its first token and counts what it yields. */
export class TokenSource {
  constructor(tokens) {
    this.tokens = tokens;
    this.produced = 0;
    this.firstYieldAt = undefined;
  }

  reset() {
    this.produced = 0;
    this.firstYieldAt = undefined;
  }
}

/** A consumer that waits `ms` per chunk on a real timer (case h). */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Child entry: run the named cases of one library and print one JSON line per case. */
export async function runChild(cases, argv) {
  const options = JSON.parse(argv[2]);
  for (const name of options.cases) {
    const runCase = cases[name];
    if (runCase === undefined) throw new Error(`unknown case ${name}`);
    const result = await runCase(options.sizes[name], options);
    process.stdout.write(`${JSON.stringify({ case: name, ...result })}\n`);
  }
}
