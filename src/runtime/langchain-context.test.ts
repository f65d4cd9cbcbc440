import assert from "node:assert/strict";
import { AsyncLocalStorage } from "node:async_hooks";
import { afterEach, describe, it } from "node:test";
import type { NodeConfig } from "./config.js";
import { activeConfigScopes, currentConfig, runWithConfig } from "./context.js";
import { withLangChainConfig } from "./langchain-context.js";

const STORAGE_KEY = Symbol.for("ls:tracing_async_local_storage");
const CHILD_CONFIG_KEY = Symbol.for("lc:child_config");
const CONTEXT_VARIABLES_KEY = Symbol.for("lc:context_variables");
const global = globalThis as Record<PropertyKey, unknown>;
type Storage = AsyncLocalStorage<any>;

function fakeConfig(name: string): NodeConfig {
  return { tags: [name], metadata: { langgraph_node: name }, configurable: {}, signal: new AbortController().signal, writer: () => {}, callbacks: [] };
}

/** The config LangChain's AsyncLocalStorageProviderSingleton.getRunnableConfig() reads now. */
function langChainConfig(): unknown {
  return (global[STORAGE_KEY] as Storage | undefined)?.getStore()?.extra?.[CHILD_CONFIG_KEY];
}

/** Stands for @langchain/core's messages module having set its global registry (it is loaded). */
const FAKE_REGISTRY = new Map();
function pretendLangChainLoaded(): void {
  global.lc_block_translators_registry ??= FAKE_REGISTRY;
}

/** Resolves after Weft's storage went off (the macrotask after the last scope) */
const idle = () => new Promise((resolve) => setImmediate(resolve));

/** Counts `disable()` calls on the storage in LangChain's slot. */
function countDisables(): { count: number } {
  const storage = global[STORAGE_KEY] as Storage;
  const counter = { count: 0 };
  const disable = storage.disable.bind(storage);
  storage.disable = () => {
    counter.count++;
    disable();
  };
  return counter;
}

afterEach(() => {
  delete global[STORAGE_KEY];
  if (global.lc_block_translators_registry === FAKE_REGISTRY) delete global.lc_block_translators_registry;
});

describe("LangChain code in a node finds the node's config (LangChain's AsyncLocalStorage)", () => {
  it("without @langchain/core loaded: the callback itself, and no storage created", () => {
    assert.equal(global.lc_block_translators_registry, undefined, "precondition: no @langchain/core module loaded yet");
    const callback = () => 1;
    assert.equal(withLangChainConfig(fakeConfig("a"), callback, currentConfig), callback);
    assert.equal(global[STORAGE_KEY], undefined);
  });

  describe("@langchain/core loaded, its storage not created: Weft's goes in the slot", () => {
    it("reads the running node's config from Weft's storage, entering no second storage", async () => {
      pretendLangChainLoaded();
      const callback = () => 1;
      assert.equal(withLangChainConfig(fakeConfig("a"), callback, currentConfig), callback);
      const storage = global[STORAGE_KEY];
      assert.ok(typeof (storage as Storage | undefined)?.run === "function", "created, as @langchain/core/context would");
      const first = fakeConfig("first");
      const second = fakeConfig("second");
      const seen = await Promise.all([
        runWithConfig(first, async () => {
          await idle();
          return langChainConfig();
        }),
        runWithConfig(second, async () => langChainConfig()),
      ]);
      assert.deepEqual(seen, [first, second]);
      assert.equal(global[STORAGE_KEY], storage);
      assert.equal(langChainConfig(), undefined, "outside a node there is no LangChain config");
    });

    it("what LangChain enters wins inside: a run tree, and no store at all around its callbacks", async () => {
      pretendLangChainLoaded();
      const config = fakeConfig("write");
      await runWithConfig(config, async () => {
        const storage = global[STORAGE_KEY] as Storage;
        const chainConfig = { tags: ["chain"] };
        assert.equal(await storage.run({ extra: { [CHILD_CONFIG_KEY]: chainConfig } }, async () => langChainConfig()), chainConfig);
        assert.equal(await storage.run(undefined, async () => storage.getStore()), undefined);
        assert.equal(langChainConfig(), config);
      });
    });

    it("goes off with Weft's storage when no node runs, unless other LangChain code entered it with a store", async () => {
      pretendLangChainLoaded();
      await runWithConfig(fakeConfig("a"), async () => {
        // LangChain's callback plumbing: no store.
        await (global[STORAGE_KEY] as Storage).run(undefined, async () => undefined);
      });
      const disables = countDisables();
      await runWithConfig(fakeConfig("b"), async () => undefined);
      await idle();
      assert.deepEqual([activeConfigScopes(), disables.count], [0, 1]);
      // A chain (or LangGraph.js loaded later) enters it with its own store: from then on it stays on.
      (global[STORAGE_KEY] as Storage).run({ extra: {} }, () => undefined);
      await runWithConfig(fakeConfig("c"), async () => undefined);
      await idle();
      assert.equal(disables.count, 1);
    });
  });

  describe("a storage LangChain or LangGraph.js created: the node runs inside it, as in LangGraph.js", () => {
    it("with the node's config, concurrent nodes apart, LangChain's context variables carried", async () => {
      const storage = new AsyncLocalStorage<Record<PropertyKey, unknown>>();
      global[STORAGE_KEY] = storage;
      const first = fakeConfig("first");
      const second = fakeConfig("second");
      const variables = { user: "ada" };
      const [a, b] = await storage.run({ [CONTEXT_VARIABLES_KEY]: variables }, () =>
        Promise.all([
          runWithConfig(first, async () => {
            await idle();
            return [langChainConfig(), storage.getStore()?.[CONTEXT_VARIABLES_KEY]];
          }),
          runWithConfig(second, async () => [langChainConfig(), storage.getStore()?.[CONTEXT_VARIABLES_KEY]]),
        ]),
      );
      assert.deepEqual(a, [first, variables]);
      assert.deepEqual(b, [second, variables]);
      const disables = countDisables();
      await idle();
      assert.equal(disables.count, 0, "Weft never switches off a storage it did not create");
    });
  });

  it("@langchain/core's own ensureConfig() finds the node's config, also after setContextVariable()", async () => {
    const { ensureConfig } = await import("@langchain/core/runnables");
    pretendLangChainLoaded();
    const config = fakeConfig("write");
    const found = await runWithConfig(config, async () => {
      // Imported inside the node: @langchain/core/context keeps the storage already in the slot.
      const { getContextVariable, setContextVariable } = await import("@langchain/core/context");
      setContextVariable("user", "ada");
      await Promise.resolve();
      return { config: ensureConfig(), user: getContextVariable("user") };
    });
    assert.deepEqual([found.config.tags, found.config.metadata, found.config.signal, found.config.callbacks, found.user], [config.tags, config.metadata, config.signal, config.callbacks, "ada"]);
  });
});
