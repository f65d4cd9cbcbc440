import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { START, StateGraph, getConfig } from "../index.js";
import { FakeChatModel } from "../testing/fake-chat-model.js";
import { TASK_CONTEXT, type NodeConfig } from "./config.js";
import { activeConfigScopes, currentConfig, runWithConfig } from "./context.js";
import { BaseChatModel, type ChatModelRequest, type ChatStreamPart } from "../models/chat-model.js";

function fakeConfig(name: string): NodeConfig {
  return { tags: [name], metadata: {}, configurable: {}, signal: new AbortController().signal, writer: () => {}, callbacks: [] };
}

describe("runWithConfig", () => {
  it("keeps the config across awaits inside the callback, and drops it once the callback settles", async () => {
    const config = fakeConfig("a");
    const seen: Array<NodeConfig | undefined> = [];
    await runWithConfig(config, async () => {
      seen.push(currentConfig());
      await Promise.resolve();
      await new Promise((resolve) => setImmediate(resolve));
      seen.push(currentConfig());
    });
    assert.deepEqual(seen, [config, config]);
    assert.equal(currentConfig(), undefined);
    assert.equal(activeConfigScopes(), 0, "the storage (and its promise hooks) is off between runs");
  });

  it("keeps concurrent callbacks apart and counts them until the last one settles", async () => {
    const first = fakeConfig("first");
    const second = fakeConfig("second");
    let releaseFirst!: () => void;
    const firstGate = new Promise<void>((resolve) => (releaseFirst = resolve));
    const firstDone = runWithConfig(first, async () => {
      await firstGate;
      return currentConfig();
    });
    const secondDone = runWithConfig(second, async () => {
      await Promise.resolve();
      return currentConfig();
    });
    assert.equal(activeConfigScopes(), 2);
    assert.equal(await secondDone, second);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(activeConfigScopes(), 1, "the first callback is still running, so the storage stays on");
    releaseFirst();
    assert.equal(await firstDone, first);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(activeConfigScopes(), 0);
  });

  it("releases on a rejected promise and on a synchronous throw, without an unhandled rejection", async () => {
    const config = fakeConfig("failing");
    await assert.rejects(
      runWithConfig(config, async () => {
        await Promise.resolve();
        throw new Error("async failure");
      }),
      /async failure/,
    );
    assert.throws(
      () =>
        runWithConfig(config, () => {
          throw new Error("sync failure");
        }),
      /sync failure/,
    );
    assert.equal(runWithConfig(config, () => currentConfig()), config);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(activeConfigScopes(), 0);
  });

  it("finds the config again when a later run re-enables the storage", async () => {
    for (const name of ["one", "two"]) {
      const config = fakeConfig(name);
      const found = await runWithConfig(config, async () => {
        await new Promise((resolve) => setImmediate(resolve));
        return currentConfig();
      });
      assert.equal(found, config);
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(activeConfigScopes(), 0);
    }
  });
});

describe("implicit config in graphs", () => {
  it("streams a model called without config after an await, in parallel nodes, run after run", async () => {
    const graph = new StateGraph<{ a?: string; b?: string }>()
      .addNode("left", async () => {
        await new Promise((resolve) => setImmediate(resolve));
        const model = new FakeChatModel({ responses: [["l1 ", "l2"]], tags: ["left"] });
        return { a: (await model.invoke("hi")).content };
      })
      .addNode("right", async () => {
        await Promise.resolve();
        const model = new FakeChatModel({ responses: [["r1 ", "r2"]], tags: ["right"] });
        const first = await model.invoke("hi");
        return { b: first.content + String(getConfig().metadata.langgraph_node) };
      })
      .addEdge(START, "left")
      .addEdge(START, "right")
      .compile();
    for (let run = 0; run < 2; run++) {
      const seen: string[] = [];
      for await (const [chunk, metadata] of graph.stream({}, { streamMode: "messages" })) {
        seen.push(`${metadata.langgraph_node}:${metadata.tags.join(",")}:${chunk.content}`);
        assert.equal((metadata as Record<string, unknown>)[TASK_CONTEXT as never], undefined);
      }
      assert.deepEqual(seen.sort(), ["left:left:l1 ", "left:left:l2", "right:right:r1 ", "right:right:r2"]);
      assert.equal(activeConfigScopes(), 0);
    }
    assert.deepEqual(await graph.invoke({}), { a: "l1 l2", b: "r1 r2right" });
  });
});

/** Streams `parts`, waiting a macrotask before each, and records the config AsyncLocalStorage shows at each part. */
class ProbeModel extends BaseChatModel {
  readonly provider = "probe";
  readonly modelName = "probe-model";
  readonly seen: Array<NodeConfig | undefined> = [];
  constructor(private readonly parts: string[]) {
    super();
  }
  protected async *streamParts(_request: ChatModelRequest): AsyncIterable<ChatStreamPart> {
    for (const part of this.parts) {
      await new Promise((resolve) => setImmediate(resolve));
      this.seen.push(currentConfig());
      yield part;
    }
  }
}

describe("a model call given its config", () => {
  it("streams, and its node finds its config again after it, run after run", async () => {
    const given = new ProbeModel(["a", "b", "c", "d"]);
    const implicit = new ProbeModel(["x", "y"]);
    const graph = new StateGraph<{ text?: string }>()
      .addNode("writer", async (_state, config) => {
        const answer = await given.invoke("hi", config);
        const node = String(getConfig().metadata.langgraph_node);
        const more = await implicit.invoke("again");
        return { text: `${answer.content}:${node}:${more.content}` };
      })
      .addEdge(START, "writer")
      .compile();
    for (let run = 0; run < 2; run++) {
      given.seen.length = 0;
      implicit.seen.length = 0;
      const seen: string[] = [];
      let final: unknown;
      for await (const [mode, chunk] of graph.stream({}, { streamMode: ["messages", "values"] })) {
        if (mode === "values") final = chunk;
        else {
          const [message, metadata] = chunk as [{ content: string }, { langgraph_node: string; ls_provider: string }];
          seen.push(`${metadata.langgraph_node}:${metadata.ls_provider}:${message.content}`);
        }
      }
      assert.deepEqual(seen, ["writer:probe:a", "writer:probe:b", "writer:probe:c", "writer:probe:d", "writer:probe:x", "writer:probe:y"]);
      assert.deepEqual(final, { text: "abcd:writer:xy" });
      assert.deepEqual(implicit.seen.map((config) => config?.metadata.langgraph_node), ["writer", "writer"], "a config-less call finds its node");
      assert.equal(activeConfigScopes(), 0);
    }
  });

  it("code running beside it in the same node still finds the node's config, as in LangGraph.js", async () => {
    const given = new ProbeModel(["a", "b", "c", "d"]);
    const beside = new ProbeModel(["x", "y"]);
    const graph = new StateGraph<{ text?: string }>()
      .addNode("writer", async (_state, config) => {
        const [answer, other] = await Promise.all([
          given.invoke("hi", config),
          (async () => {
            // Starts while the first call streams: a branch that passes no config.
            await new Promise((resolve) => setImmediate(resolve));
            const node = String(getConfig().metadata.langgraph_node);
            return `${node}:${(await beside.invoke("again")).content}`;
          })(),
        ]);
        return { text: `${answer.content}|${other}` };
      })
      .addEdge(START, "writer")
      .compile();
    const tokens: string[] = [];
    let final: unknown;
    for await (const [mode, chunk] of graph.stream({}, { streamMode: ["messages", "values"] })) {
      if (mode === "values") final = chunk;
      else tokens.push(`${(chunk as [unknown, { langgraph_node: string }])[1].langgraph_node}:${(chunk as [{ content: string }, unknown])[0].content}`);
    }
    assert.deepEqual([...tokens].sort(), ["writer:a", "writer:b", "writer:c", "writer:d", "writer:x", "writer:y"], "every token of both calls, under the node");
    assert.deepEqual(final, { text: "abcd|writer:xy" });
    assert.equal(activeConfigScopes(), 0);
  });

  it("gives the node its config back when the call fails mid-stream", async () => {
    class FailingModel extends ProbeModel {
      protected override async *streamParts(request: ChatModelRequest): AsyncIterable<ChatStreamPart> {
        yield* super.streamParts(request);
        throw new Error("connection reset");
      }
    }
    const failing = new FailingModel(["a", "b"]);
    const graph = new StateGraph<{ text?: string }>()
      .addNode("caller", async (_state, config) => {
        try {
          await failing.invoke("hi", config);
          return { text: "no error" };
        } catch (error) {
          await Promise.resolve();
          return { text: `${(error as { details?: { partialText?: string } }).details?.partialText}:${String(getConfig().metadata.langgraph_node)}` };
        }
      })
      .addEdge(START, "caller")
      .compile();
    assert.deepEqual(await graph.invoke({}), { text: "ab:caller" });
    assert.equal(activeConfigScopes(), 0);
  });

  it("leaves the storage on while a parallel node still needs it", async () => {
    const given = new ProbeModel(["a", "b", "c", "d"]);
    const found: string[] = [];
    const graph = new StateGraph<{ text?: string; node?: string }>()
      .addNode("streamer", async (_state, config) => ({ text: (await given.invoke("hi", config)).content }))
      .addNode("reader", async () => {
        // Twice as many turns as the streamer's parts: it runs for all of them.
        for (let index = 0; index < 8; index++) {
          await new Promise((resolve) => setImmediate(resolve));
          found.push(String(getConfig().metadata.langgraph_node));
        }
        return { node: "reader" };
      })
      .addEdge(START, "streamer")
      .addEdge(START, "reader")
      .compile();
    const tokens: string[] = [];
    for await (const [chunk] of graph.stream({}, { streamMode: "messages" })) tokens.push((chunk as { content: string }).content);
    assert.deepEqual(tokens, ["a", "b", "c", "d"]);
    assert.deepEqual(found, Array(8).fill("reader"));
    assert.deepEqual(given.seen.map((config) => config?.metadata.langgraph_node), ["streamer", "streamer", "streamer", "streamer"], "the storage stayed on");
    assert.equal(activeConfigScopes(), 0);
  });
});

describe("compile({ implicitConfig: false })", () => {
  it("runs nodes that pass config outside AsyncLocalStorage, streaming every token with its metadata in order", async () => {
    const scopes: number[] = [];
    const graph = new StateGraph<{ text?: string }>()
      .addNode("writer", async (_state, config) => {
        await Promise.resolve();
        scopes.push(activeConfigScopes());
        const model = new FakeChatModel({ responses: [["a", "b", "c"]], tags: ["poem"] });
        const answer = await model.invoke("hi", config);
        config.writer("done");
        return { text: answer.content };
      })
      .addEdge(START, "writer")
      .compile({ implicitConfig: false });
    const seen: unknown[] = [];
    for await (const [mode, chunk] of graph.stream({}, { streamMode: ["messages", "custom"] })) {
      if (mode === "messages") {
        const [message, metadata] = chunk as [{ content: string }, { langgraph_node: string; tags: string[] }];
        seen.push(`${metadata.langgraph_node}:${metadata.tags.join(",")}:${message.content}`);
      } else seen.push(chunk);
    }
    assert.deepEqual(seen, ["writer:poem:a", "writer:poem:b", "writer:poem:c", "done"]);
    assert.deepEqual(scopes, [0], "no AsyncLocalStorage scope was open while the node ran");
  });

  it("getConfig() in such a node throws NO_CONTEXT naming the option", async () => {
    const graph = new StateGraph<{ text?: string }>()
      .addNode("lookup", async () => ({ text: String(getConfig().metadata.langgraph_node) }))
      .addEdge(START, "lookup")
      .compile({ implicitConfig: false });
    await assert.rejects(graph.invoke({}), (error: unknown) => {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause ?? (error as { code?: string; message?: string });
      return cause.code === "NO_CONTEXT" && /implicitConfig: false/.test(cause.message ?? "");
    });
    assert.equal(activeConfigScopes(), 0);
  });

  it("inside another node's scope it still enters, so a config-less call finds its own node, not the outer one", async () => {
    const inner = new StateGraph<{ text?: string }>()
      .addNode("inner", async () => ({ text: String(getConfig().metadata.langgraph_node) }))
      .addEdge(START, "inner")
      .compile({ implicitConfig: false });
    const outer = new StateGraph<{ text?: string }>()
      .addNode("outer", async () => ({ text: (await inner.invoke({})).text }))
      .addEdge(START, "outer")
      .compile();
    assert.deepEqual(await outer.invoke({}), { text: "inner" });
  });

  it("refuses a value other than true or false", () => {
    const builder = new StateGraph<{ text?: string }>().addNode("a", () => ({})).addEdge(START, "a");
    assert.throws(() => builder.compile({ implicitConfig: "no" as never }), (error: unknown) => (error as { code?: string }).code === "INVALID_GRAPH");
  });
});
