// Implicit config propagation: on Node, AsyncLocalStorage lets `model.invoke(messages)` and
// `getWriter()` find the running node's config without it being passed. Where there is no
// AsyncLocalStorage (browsers, some edge runtimes) passing `config` explicitly always works.
import { WeftError } from "../errors.js";
import type { NodeConfig, Writer } from "./config.js";

interface Storage {
  run<Result>(store: NodeConfig, callback: () => Result): Result;
  getStore(): NodeConfig | undefined;
}

function createStorage(): Storage | undefined {
  const process = (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } }).process;
  const hooks = process?.getBuiltinModule?.("node:async_hooks") as
    | { AsyncLocalStorage: new () => Storage }
    | undefined;
  return hooks ? new hooks.AsyncLocalStorage() : undefined;
}

const storage = createStorage();

/** Run `callback` with `config` as the current node config. */
export function runWithConfig<Result>(config: NodeConfig, callback: () => Result): Result {
  return storage ? storage.run(config, callback) : callback();
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
        ? "getConfig() was called outside a running node. Call it inside a node, or use the `config` argument the node receives."
        : "getConfig() needs AsyncLocalStorage, which this runtime lacks. Use the `config` argument the node receives.",
    );
  }
  return config;
}

/** The `custom`-mode writer of the running node. Same as `config.writer`. */
export function getWriter(): Writer {
  return getConfig().writer;
}
