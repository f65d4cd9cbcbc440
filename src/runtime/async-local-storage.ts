// Node's AsyncLocalStorage where the runtime has one (Node, Deno, Bun, some edge runtimes), found
// without a static import of node:async_hooks so the core stays importable in a browser.

/**
 * A new AsyncLocalStorage typed as `Storage` (the part of its API the caller uses), or undefined
 * where the runtime has none.
 */
export function newAsyncLocalStorage<Storage>(): Storage | undefined {
  const process = (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } }).process;
  const hooks = process?.getBuiltinModule?.("node:async_hooks") as { AsyncLocalStorage: new () => Storage } | undefined;
  return hooks ? new hooks.AsyncLocalStorage() : undefined;
}
