// Bad input, fuzzed with fast-check: graph definitions, node updates, chat messages and run options.
// Each either works (and does what it should) or fails with a WeftError whose code and message name
// the problem: never a crash of another kind, a hang, or silent acceptance. Seeds are fixed and printed.
import assert from "node:assert/strict";
import { describe, it, type TestContext } from "node:test";
import fc from "fast-check";
import { END, START, StateGraph, WeftError, lastValue, reducer, type NodeConfig, type StreamMode } from "weft";
import { FakeChatModel } from "weft/testing";
import { recordFigures, withTimeout } from "./support.js";

const SEED = 20261124;
const RUNS = 250;

/** Run `property` with the fixed seed; print it, and count how many inputs were rejected with a WeftError. */
async function check<Input>(context: TestContext, name: string, arbitrary: fc.Arbitrary<Input>, property: (input: Input) => Promise<"accepted" | "rejected">) {
  const counts = { accepted: 0, rejected: 0 };
  context.diagnostic(`fast-check seed ${SEED}, ${RUNS} runs (replay: fc.assert(..., { seed: ${SEED} }))`);
  await fc.assert(
    fc.asyncProperty(arbitrary, async (input) => {
      counts[await property(input)]++;
    }),
    { seed: SEED, numRuns: RUNS },
  );
  recordFigures(context, `fuzz-${name}`, { seed: SEED, runs: RUNS, ...counts });
}

/** Call `action`; a WeftError must have `code` and a message containing every one of `mentions`. */
async function expectWeftError(action: () => unknown, code: string, mentions: readonly string[]): Promise<"rejected"> {
  let caught: unknown;
  try {
    await withTimeout(Promise.resolve().then(action), 5_000, "a fuzzed input");
  } catch (error) {
    caught = error;
  }
  assert.ok(caught !== undefined, `expected WeftError ${code} mentioning ${mentions.join(", ")}, but the input was accepted`);
  assert.ok(WeftError.isInstance(caught), `expected a WeftError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  for (const mention of mentions) assert.ok(caught.message.includes(mention), `message "${caught.message}" should mention ${mention}`);
  assert.ok(caught.message.length < 400, "the message stays short");
  return "rejected";
}

const TRICKY_NAMES = ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf", "then"];
const nodeName = fc.oneof(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_ -]{0,11}$/), fc.constantFrom(...TRICKY_NAMES));
const anyValue = fc.anything({
  withNullPrototype: true,
  withMap: true,
  withSet: true,
  withDate: true,
  withTypedArray: true,
  withBigInt: true,
  withSparseArray: true,
  withBoxedValues: true,
});

describe("fuzzed graph definitions", () => {
  type Defect =
    | { kind: "none" }
    | { kind: "unknown-target"; ghost: string }
    | { kind: "unknown-source"; ghost: string }
    | { kind: "duplicate" }
    | { kind: "reserved"; name: string }
    | { kind: "separator"; separator: string }
    | { kind: "no-start" }
    | { kind: "not-a-function"; value: unknown }
    | { kind: "loop" }
    | { kind: "path-map-unknown"; ghost: string }
    | { kind: "router-unknown"; ghost: string }
    | { kind: "empty-name" };
  const definition = fc.record({
    names: fc.uniqueArray(nodeName, { minLength: 1, maxLength: 6 }),
    defect: fc.oneof(
      fc.constant<Defect>({ kind: "none" }),
      fc.record({ kind: fc.constant("unknown-target" as const), ghost: nodeName }),
      fc.record({ kind: fc.constant("unknown-source" as const), ghost: nodeName }),
      fc.constant<Defect>({ kind: "duplicate" }),
      fc.record({ kind: fc.constant("reserved" as const), name: fc.constantFrom(START, END) }),
      fc.record({ kind: fc.constant("separator" as const), separator: fc.constantFrom("|", ":") }),
      fc.constant<Defect>({ kind: "no-start" }),
      fc.record({ kind: fc.constant("not-a-function" as const), value: anyValue.filter((value) => typeof value !== "function") }),
      fc.constant<Defect>({ kind: "loop" }),
      fc.record({ kind: fc.constant("path-map-unknown" as const), ghost: nodeName }),
      fc.record({ kind: fc.constant("router-unknown" as const), ghost: nodeName }),
      fc.constant<Defect>({ kind: "empty-name" }),
    ),
  });

  it("either compiles and runs every node in order, or throws INVALID_GRAPH naming the problem", async (context) => {
    await check(context, "graph-definitions", definition, async ({ names, defect }) => {
      const ghost = "ghost" in defect ? `${defect.ghost}-ghost` : "";
      const visit = (name: string) => () => ({ visited: [name] });
      const schema = { visited: reducer((all: string[], more: string[]) => [...all, ...more], () => [] as string[]) };
      const build = () => {
        const graph = new StateGraph(schema);
        for (const name of names) graph.addNode(name, visit(name));
        if (defect.kind === "duplicate") graph.addNode(names[0]!, visit(names[0]!));
        if (defect.kind === "reserved") graph.addNode(defect.name, visit(defect.name));
        if (defect.kind === "separator") graph.addNode(`a${defect.separator}b`, visit("a"));
        if (defect.kind === "not-a-function") graph.addNode("broken", defect.value as never);
        if (defect.kind === "empty-name") graph.addNode("", visit(""));
        if (defect.kind !== "no-start") graph.addEdge(START, names[0]!);
        for (let index = 1; index < names.length; index++) graph.addEdge(names[index - 1]!, names[index]!);
        const last = names.at(-1)!;
        if (defect.kind === "loop") graph.addEdge(last, names[0]!);
        else if (defect.kind === "path-map-unknown") graph.addConditionalEdges(last, () => "go", { go: ghost });
        else if (defect.kind === "router-unknown") graph.addConditionalEdges(last, () => ghost);
        else graph.addEdge(last, END);
        if (defect.kind === "unknown-target") graph.addEdge(last, ghost);
        if (defect.kind === "unknown-source") graph.addEdge(ghost, names[0]!);
        return graph.compile();
      };
      switch (defect.kind) {
        case "none": {
          const state = await withTimeout(build().invoke({}), 5_000, "a valid fuzzed graph");
          assert.deepEqual(state.visited, names);
          return "accepted";
        }
        case "unknown-target":
        case "unknown-source":
        case "path-map-unknown":
          return expectWeftError(build, "INVALID_GRAPH", [`"${ghost}"`]);
        case "router-unknown":
          // Only known when the router runs: the run fails, naming the node and the target.
          return expectWeftError(() => build().invoke({}), "INVALID_GRAPH", [`"${ghost}"`, `"${names.at(-1)}"`]);
        case "duplicate":
          return expectWeftError(build, "INVALID_GRAPH", [`"${names[0]}"`, "already exists"]);
        case "reserved":
          return expectWeftError(build, "INVALID_GRAPH", [`"${defect.name}"`, "reserved"]);
        case "separator":
          return expectWeftError(build, "INVALID_GRAPH", [`"a${defect.separator}b"`]);
        case "no-start":
          return expectWeftError(build, "INVALID_GRAPH", ["START"]);
        case "not-a-function":
          return expectWeftError(build, "INVALID_GRAPH", ['"broken"', "must be a function"]);
        case "loop":
          return expectWeftError(build, "INVALID_GRAPH", ["no way out"]);
        case "empty-name":
          return expectWeftError(build, "INVALID_GRAPH", ["non-empty string"]);
      }
    });
  });
});

describe("fuzzed state updates returned by nodes", () => {
  const update = fc.oneof(
    anyValue,
    fc.dictionary(fc.constantFrom("count", "log", ...TRICKY_NAMES, "other"), anyValue, { maxKeys: 3 }),
    fc.record({ count: fc.integer() }, { requiredKeys: [] }),
  );

  it("applies a valid update exactly, and rejects anything else naming the node (and the key)", async (context) => {
    await check(context, "node-updates", update, async (value) => {
      const graph = new StateGraph({ count: lastValue<unknown>(), log: reducer((all: unknown[], more: unknown) => [...all, more], () => [] as unknown[]) })
        .addNode("writer", () => value as never)
        .addEdge(START, "writer")
        .compile();
      const run = () => graph.invoke({ count: "before" });
      if (value === undefined || value === null) {
        assert.deepEqual(await run(), { count: "before", log: [] });
        return "accepted";
      }
      const isPlainObject =
        typeof value === "object" && !Array.isArray(value) && Object.prototype.toString.call(value) === "[object Object]";
      if (!isPlainObject) return expectWeftError(run, "INVALID_NODE_RETURN", ['Node "writer" returned']);
      const keys = Object.keys(value);
      const unknown = keys.find((key) => key !== "count" && key !== "log");
      if (unknown !== undefined) return expectWeftError(run, "INVALID_UPDATE", ['"writer"', `"${unknown}"`]);
      const record = value as Record<string, unknown>;
      const state = await withTimeout(run(), 5_000, "a fuzzed update");
      assert.deepEqual(state, { count: "count" in record ? record.count : "before", log: "log" in record ? [record.log] : [] });
      return "accepted";
    });
  });
});

describe("fuzzed messages given to a model", () => {
  const VALID_ROLES = ["system", "user", "human", "assistant", "ai", "tool"];
  const message = fc.oneof(
    fc.record({ role: fc.oneof(fc.constantFrom(...VALID_ROLES, ...TRICKY_NAMES), fc.string(), anyValue), content: fc.oneof(fc.string(), anyValue) }, { requiredKeys: [] }),
    anyValue,
  );
  const input = fc.oneof(fc.string(), fc.array(message, { maxLength: 4 }), anyValue);

  it("answers valid messages, and rejects anything else with INVALID_MESSAGES naming the message", async (context) => {
    await check(context, "messages", input, async (value) => {
      const model = new FakeChatModel({ responses: [["o", "k"]] });
      const call = () => model.invoke(value as never);
      if (typeof value === "string") {
        assert.equal((await call()).content, "ok");
        return "accepted";
      }
      if (!Array.isArray(value)) return expectWeftError(call, "INVALID_MESSAGES", ["Chat models take"]);
      // Accepted: a string (a human message), a [type, text] tuple, or { role, content: string } (a tool
      // message also needs the id of the call it answers, which these records never have).
      const contentOf = (entry: any): string | undefined => {
        if (typeof entry === "string") return entry;
        if (Array.isArray(entry)) return entry.length === 2 && VALID_ROLES.includes(entry[0]) && entry[0] !== "tool" && typeof entry[1] === "string" ? entry[1] : undefined;
        if (typeof entry !== "object" || entry === null || typeof entry.role !== "string" || !VALID_ROLES.includes(entry.role) || entry.role === "tool") return undefined;
        return typeof entry.content === "string" ? entry.content : undefined;
      };
      const bad = value.findIndex((entry) => contentOf(entry) === undefined);
      if (bad >= 0) return expectWeftError(call, "INVALID_MESSAGES", [`Message ${bad}`]);
      assert.equal((await call()).content, "ok");
      assert.deepEqual(
        model.calls[0]!.map((entry) => entry.content),
        value.map(contentOf),
      );
      return "accepted";
    });
  });
});

describe("fuzzed stream options", () => {
  const MODES: StreamMode[] = ["values", "updates", "messages", "custom", "debug"];
  const options = fc.oneof(
    fc.record(
      {
        streamMode: fc.oneof(fc.constantFrom(...MODES), fc.array(fc.constantFrom(...MODES), { maxLength: 3 }), fc.string(), anyValue),
        recursionLimit: fc.oneof(fc.integer({ min: -2, max: 30 }), anyValue),
        tags: fc.oneof(fc.array(fc.string(), { maxLength: 3 }), anyValue),
        metadata: fc.oneof(fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }), anyValue),
        configurable: fc.oneof(fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }), anyValue),
        subgraphs: fc.oneof(fc.boolean(), anyValue),
        highWaterMark: fc.oneof(fc.integer({ min: -1, max: 64 }), fc.constantFrom(2 ** 31, 2 ** 40, Number.MAX_SAFE_INTEGER), anyValue),
        signal: fc.oneof(fc.constant(new AbortController().signal), anyValue),
      },
      { requiredKeys: [] },
    ),
    anyValue,
  );

  /** The option keys the oracle finds wrong (the message must name one of them). */
  function invalidKeys(given: Record<string, unknown>): string[] {
    const wrong: string[] = [];
    const mode = given.streamMode;
    const isMode = (value: unknown) => typeof value === "string" && (MODES as string[]).includes(value);
    if (mode !== undefined && mode !== null && !isMode(mode) && !(Array.isArray(mode) && mode.length > 0 && Array.from(mode).every(isMode))) wrong.push("streamMode");
    const limit = given.recursionLimit;
    if (limit !== undefined && !(Number.isInteger(limit) && (limit as number) >= 1)) wrong.push("recursionLimit");
    const tags = given.tags;
    if (tags !== undefined && !(Array.isArray(tags) && Array.from(tags).every((tag) => typeof tag === "string"))) wrong.push("tags");
    for (const key of ["metadata", "configurable"]) {
      const value = given[key];
      if (value !== undefined && (typeof value !== "object" || value === null || Array.isArray(value))) wrong.push(key);
    }
    if (given.subgraphs !== undefined && typeof given.subgraphs !== "boolean") wrong.push("subgraphs");
    const mark = given.highWaterMark;
    if (mark !== undefined && !(Number.isInteger(mark) && (mark as number) >= 2)) wrong.push("highWaterMark");
    if (given.signal !== undefined && !(given.signal instanceof AbortSignal)) wrong.push("signal");
    return wrong;
  }

  it("runs with valid options, and rejects anything else with INVALID_OPTIONS naming the option", async (context) => {
    const model = new FakeChatModel({ responses: [["a ", "b "]] });
    const graph = new StateGraph({ answer: lastValue<string>() })
      .addNode("talk", async (_state, config: NodeConfig) => ({ answer: (await model.invoke("hi", config)).content }))
      .addEdge(START, "talk")
      .addEdge("talk", END)
      .compile();
    await check(context, "stream-options", options, async (value) => {
      const consume = async () => {
        const chunks: unknown[] = [];
        for await (const chunk of graph.stream({}, value as never)) chunks.push(chunk);
        return chunks;
      };
      if (value !== undefined && (typeof value !== "object" || value === null || Array.isArray(value))) {
        return expectWeftError(consume, "INVALID_OPTIONS", ["Run options must be an object"]);
      }
      const given = (value ?? {}) as Record<string, unknown>;
      const wrong = invalidKeys(given);
      if (wrong.length > 0) {
        let caught: unknown;
        await withTimeout(consume(), 5_000, "a stream with fuzzed options").catch((error: unknown) => (caught = error));
        assert.ok(WeftError.isInstance(caught) && caught.code === "INVALID_OPTIONS", `options with bad ${wrong.join(", ")} were accepted (${String(caught)})`);
        assert.ok(wrong.some((key) => caught instanceof Error && caught.message.includes(key)), `"${(caught as Error).message}" should name one of ${wrong.join(", ")}`);
        return "rejected";
      }
      const chunks = await withTimeout(consume(), 5_000, "a stream with fuzzed options");
      const modes = given.streamMode === undefined || given.streamMode === null ? ["values"] : [given.streamMode].flat();
      // Only "custom" has nothing to say here (no node writes custom events).
      if (modes.some((mode) => mode !== "custom")) assert.ok(chunks.length > 0, "a valid stream yields chunks");
      return "accepted";
    });
  });
});

describe("regressions the fuzzers found", () => {
  it("a node update with an inherited key (constructor, toString) is an unknown key, not silently stored", async () => {
    const graph = new StateGraph({ count: lastValue<number>() }).addNode("writer", () => ({ constructor: 1 }) as never).addEdge(START, "writer").compile();
    await expectWeftError(() => graph.invoke({}), "INVALID_UPDATE", ['"writer"', '"constructor"']);
  });

  it('an update with the key "__proto__" is rejected instead of replacing the state\'s prototype', async () => {
    const graph = new StateGraph().addNode("writer", () => JSON.parse('{"__proto__": {"polluted": 1}}')).addEdge(START, "writer").compile();
    await expectWeftError(() => graph.invoke({}), "INVALID_UPDATE", ['"writer"', '"__proto__"']);
    await expectWeftError(() => graph.invoke(JSON.parse('{"__proto__": {"polluted": 1}}')), "INVALID_UPDATE", ["run input", '"__proto__"']);
  });

  it("a node returning a Map, a Date or a boxed number is rejected instead of silently writing nothing", async () => {
    for (const value of [new Map([["count", 1]]), new Date(0), Object(5)]) {
      const graph = new StateGraph({ count: lastValue<number>() }).addNode("writer", () => value).addEdge(START, "writer").compile();
      await expectWeftError(() => graph.invoke({}), "INVALID_NODE_RETURN", ['Node "writer" returned']);
    }
  });

  it('a message with role "constructor" or "toString" is rejected, not sent with a function as its role', async () => {
    const model = new FakeChatModel({ responses: ["ok"] });
    for (const role of ["constructor", "toString"]) await expectWeftError(() => model.invoke([{ role, content: "x" } as never]), "INVALID_MESSAGES", ["Message 0"]);
  });

  it('a node may be called "constructor" next to a schema', async () => {
    const graph = new StateGraph({ count: lastValue<number>() }).addNode("constructor", () => ({ count: 1 })).addEdge(START, "constructor").compile();
    assert.deepEqual(await graph.invoke({}), { count: 1 });
  });

  it("a router result that is an inherited key of the path map is reported as not listed", async () => {
    const graph = new StateGraph().addNode("next", () => ({ done: true })).addConditionalEdges(START, () => "toString", { go: "next" }).compile();
    await expectWeftError(() => graph.invoke({}), "INVALID_GRAPH", ['"toString"', "path map"]);
  });

  it("a huge highWaterMark (2^40) runs instead of hanging in the buffer set-up", async () => {
    const graph = new StateGraph().addNode("next", () => ({ done: true })).addEdge(START, "next").compile();
    const chunks: unknown[] = [];
    for await (const chunk of graph.stream({}, { highWaterMark: 2 ** 40, streamMode: "values" })) chunks.push(chunk);
    // An empty input writes no key, so (as in LangGraph) values mode has nothing to show before the step.
    assert.deepEqual(chunks, [{ done: true }]);
  });

  it("a sparse array of messages (a hole is not a message) is rejected", async () => {
    const model = new FakeChatModel({ responses: ["ok"] });
    // eslint-disable-next-line no-sparse-arrays
    await expectWeftError(() => model.invoke([, { role: "user", content: "hi" }] as never), "INVALID_MESSAGES", ["Message 0"]);
  });

  it("sparse tags (holes are not strings) are rejected", async () => {
    const graph = new StateGraph().addNode("next", () => ({ done: true })).addEdge(START, "next").compile();
    // eslint-disable-next-line no-sparse-arrays
    await expectWeftError(() => graph.invoke({}, { tags: [, "a"] as string[] }), "INVALID_OPTIONS", ["tags"]);
  });
});
