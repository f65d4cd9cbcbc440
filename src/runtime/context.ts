// Implicit config propagation: on Node, AsyncLocalStorage lets `model.invoke(messages)` and
// `getWriter()` find the running node's config without it being passed. Where there is no
// AsyncLocalStorage (browsers, some edge runtimes) passing `config` explicitly always works.
import { WeftError } from "../errors.js";
import type { NodeConfig, Writer } from "./config.js";

interface Storage {
  run<Result>(store: NodeConfig, callback: () => Result): Result;
  getStore(): NodeConfig | undefined;
  disable(): void;
}

function createStorage(): Storage | undefined {
  const process = (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } }).process;
  const hooks = process?.getBuiltinModule?.("node:async_hooks") as
    | { AsyncLocalStorage: new () => Storage }
    | undefined;
  return hooks ? new hooks.AsyncLocalStorage() : undefined;
}

const storage = createStorage();

// On Node 20, an enabled AsyncLocalStorage turns on promise hooks for the whole process: every
// promise (each streamed token makes several) pays for them, measured at ~45% of a streamed token's
// cost in bench case b. The storage is enabled only while some node or router runs inside it, and
// disabled when the last one settles, so a consumer draining buffered chunks, and code between runs,
// pay nothing. Continuations of a finished node see no config, which is right: that node is done.
//
// It is also disabled while every running scope is inside a model call that was given its config
// (suspendConfigScope): such a call streams without needing the storage, and its scope's other code
// is waiting for it. Where AsyncLocalStorage has no promise hooks (Node 24's AsyncContextFrame),
// nothing is suspended.

/** The running scopes, by config, with how many runWithConfig callbacks each has open. */
const active = new Map<NodeConfig, number>();
/** The scopes with a model call streaming on its given config, with how many such calls each has. */
const suspended = new Map<NodeConfig, number>();
let activeCallbacks = 0;
/** True when entering the storage puts hooks on every promise (the async_hooks implementation). */
const hooked = storage !== undefined && "kResourceStore" in storage;

function countIn(counts: Map<NodeConfig, number>, config: NodeConfig, delta: number): void {
  const count = (counts.get(config) ?? 0) + delta;
  if (count === 0) counts.delete(config);
  else counts.set(config, count);
}

/** True when no running scope needs the storage now: none is open, or each waits on a suspended model call. */
function idle(): boolean {
  if (activeCallbacks === 0) return true;
  if (suspended.size === 0) return false;
  for (const config of active.keys()) if (!suspended.has(config)) return false;
  return true;
}

function release(config: NodeConfig): void {
  activeCallbacks--;
  countIn(active, config, -1);
  // Switched off at the next macrotask, not now: the next node of a run usually enters a few
  // microtasks later, and switching the hooks off and on around every step cost more than keeping
  // them on between steps (bench case e, forced GC: ~12.5 -> ~10.5 µs per step).
  if (idle() && !disableScheduled) {
    disableScheduled = true;
    later(disableIfIdle);
  }
}

let disableScheduled = false;
const later: (callback: () => void) => void = typeof setImmediate === "function" ? setImmediate : (callback) => setTimeout(callback, 0);

function disableIfIdle(): void {
  disableScheduled = false;
  if (idle()) storage!.disable();
}

/** Run `callback` with `config` as the current node config (until the promise it returns settles). */
export function runWithConfig<Result>(config: NodeConfig, callback: () => Result): Result {
  if (storage === undefined) return callback();
  activeCallbacks++;
  countIn(active, config, 1);
  let result: Result;
  try {
    result = storage.run(config, callback);
  } catch (error) {
    release(config);
    throw error;
  }
  if (isThenable(result)) result.then(() => release(config), () => release(config));
  else release(config);
  return result;
}

/**
 * Called by a model call that was given its node's config, once its caller awaits it: the call needs no
 * AsyncLocalStorage while it streams, so when every running scope is in such a call the storage (and
 * its promise hooks) is switched off. Returns the function that ends the suspension (call it before
 * the call's promise settles), or undefined when nothing was suspended.
 */
export function suspendConfigScope(): (() => void) | undefined {
  if (!hooked || activeCallbacks === 0) return undefined;
  const config = storage!.getStore();
  if (config === undefined || !active.has(config)) return undefined;
  countIn(suspended, config, 1);
  if (idle()) storage!.disable();
  return () => {
    countIn(suspended, config, -1);
    // Enabling again: run() enables the storage and restores the current resource's store on return.
    if (!idle()) storage!.run(config, noop);
  };
}

function noop(): void {}

/** True where model calls given their config switch the storage off while they stream (see suspendConfigScope). */
export function suspendsConfigScopes(): boolean {
  return hooked;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null && typeof (value as PromiseLike<unknown>).then === "function";
}

/** How many runWithConfig callbacks are running now (0 means the storage, and its hooks, are off). */
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
