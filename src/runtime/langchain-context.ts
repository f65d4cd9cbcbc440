// LangChain.js finds the running node's config the way LangGraph.js hands it over: in @langchain/core's
// process-wide AsyncLocalStorage (the instance under Symbol.for("ls:tracing_async_local_storage")), as
// the `lc:child_config` of the current store. So inside a node `await model.invoke(messages)` without a
// config gets the node's tags, metadata, signal and Weft's streaming callbacks, as in a LangGraph.js
// node. Duck-typed: @langchain/core stays an optional peer that nothing here imports.
import { newAsyncLocalStorage } from "./async-local-storage.js";

/** LangChain's global storage, shared by every copy of @langchain/core, @langchain/langgraph and langsmith. */
const STORAGE_KEY = Symbol.for("ls:tracing_async_local_storage");
/** Where LangChain's `AsyncLocalStorageProviderSingleton.getRunnableConfig()` reads the config: `store.extra[key]`. */
const CHILD_CONFIG_KEY = Symbol.for("lc:child_config");
/** LangChain's context variables (`setContextVariable`), carried from the enclosing store as its `runWithConfig` does. */
const CONTEXT_VARIABLES_KEY = Symbol.for("lc:context_variables");
/** Set on globalThis by @langchain/core's messages module, which every LangChain chat model loads. */
const CORE_LOADED_KEY = "lc_block_translators_registry";

type Store = Record<PropertyKey, unknown>;

interface LangChainStorage {
  run<Result>(store: unknown, callback: (...args: any[]) => Result, ...args: any[]): Result;
  getStore(): Store | undefined;
  enterWith(store: unknown): void;
  disable(): void;
}

/** The storage Weft put in LangChain's empty slot; `shared` once code other than LangChain's callback plumbing entered it. */
let created: { storage: LangChainStorage; shared: boolean } | undefined;

/**
 * `callback`, set up so that LangChain code it runs finds `config` as its current config, when
 * @langchain/core is loaded in this process. Usually that is `callback` itself: LangChain's slot held
 * nothing, so Weft's storage went in it, and it reads the config straight from Weft's own (no second
 * storage to enter, no second set of promise hooks). When LangChain or LangGraph.js created the storage,
 * `callback` runs inside it with the node's config, as LangGraph.js runs a node. Without @langchain/core:
 * `callback` itself, after two property reads.
 */
export function withLangChainConfig<Result>(config: object, callback: () => Result, currentConfig: () => object | undefined): () => Result {
  const storage = langChainStorage(currentConfig);
  if (storage === undefined || storage === created?.storage) return callback;
  return () => {
    const store: Store = { extra: { [CHILD_CONFIG_KEY]: config } };
    const variables = storage.getStore()?.[CONTEXT_VARIABLES_KEY];
    if (variables !== undefined) store[CONTEXT_VARIABLES_KEY] = variables;
    return storage.run(store, callback);
  };
}

/**
 * Called when no node runs any more (Weft's own storage goes off then). On Node 20 and 22 an entered
 * AsyncLocalStorage keeps promise hooks on for the whole process, a cost on every promise; LangChain's
 * callback plumbing enters it around each callback. The storage Weft created goes off too, unless other
 * LangChain code (a chain, LangGraph.js loaded later, `setContextVariable`) entered it with a store,
 * which it may still read. A storage LangChain or LangGraph.js created stays as they left it.
 */
export function releaseLangChainStorage(): void {
  if (created === undefined || created.shared) return;
  if ((globalThis as Store)[STORAGE_KEY] === created.storage) created.storage.disable();
}

/**
 * LangChain's storage, if @langchain/core is loaded. Importing a chat model (`@langchain/anthropic`)
 * does not create it (@langchain/core/context and @langchain/langgraph do, on Node): then Weft puts its
 * own in the slot, only if no one did. Read from the slot every time: whatever it holds is what LangChain reads.
 */
function langChainStorage(currentConfig: () => object | undefined): LangChainStorage | undefined {
  const global = globalThis as Store;
  const existing = global[STORAGE_KEY] as LangChainStorage | undefined;
  if (existing !== undefined || global[CORE_LOADED_KEY] === undefined) return existing;
  const inner = newAsyncLocalStorage<LangChainStorage>();
  if (inner === undefined) return undefined;
  const state = { storage: undefined as unknown as LangChainStorage, shared: false };
  state.storage = new WeftLangChainStorage(inner, currentConfig, state);
  created = state;
  return (global[STORAGE_KEY] = state.storage);
}

/** Stands for "no store": LangChain runs its callbacks with an undefined store, which must not fall back to the node's config. */
const NO_STORE: Store = Object.freeze({});

/**
 * LangChain's storage as Weft creates it: an AsyncLocalStorage whose store, where LangChain set none,
 * is the running Weft node's config (read from Weft's storage). What LangChain enters in it (a chain's
 * run tree, context variables) wins inside. It wraps the AsyncLocalStorage rather than extending it:
 * on Node 24, AsyncLocalStorage.run calls the instance's own getStore and enterWith.
 */
class WeftLangChainStorage implements LangChainStorage {
  constructor(
    private readonly storage: LangChainStorage,
    private readonly currentConfig: () => object | undefined,
    private readonly state: { shared: boolean },
  ) {}

  getStore(): Store | undefined {
    const own = this.storage.getStore();
    if (own !== undefined) return own === NO_STORE ? undefined : own;
    const config = this.currentConfig();
    return config === undefined ? undefined : { extra: { [CHILD_CONFIG_KEY]: config } };
  }

  run<Result>(store: unknown, callback: (...args: any[]) => Result, ...args: any[]): Result {
    if (store !== undefined) this.state.shared = true;
    return this.storage.run(store ?? NO_STORE, callback, ...args);
  }

  exit<Result>(callback: (...args: any[]) => Result, ...args: any[]): Result {
    return this.run(undefined, callback, ...args);
  }

  enterWith(store: unknown): void {
    this.state.shared = true;
    // setContextVariable() enters a copy of the current store without its `extra` (a plain object,
    // not a run tree): keep the node's config in it, as LangChain's run tree copy keeps it.
    if (typeof store === "object" && store !== null && !("extra" in store) && this.storage.getStore() === undefined) {
      const config = this.currentConfig();
      if (config !== undefined) (store as Store).extra = { [CHILD_CONFIG_KEY]: config };
    }
    this.storage.enterWith(store);
  }

  disable(): void {
    this.storage.disable();
  }
}
