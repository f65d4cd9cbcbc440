// What every bench child shares: scripted token lists, the measured run (time, CPU, first token,
// RSS), and how a child reports. Library-specific cases live in ../cases/*.mjs.

const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 500);

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
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  /** Call once per delivered chunk; it samples every `every` calls. */
  tick() {
    if (++this.count % this.every === 0) this.sample();
  }

  sample() {
    const rss = process.memoryUsage.rss();
    if (rss > this.peak) this.peak = rss;
    this.curve?.push([Math.round(performance.now() - this.started), round((rss - this.baseline) / 1048576, 2)]);
  }

  stop() {
    this.sample();
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
 * Runs `runCase(probe)` for warm-up, then once measured. Warm-up is the same rule for every library:
 * at least `warmups` runs and at least `warmupMs` of them (at most 30 runs), so a library whose run
 * takes 10 ms is as warm as one whose run takes a second.
 * `runCase` resolves to `{ units, produced, delivered, firstTokenMs?, ...extra }`.
 */
export async function measure(runCase, { warmups, warmupMs = WARMUP_MS, curve = false }) {
  // Warm-up runs use the same probe class as the measured run: a different class at the tick() call
  // site would deoptimize the case's loop right when measuring starts. The full GC comes before the
  // warm-ups, not right before measuring: V8 shrinks the young generation after a full GC, and the
  // runs after it pay for regrowing it (measured 3x slower for allocation-heavy code).
  collectGarbage();
  const warmupStarted = performance.now();
  for (let index = 0; index < 30 && (index < warmups || (warmups > 0 && performance.now() - warmupStarted < warmupMs)); index++) {
    const probe = new RssProbe();
    await runCase(probe);
    probe.stop();
  }
  const probe = new RssProbe({ curve, intervalMs: curve ? 250 : 50 });
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const result = await runCase(probe);
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const memory = probe.stop();
  return {
    ...result,
    wallMs: round(wallMs),
    cpuMs: round((cpu.user + cpu.system) / 1000),
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
