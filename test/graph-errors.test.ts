// Failure paths: node errors after partial tokens, aborts, bad graphs, bad updates, recursion limit.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { END, START, Send, StateGraph, WeftError, lastValue, reducer } from "weft";
import { FakeChatModel } from "weft/testing";
import { collectGarbage } from "./support/collect-garbage.js";
import { withTimeout } from "./reliability/support.js";

function isWeftError(code: string, pattern?: RegExp) {
  return (error: unknown) => {
    assert.ok(WeftError.isInstance(error), `expected a WeftError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (pattern) assert.match(error.message, pattern);
    return true;
  };
}

describe("node errors", () => {
  it("delivers every token produced before the error, then throws an error naming the node", async () => {
    const model = new FakeChatModel({ responses: [["one ", "two ", "three"]] });
    const graph = new StateGraph<{ out: string }>()
      .addNode("talker", async (_state, config) => {
        await model.invoke("go", config);
        throw new Error("disk full");
      })
      .addEdge(START, "talker")
      .compile();
    const received: string[] = [];
    await assert.rejects(async () => {
      for await (const [chunk] of graph.stream({}, { streamMode: "messages" })) received.push(chunk.text);
    }, isWeftError("NODE_FAILED", /Node "talker" failed: disk full/));
    assert.deepEqual(received, ["one ", "two ", "three"]);
    await assert.rejects(graph.invoke({}), (error: unknown) => WeftError.isInstance(error) && error.node === "talker" && (error.cause as Error).message === "disk full");
  });

  it("a model failing mid-stream: tokens before it arrive, the error is MODEL_CALL with the partial text", async () => {
    class BrokenModel extends FakeChatModel {
      protected override async *streamParts() {
        yield "partial ";
        yield "text";
        throw new Error("connection reset");
      }
    }
    const model = new BrokenModel({ responses: ["unused"] });
    const graph = new StateGraph<{ out: string }>()
      .addNode("caller", async (_state, config) => ({ out: (await model.invoke("go", config)).content }))
      .addEdge(START, "caller")
      .compile();
    const received: string[] = [];
    let failure: WeftError | undefined;
    try {
      for await (const [chunk] of graph.stream({}, { streamMode: "messages" })) received.push(chunk.text);
    } catch (error) {
      failure = error as WeftError;
    }
    assert.deepEqual(received, ["partial ", "text"]);
    assert.equal(failure?.code, "MODEL_CALL");
    assert.equal(failure?.node, "caller");
    assert.equal(failure?.details.partialText, "partial text");
    assert.match(failure!.message, /Node "caller".*fake model "fake-chat-model".*connection reset/);
  });

  it("one failing parallel node cancels its siblings and fails the run", async () => {
    let siblingAborted = false;
    const slow = new FakeChatModel({ responses: [Array.from({ length: 1000 }, (_, index) => `t${index} `)], delayMs: 1 });
    const graph = new StateGraph<{ a?: string; b?: string }>()
      .addNode("fails", async () => {
        throw new TypeError("bad");
      })
      .addNode("slow", async (_state, config) => {
        try {
          return { b: (await slow.invoke("go", config)).content };
        } finally {
          siblingAborted = config.signal.aborted;
        }
      })
      .addEdge(START, "fails")
      .addEdge(START, "slow")
      .compile();
    await assert.rejects(graph.invoke({}), isWeftError("NODE_FAILED", /"fails"/));
    assert.equal(siblingAborted, true);
  });

  it("a bad return value names the node", async () => {
    const graph = new StateGraph<{ out: number }>().addNode("answer", () => 42 as never).addEdge(START, "answer").compile();
    await assert.rejects(
      graph.invoke({}),
      isWeftError("INVALID_NODE_RETURN", /Node "answer" returned 42; a node must return an object of state updates \(or undefined\)/),
    );
  });

  it("an unknown state key names the node and the key", async () => {
    const graph = new StateGraph({ topic: lastValue<string>() })
      .addNode("writer", () => ({ topc: "typo" }) as never)
      .addEdge(START, "writer")
      .compile();
    await assert.rejects(graph.invoke({ topic: "x" }), isWeftError("INVALID_UPDATE", /Node "writer" wrote unknown state key "topc"; the state has "topic"/));
    await assert.rejects(graph.invoke({ nope: 1 } as never), isWeftError("INVALID_UPDATE", /run input wrote unknown state key "nope"/));
  });

  it("two parallel writes to a last-value key are refused, with the fix in the message", async () => {
    const graph = new StateGraph<{ out: string }>()
      .addNode("a", () => ({ out: "a" }))
      .addNode("b", () => ({ out: "b" }))
      .addEdge(START, "a")
      .addEdge(START, "b")
      .compile();
    await assert.rejects(graph.invoke({}), isWeftError("INVALID_UPDATE", /"out" received 2 values in one step.*reducer.*\(written by "a", "b"\)/));
  });

  it("a reducer that throws names the key and the node whose write it was combining", async () => {
    const graph = new StateGraph({ total: reducer((sum: number, add: number) => (add < 0 ? Number.NaN.toFixed(-1) as never : sum + add), 0) })
      .addNode("good", () => ({ total: 1 }))
      .addNode("bad", () => ({ total: -1 }))
      .addEdge(START, "good")
      .addEdge(START, "bad")
      .compile();
    await assert.rejects(graph.invoke({}), (error: unknown) => {
      assert.ok(WeftError.isInstance(error));
      assert.equal(error.code, "INVALID_UPDATE");
      // Writes combine in LangGraph's order: edge-triggered tasks by node name.
      assert.match(error.message, /reducer of state key "total" threw.*\(written by "bad", "good"\)/);
      assert.deepEqual(error.details.nodes, ["bad", "good"]);
      return true;
    });
  });

  it("rejects inputs that are not state objects", async () => {
    const graph = new StateGraph<{ out: string }>().addNode("a", () => ({ out: "a" })).addEdge(START, "a").compile();
    await assert.rejects(graph.invoke("cats" as never), isWeftError("INVALID_INPUT", /input is "cats"/));
    await assert.rejects(graph.invoke([1] as never), isWeftError("INVALID_INPUT"));
  });

  it("rejects bad run options before running", async () => {
    const graph = new StateGraph<{ out: string }>().addNode("a", () => ({ out: "a" })).addEdge(START, "a").compile();
    assert.throws(() => graph.stream({}, { streamMode: "tokens" as never }), isWeftError("INVALID_OPTIONS", /Unknown streamMode "tokens"/));
    assert.throws(() => graph.stream({}, { streamMode: [] }), isWeftError("INVALID_OPTIONS"));
    await assert.rejects(graph.invoke({}, { recursionLimit: 0 }), isWeftError("INVALID_OPTIONS", /recursionLimit/));
    await assert.rejects(graph.invoke({}, { tags: "x" as never }), isWeftError("INVALID_OPTIONS", /tags/));
  });

  it("a router that sends to an unknown node fails clearly", async () => {
    const graph = new StateGraph<{ out: string }>()
      .addNode("a", () => ({ out: "a" }))
      .addEdge(START, "a")
      .addConditionalEdges("a", () => new Send("ghost", {}))
      .compile();
    await assert.rejects(graph.invoke({}), isWeftError("INVALID_GRAPH", /unknown node "ghost"/));
  });
});

describe("abort", () => {
  const tokens = Array.from({ length: 200 }, (_, index) => `t${index} `);
  const makeGraph = (onSignal: (signal: AbortSignal) => void) => {
    const model = new FakeChatModel({ responses: [tokens], delayMs: 1 });
    return new StateGraph<{ out: string }>()
      .addNode("talk", async (_state, config) => {
        onSignal(config.signal);
        return { out: (await model.invoke("go", config)).content };
      })
      .addEdge(START, "talk")
      .compile();
  };

  it("stream.abort() mid-stream ends the run: the node's signal aborts and iteration ends with ABORTED", async () => {
    let nodeSignal: AbortSignal | undefined;
    const stream = makeGraph((signal) => (nodeSignal = signal)).stream({}, { streamMode: "messages" });
    const received: string[] = [];
    await assert.rejects(async () => {
      for await (const [chunk] of stream) {
        received.push(chunk.text);
        if (received.length === 5) stream.abort();
      }
    }, isWeftError("ABORTED"));
    assert.equal(nodeSignal?.aborted, true);
    assert.ok(received.length >= 5 && received.length < 200, `received ${received.length}`);
    assert.deepEqual(received, tokens.slice(0, received.length));
  });

  it("leaving the for-await loop early cancels the run and the model call", async () => {
    let nodeSignal: AbortSignal | undefined;
    const graph = makeGraph((signal) => (nodeSignal = signal));
    let count = 0;
    for await (const _ of graph.stream({}, { streamMode: "messages" })) {
      if (++count === 3) break;
    }
    assert.equal(nodeSignal?.aborted, true);
  });

  it("the signal option aborts invoke() with ABORTED", async () => {
    const controller = new AbortController();
    const graph = makeGraph(() => {});
    const pending = graph.invoke({}, { signal: controller.signal });
    setImmediate(() => controller.abort());
    await assert.rejects(pending, isWeftError("ABORTED"));
  });

  it("a signal of AbortSignal.any() with a timeout aborts the run even after a garbage collection (Node 20 holds its sources weakly)", async () => {
    const graph = new StateGraph<{ out: string }>()
      .addNode("wait", async (_state, config) => {
        // Nothing but the run's signal refers to the timeout's once the run started; in a later task,
        // since V8 keeps the target of a new WeakRef until the current one ends.
        await new Promise((resolve) => setImmediate(resolve));
        collectGarbage();
        await new Promise((_resolve, reject) => config.signal.addEventListener("abort", () => reject(config.signal.reason), { once: true }));
        return { out: "never" };
      })
      .addEdge(START, "wait")
      .compile();
    const pending = graph.invoke({}, { signal: AbortSignal.any([new AbortController().signal, AbortSignal.timeout(100)]) });
    await assert.rejects(withTimeout(pending, 5_000, "the 100 ms timeout aborting the run"), isWeftError("ABORTED"));
  });

  it("an already-aborted signal runs nothing", async () => {
    let ran = false;
    const graph = makeGraph(() => (ran = true));
    await assert.rejects(graph.invoke({}, { signal: AbortSignal.abort() }), (error: unknown) => error !== undefined);
    assert.equal(ran, false);
  });
});

describe("a node that ignores the abort", () => {
  // A node awaiting something that never settles and never looks at config.signal.
  const forever = () => new Promise<never>(() => {});

  it("does not hold the run: invoke() rejects with ABORTED naming the node, as LangGraph.js stops waiting", async () => {
    const controller = new AbortController();
    let entered!: () => void;
    const started = new Promise<void>((resolve) => (entered = resolve));
    const graph = new StateGraph<{ out: string }>()
      .addNode("stuck", async () => {
        entered();
        return forever();
      })
      .addEdge(START, "stuck")
      .compile();
    const pending = graph.invoke({}, { signal: controller.signal });
    await started;
    controller.abort();
    await assert.rejects(pending, isWeftError("ABORTED", /Node "stuck" did not stop within 100 ms of the abort/));
  });

  it("in a parallel step names the nodes still running; the ones that stopped are not named", async () => {
    const controller = new AbortController();
    let entered = 0;
    let bothIn!: () => void;
    const started = new Promise<void>((resolve) => (bothIn = resolve));
    const enter = () => {
      if (++entered === 2) bothIn();
    };
    const graph = new StateGraph<{ out: string }>()
      .addNode("polite", async (_state, config) => {
        enter();
        await new Promise((_resolve, reject) => config.signal.addEventListener("abort", () => reject(config.signal.reason)));
        return {};
      })
      .addNode("stuck", async () => {
        enter();
        return forever();
      })
      .addEdge(START, "polite")
      .addEdge(START, "stuck")
      .compile();
    const stream = graph.stream({}, { signal: controller.signal, streamMode: "updates" });
    const done = (async () => {
      for await (const _ of stream);
    })();
    await started;
    controller.abort();
    await assert.rejects(done, (error: unknown) => {
      assert.ok(WeftError.isInstance(error));
      assert.equal(error.code, "ABORTED");
      assert.deepEqual(error.details.nodes, ["stuck"]);
      return true;
    });
  });
});

describe("a START router, which runs as LangGraph's __start__ task", () => {
  it("that throws fails the run with NODE_FAILED naming __start__, as a node's router does", async () => {
    const graph = new StateGraph<{ out: string }>()
      .addNode("a", () => ({ out: "a" }))
      .addConditionalEdges(START, () => {
        throw new Error("no route for this input");
      })
      .compile();
    await assert.rejects(graph.invoke({}), (error: unknown) => {
      isWeftError("NODE_FAILED", /Node "__start__" failed: no route for this input/)(error);
      assert.equal((error as WeftError).node, "__start__");
      return true;
    });
  });

  it("that ignores the abort does not hold the run: ABORTED naming __start__", async () => {
    const controller = new AbortController();
    let entered!: () => void;
    const started = new Promise<void>((resolve) => (entered = resolve));
    const graph = new StateGraph<{ out: string }>()
      .addNode("a", () => ({ out: "a" }))
      .addConditionalEdges(START, async () => {
        entered();
        return new Promise<never>(() => {});
      })
      .compile();
    const pending = graph.invoke({}, { signal: controller.signal });
    await started;
    controller.abort();
    await assert.rejects(pending, isWeftError("ABORTED", /Node "__start__" did not stop within 100 ms of the abort/));
  });
});

describe("compile-time validation", () => {
  const node = () => ({});
  const cases: Array<[string, () => unknown, RegExp]> = [
    ["no edge from START", () => new StateGraph().addNode("a", node).compile(), /no edge from START/],
    ["unknown edge target", () => new StateGraph().addNode("a", node).addEdge(START, "a").addEdge("a", "b").compile(), /unknown node "b"/],
    ["unknown edge source", () => new StateGraph().addNode("a", node).addEdge(START, "a").addEdge("x", "a").compile(), /starts at unknown node "x"/],
    ["duplicate node", () => new StateGraph().addNode("a", node).addNode("a", node), /already exists/],
    ["reserved name", () => new StateGraph().addNode(END, node), /reserved/],
    ["separator in name", () => new StateGraph().addNode("a|b", node), /namespaces/],
    ["node named like a state key", () => new StateGraph({ topic: lastValue<string>() }).addNode("topic", node), /state key/],
    ["anonymous function", () => new StateGraph().addNode(() => ({})), /anonymous/],
    ["not a function", () => new StateGraph().addNode("a", 42 as never), /must be a function/],
    ["edge into START", () => new StateGraph().addNode("a", node).addEdge(START, "a").addEdge("a", START).compile(), /leads to START/],
    [
      "node with no way out",
      () => new StateGraph().addNode("a", node).addNode("b", node).addEdge(START, "a").addEdge("a", "b").addEdge("b", "a").compile(),
      /Node "a" has no way out/,
    ],
    [
      "path map to unknown node",
      () => new StateGraph().addNode("a", node).addEdge(START, "a").addConditionalEdges("a", () => "x", { x: "nowhere" }).compile(),
      /path map.*unknown node "nowhere"/,
    ],
    ["bad schema entry", () => new StateGraph({ topic: "string" } as never), /lastValue\(\) or reducer/],
    ["bad reducer", () => reducer(42 as never, 0), /reducer\(fn, initial\)/],
  ];
  for (const [name, build, pattern] of cases) {
    it(name, () => assert.throws(build, isWeftError("INVALID_GRAPH", pattern)));
  }

  it("accepts the seed's graph (a node with no outgoing edge ends its path) and loops with a conditional exit", () => {
    new StateGraph().addNode("callModel", node).addEdge(START, "callModel").compile();
    new StateGraph().addNode("a", node).addNode("b", node).addEdge(START, "a").addEdge("a", "b").addConditionalEdges("b", () => END).compile();
  });
});

describe("recursion limit", () => {
  const looping = () =>
    new StateGraph({ count: reducer((a: number, b: number) => a + b, 0) })
      .addNode("inc", () => ({ count: 1 }))
      .addEdge(START, "inc")
      .addConditionalEdges("inc", () => "inc")
      .compile();

  it("defaults to a limit of 25 (24 supersteps after the input, as in LangGraph) and fails with RECURSION_LIMIT", async () => {
    const steps: unknown[] = [];
    await assert.rejects(async () => {
      for await (const update of looping().stream({}, { streamMode: "updates" })) steps.push(update);
    }, isWeftError("RECURSION_LIMIT", /Recursion limit of 25 reached/));
    assert.equal(steps.length, 24);
  });

  it("honours recursionLimit", async () => {
    await assert.rejects(looping().invoke({}, { recursionLimit: 3 }), isWeftError("RECURSION_LIMIT", /limit of 3/));
  });
});
