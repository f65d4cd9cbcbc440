// Implicit config propagation: on Node, AsyncLocalStorage lets `model.invoke(messages)` and
// `getWriter()` find the running node's config without it being passed. Where there is no
// AsyncLocalStorage (browsers, some edge runtimes) passing `config` explicitly always works.
import { WeftError } from "../errors.js";
import type { NodeConfig, Writer } from "./config.js";
import { newAsyncLocalStorage } from "./async-local-storage.js";
import { releaseLangChainStorage, withLangChainConfig } from "./langchain-context.js";

interface Storage {
  run<Result>(store: NodeConfig, callback: () => Result): Result;
  getStore(): NodeConfig | undefined;
  disable(): void;
}

const storage = newAsyncLocalStorage<Storage>();

// On Node 20, an enabled AsyncLocalStorage turns on promise hooks for the whole process: every
// promise (each streamed token makes several) pays for them, measured at ~45% of a streamed token's
// cost in bench case b. The storage is enabled only while some node or router runs inside it, and
// disabled at the next macrotask after the last one settles, so a consumer draining buffered chunks,
// and code between runs, pay nothing.
// The storage stays on while any node runs, even one whose code passes `config` everywhere: code
// running beside a call in the same node (a Promise.all branch, a tool) may still look for its config
// (getConfig, getWriter, a model call without config), and must find it, as in LangGraph.js. A graph
// whose nodes always pass `config` can opt out with `compile({ implicitConfig: false })`.

let activeCallbacks = 0;

function release(): void {
  activeCallbacks--;
  // Switched off at the next macrotask, not now: the next node of a run usually enters a few
  // microtasks later, and switching the hooks off and on around every step cost more than keeping
  // them on between steps (bench case e, forced GC: ~12.5 -> ~10.5 µs per step).
  if (activeCallbacks === 0 && !disableScheduled) {
    disableScheduled = true;
    later(disableIfIdle);
  }
}

let disableScheduled = false;
const later: (callback: () => void) => void = typeof setImmediate === "function" ? setImmediate : (callback) => setTimeout(callback, 0);

function disableIfIdle(): void {
  disableScheduled = false;
  if (activeCallbacks === 0) {
    storage!.disable();
    releaseLangChainStorage();
  }
}

/** Run `callback` with `config` as the current node config (until the promise it returns settles). */
export function runWithConfig<Result>(config: NodeConfig, callback: () => Result): Result {
  if (storage === undefined) return callback();
  activeCallbacks++;
  let result: Result;
  try {
    // LangChain.js code in the node (a model called without config) finds the config too, as in LangGraph.js.
    result = storage.run(config, withLangChainConfig(config, callback, currentConfig));
  } catch (error) {
    release();
    throw error;
  }
  if (isThenable(result)) result.then(release, release);
  else release();
  return result;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null && typeof (value as PromiseLike<unknown>).then === "function";
}

/** How many runWithConfig callbacks are running now (at 0 the storage, and its hooks, go off at the next macrotask). */
export function activeConfigScopes(): number {
  return activeCallbacks;
}

/** The config of the node running now, or undefined outside a node (or without AsyncLocalStorage). */
export function currentConfig(): NodeConfig | undefined {
  return storage?.getStore();
}

/**
 * The config of the running node, found through AsyncLocalStorage.
 * Throws a WeftError when called outside a node; pass `config` explicitly where there is no AsyncLocalStorage.
 */
export function getConfig(): NodeConfig {
  const config = currentConfig();
  if (config === undefined) {
    throw new WeftError(
      "NO_CONTEXT",
      storage
        ? "getConfig() was called outside a running node (or in a node of a graph compiled with implicitConfig: false). Call it inside a node, or use the `config` argument the node receives."
        : "getConfig() needs AsyncLocalStorage, which this runtime lacks. Use the `config` argument the node receives.",
    );
  }
  return config;
}

/** The `custom`-mode writer of the running node. Same as `config.writer`. */
export function getWriter(): Writer {
  return getConfig().writer;
}
