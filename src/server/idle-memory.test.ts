import assert from "node:assert/strict";
import { runInNewContext } from "node:vm";
import { describe, it } from "node:test";
import { WeftError } from "../errors.js";
import { type IdleMemoryProbe, type IdleMemoryReport, watchIdleMemory } from "./idle-memory.js";
import { serve } from "./node-adapter.js";

const MiB = 2 ** 20;

/** A probe whose readings the test sets; counts collections, which bring the resident set to `afterCollect`. */
function fakeProbe(start: number) {
  const state = { rss: start, utilization: 0, afterCollect: start, collections: 0 };
  const probe: IdleMemoryProbe = {
    utilization: () => state.utilization,
    rss: () => state.rss,
    collect() {
      state.collections++;
      state.rss = state.afterCollect;
    },
  };
  return { state, probe };
}

describe("watchIdleMemory", () => {
  it("collects once the loop is idle and the resident set has grown past the threshold, then measures growth from there", () => {
    const { state, probe } = fakeProbe(100 * MiB);
    const reports: IdleMemoryReport[] = [];
    const watch = watchIdleMemory({ growthBytes: 64 * MiB, onReclaim: (report) => reports.push(report) }, probe);
    try {
      state.rss = 150 * MiB;
      assert.equal(watch.check(), undefined, "grown by 50 MiB: under the threshold");
      state.rss = 400 * MiB;
      state.afterCollect = 180 * MiB;
      const report = watch.check();
      assert.equal(state.collections, 1);
      assert.deepEqual({ ...report, pauseMs: 0 }, { rssBefore: 400 * MiB, rssAfter: 180 * MiB, pauseMs: 0 });
      assert.deepEqual(reports, [report]);
      // What the collection could not give back (here 80 MiB) is the new floor: no collection at every check.
      state.rss = 200 * MiB;
      assert.equal(watch.check(), undefined);
      state.rss = 250 * MiB;
      state.afterCollect = 190 * MiB;
      assert.notEqual(watch.check(), undefined, "64 MiB over the floor left by the last collection");
      assert.equal(state.collections, 2);
    } finally {
      watch.stop();
    }
  });

  it("never collects while the event loop is busy", () => {
    const { state, probe } = fakeProbe(100 * MiB);
    const watch = watchIdleMemory({ maxUtilization: 0.05 }, probe);
    try {
      state.rss = 900 * MiB;
      state.utilization = 0.06;
      assert.equal(watch.check(), undefined);
      assert.equal(state.collections, 0);
      state.utilization = 0.01;
      assert.notEqual(watch.check(), undefined);
      assert.equal(state.collections, 1);
    } finally {
      watch.stop();
    }
  });

  it("follows the resident set down: growth counts from the lowest reading", () => {
    const { state, probe } = fakeProbe(300 * MiB);
    const watch = watchIdleMemory({ growthBytes: 64 * MiB }, probe);
    try {
      state.rss = 120 * MiB;
      watch.check();
      state.rss = 190 * MiB;
      assert.notEqual(watch.check(), undefined, "70 MiB over 120, although under the 300 it started at");
    } finally {
      watch.stop();
    }
  });

  it("nextIdleCheck resolves at the next idle check, with its report or undefined; stop() resolves the waiting ones", async () => {
    const { state, probe } = fakeProbe(100 * MiB);
    const watch = watchIdleMemory({}, probe);
    state.utilization = 0.5;
    let settled = false;
    const busy = watch.nextIdleCheck().then((report) => {
      settled = true;
      return report;
    });
    watch.check();
    await Promise.resolve();
    assert.equal(settled, false, "a busy check is not an idle one");
    state.utilization = 0;
    state.rss = 300 * MiB;
    const report = watch.check();
    assert.deepEqual(await busy, report);
    const quiet = watch.nextIdleCheck();
    watch.check();
    assert.equal(await quiet, undefined, "idle, nothing grown: no report");
    const pending = watch.nextIdleCheck();
    watch.stop();
    assert.equal(await pending, undefined);
  });

  it("collects with V8 for real, without giving the main context or later contexts a gc global", () => {
    assert.equal(typeof (globalThis as { gc?: unknown }).gc, "undefined", "the test process runs without --expose-gc");
    let garbage: unknown[] | undefined = Array.from({ length: 400_000 }, (_, index) => ({ index, text: `x${index}` }));
    const heapWithGarbage = process.memoryUsage().heapUsed;
    assert.equal(garbage.length, 400_000);
    garbage = undefined;
    const watch = watchIdleMemory({ growthBytes: -Infinity, maxUtilization: Infinity });
    try {
      const report = watch.check();
      assert.ok(report !== undefined);
      // 400,000 objects with their strings are tens of MiB: only a full collection frees them at once.
      const freed = heapWithGarbage - process.memoryUsage().heapUsed;
      assert.ok(freed > 16 * MiB, `the collection freed ${Math.round(freed / MiB)} MiB of the heap`);
      assert.equal(typeof (globalThis as { gc?: unknown }).gc, "undefined");
      assert.equal(runInNewContext("typeof gc"), "undefined");
    } finally {
      watch.stop();
    }
  });

  it("a collection or an onReclaim that throws stops the watch with a process warning, never ends the process", async () => {
    const { state, probe } = fakeProbe(100 * MiB);
    const warned = new Promise<Error>((resolve) => process.once("warning", resolve));
    // The watch's interval is unref'd; this keeps the test's event loop alive until the warning comes.
    const keepAlive = setInterval(() => {}, 60_000);
    const watch = watchIdleMemory({ intervalMs: 1, onReclaim: () => { throw new Error("log sink closed"); } }, probe);
    state.rss = 900 * MiB;
    const warning = await warned.finally(() => clearInterval(keepAlive));
    assert.equal((warning as Error & { code?: string }).code, "WEFT_IDLE_MEMORY");
    assert.match(warning.message, /stopped reclaiming idle memory: log sink closed/);
    assert.equal(state.collections, 1);
    assert.equal(watch.check(), undefined, "stopped");
    assert.equal(await watch.nextIdleCheck(), undefined, "a stopped watch answers at once");
  });

  it("refuses options that are not numbers with INVALID_OPTIONS naming the option", () => {
    const { probe } = fakeProbe(100 * MiB);
    for (const [options, name] of [[{ intervalMs: 0 }, "intervalMs"], [{ growthBytes: Number.NaN }, "growthBytes"], [{ maxUtilization: "low" }, "maxUtilization"]] as const) {
      assert.throws(() => watchIdleMemory(options as never, probe), (error: unknown) => WeftError.isInstance(error) && error.code === "INVALID_OPTIONS" && error.message.includes(`reclaimIdleMemory.${name}`));
    }
  });

  it("serve() watches with its reclaimIdleMemory options", async () => {
    let reclaimed: (report: IdleMemoryReport) => void;
    const first = new Promise<IdleMemoryReport>((resolve) => (reclaimed = resolve));
    const server = await serve(async () => new Response("ok"), {
      port: 0,
      reclaimIdleMemory: { intervalMs: 5, growthBytes: -Infinity, maxUtilization: Infinity, onReclaim: (report) => reclaimed(report) },
    });
    try {
      assert.ok((await first).rssAfter > 0);
    } finally {
      await server.close();
    }
  });
});
